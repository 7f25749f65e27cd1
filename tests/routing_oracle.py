"""Independent reference tours for routing tests and the benchmark: Held-Karp and local search."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from itertools import pairwise

from toteflow.domain.layout import Layout
from toteflow.domain.route_network import network_distance


def grid_distance(layout: Layout, p: tuple[float, float], q: tuple[float, float]) -> float:
    """Dijkstra on the explicit aisle and cross-aisle graph: a check on network_distance."""
    xs = [(a - 1) * layout.aisle_spacing for a in range(1, layout.aisles + 1)]
    cross = [k * layout.bay_width for k in layout.cross_aisles_after]
    nodes = {(x, y) for x in xs for y in cross} | {p, q}
    edges: dict[tuple[float, float], list[tuple[tuple[float, float], float]]] = {}
    for x in xs:  # along each aisle, between neighbouring points on it
        column = sorted(y for nx, y in nodes if nx == x)
        for y1, y2 in pairwise(column):
            edges.setdefault((x, y1), []).append(((x, y2), y2 - y1))
            edges.setdefault((x, y2), []).append(((x, y1), y2 - y1))
    for y in cross:  # along each cross aisle, between neighbouring aisles
        for x1, x2 in pairwise(xs):
            edges.setdefault((x1, y), []).append(((x2, y), x2 - x1))
            edges.setdefault((x2, y), []).append(((x1, y), x2 - x1))
    best = {p: 0.0}
    queue = [(0.0, p)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == q:
            return cost
        if cost > best[node]:
            continue
        for other, length in edges.get(node, []):
            if cost + length < best.get(other, float("inf")):
                best[other] = cost + length
                heapq.heappush(queue, (cost + length, other))
    raise ValueError(f"{q} cannot be reached from {p}")


def distance_matrix(layout: Layout, stops: Sequence[str]) -> list[list[float]]:
    """Shortest-path metres between the depot (index 0) and the stops (1..n)."""
    points = [layout.depot, *(layout.position(s) for s in stops)]
    return [[network_distance(layout, p, q) for q in points] for p in points]


def held_karp(matrix: list[list[float]]) -> float:
    """The exact shortest closed tour from node 0 through all others (n up to ~14)."""
    n = len(matrix) - 1
    if n == 0:
        return 0.0
    # best[mask][j]: shortest path from the depot through the set `mask` of stops, ending at j.
    full = 1 << n
    inf = float("inf")
    best = [[inf] * n for _ in range(full)]
    for j in range(n):
        best[1 << j][j] = matrix[0][j + 1]
    for mask in range(1, full):
        row = best[mask]
        for j in range(n):
            here = row[j]
            if here == inf or not mask >> j & 1:
                continue
            dj = matrix[j + 1]
            for k in range(n):
                if mask >> k & 1:
                    continue
                nxt = mask | 1 << k
                value = here + dj[k + 1]
                if value < best[nxt][k]:
                    best[nxt][k] = value
    return min(best[full - 1][j] + matrix[j + 1][0] for j in range(n))


def tour_cost(matrix: list[list[float]], tour: Sequence[int]) -> float:
    """Length of the closed tour 0 -> tour... -> 0 (tour holds stop indices 1..n)."""
    path = [0, *tour, 0]
    return sum(matrix[a][b] for a, b in pairwise(path))


def _improve(matrix: list[list[float]], tour: list[int]) -> list[int]:
    """2-opt and Or-opt (segments of 1-3) until neither finds a better tour."""
    path = [0, *tour, 0]
    size = len(path)
    improved = True
    while improved:
        improved = False
        for i in range(size - 2):
            a, b = path[i], path[i + 1]
            for j in range(i + 2, size - 1):
                c, d = path[j], path[j + 1]
                delta = matrix[a][c] + matrix[b][d] - matrix[a][b] - matrix[c][d]
                if delta < -1e-9:
                    path[i + 1 : j + 1] = reversed(path[i + 1 : j + 1])
                    improved = True
                    a, b = path[i], path[i + 1]
        for length in (1, 2, 3):
            for i in range(1, size - length):
                seg = path[i : i + length]
                prev, nxt = path[i - 1], path[i + length]
                gain = matrix[prev][seg[0]] + matrix[seg[-1]][nxt] - matrix[prev][nxt]
                rest = path[:i] + path[i + length :]
                for k in range(len(rest) - 1):
                    p, q = rest[k], rest[k + 1]
                    for piece in (seg, seg[::-1]):
                        cost = matrix[p][piece[0]] + matrix[piece[-1]][q] - matrix[p][q]
                        if cost < gain - 1e-9:
                            path = [*rest[: k + 1], *piece, *rest[k + 1 :]]
                            improved = True
                            break
                    else:
                        continue
                    break
                if improved:
                    break
            if improved:
                break
    return path[1:-1]


def best_known(matrix: list[list[float]], restarts: int, seed: int = 0) -> float:
    """The best tour of a multi-start local search with random double-bridge kicks."""
    rng = random.Random(seed)
    n = len(matrix) - 1
    if n < 4:
        return held_karp(matrix)
    best = float("inf")
    for _ in range(restarts):
        tour = _improve(matrix, rng.sample(range(1, n + 1), n))
        cost = tour_cost(matrix, tour)
        for _ in range(20):
            # Double bridge: a move 2-opt and Or-opt cannot undo, to leave a local optimum.
            i, j, k = sorted(rng.sample(range(1, n), 3))
            kicked = _improve(matrix, tour[:i] + tour[j:k] + tour[i:j] + tour[k:])
            kicked_cost = tour_cost(matrix, kicked)
            if kicked_cost < cost - 1e-9:
                tour, cost = kicked, kicked_cost
        best = min(best, cost)
    return best
