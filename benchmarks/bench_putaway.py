"""Put-away suggestion time per case of a 1,000-case notice over a 3,000-location warehouse."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from toteflow.domain.putaway import reservations_for, suggest
from toteflow.domain.putaway_rules import (
    PICK_FACE,
    Content,
    Location,
    Mixing,
    Plate,
    Size,
    Velocity,
)
from toteflow.domain.reservations import Reservation

AISLES, BAYS, LEVELS = 30, 50, 2  # 3,000 locations
SKUS = 300  # each with a pick face at level 1 of the first bays
CASES = 1_000
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
HOLD = timedelta(minutes=30)


def _warehouse(rng: random.Random) -> list[Location]:
    locations = []
    faces = 0
    for aisle in range(1, AISLES + 1):
        for bay in range(1, BAYS + 1):
            for level in range(1, LEVELS + 1):
                code = f"{aisle:02d}-{bay:03d}-{level}"
                front = bay * 1.5
                dock = front + aisle * 4.0
                zone = Velocity.A if bay <= 10 else Velocity.B if bay <= 30 else Velocity.C
                if level == 1 and bay % 5 == 1 and faces < SKUS:
                    sku = f"SKU-{faces:03d}"
                    faces += 1
                    contents = (Content(sku, "L0", rng.randint(0, 30), 24_000_000, 5_000),)
                    locations.append(
                        Location(
                            code,
                            kind=PICK_FACE,
                            size=Size(1200, 1000, 800),
                            mixing=Mixing.SAME_SKU,
                            contents=contents,
                            home_sku=sku,
                            max_quantity=36,
                            velocity_zone=zone,
                            front_distance_m=front,
                            dock_distance_m=dock,
                        )
                    )
                    continue
                full = rng.random() < 0.5
                stock: tuple[Content, ...] = ()
                if full:
                    sku = f"SKU-{rng.randrange(SKUS):03d}"
                    stock = (
                        Content(sku, f"L{rng.randrange(3)}", rng.randint(5, 40), 24_000_000, 5_000),
                    )
                locations.append(
                    Location(
                        code,
                        storage_class="chilled" if aisle > 27 else "ambient",
                        size=Size(1200, 1000, 1500),
                        max_weight_g=800_000,
                        mixing=rng.choice([Mixing.SAME_SKU, Mixing.SAME_LOT, Mixing.EMPTY_ONLY]),
                        contents=stock,
                        velocity_zone=zone,
                        front_distance_m=front,
                        dock_distance_m=dock,
                    )
                )
    return locations


def _notice(rng: random.Random) -> list[Plate]:
    return [
        Plate(
            plate=f"P{i:04d}",
            sku=f"SKU-{rng.randrange(SKUS):03d}",
            quantity=rng.randint(4, 48),
            unit=Size(400, 300, 200),
            unit_weight_g=5_000,
            velocity=rng.choice(list(Velocity)),
            lot=f"L{rng.randrange(3)}",
            upright=rng.random() < 0.2,
        )
        for i in range(CASES)
    ]


def _first_empty(plate: Plate, locations: list[Location], taken: set[str]) -> str | None:
    """The baseline: the first empty location of the storage class, nothing else checked."""
    for location in locations:
        if (
            location.kind != PICK_FACE
            and location.storage_class == plate.storage_class
            and not location.contents
            and location.code not in taken
        ):
            return location.code
    return None


def _timed(work: Callable[[Plate], object], plates: list[Plate]) -> list[float]:
    times = []
    for plate in plates:
        started = time.perf_counter()
        work(plate)
        times.append(1000 * (time.perf_counter() - started))
    return sorted(times)


def _p(times: list[float], share: float) -> float:
    return times[min(len(times) - 1, int(share * len(times)))]


def run() -> None:
    rng = random.Random("putaway")
    locations = _warehouse(rng)
    plates = _notice(rng)
    reservations: list[Reservation] = []
    unplaced = 0

    def directed(plate: Plate) -> None:
        nonlocal unplaced
        # Each suggestion reserves its space, so the next case sees it taken, as on the floor.
        plan = suggest(plate, locations, at=NOW, reservations=reservations)
        reservations.extend(reservations_for(plan, plate, expires_at=NOW + HOLD))
        unplaced += plan.unplaced > 0

    taken: set[str] = set()

    def baseline(plate: Plate) -> None:
        code = _first_empty(plate, locations, taken)
        if code is not None:
            taken.add(code)

    base = _timed(baseline, plates)
    rules = _timed(directed, plates)
    print(
        f"{len(locations)} locations ({SKUS} pick faces), {CASES} cases, each suggestion "
        "reserving its space for the cases after it; ms per case (wall clock)."
    )
    print(f"{'':<34} {'p50':>8} {'p99':>8} {'max':>8}")
    for name, times in (
        ("baseline: first empty location", base),
        ("directed put-away (4 rules)", rules),
    ):
        print(f"{name:<34} {_p(times, 0.5):8.3f} {_p(times, 0.99):8.3f} {times[-1]:8.3f}")
    print(
        f"ratio directed / baseline: p50 {_p(rules, 0.5) / _p(base, 0.5):.1f}x, "
        f"p99 {_p(rules, 0.99) / _p(base, 0.99):.1f}x; "
        f"{len(reservations)} reservations made, {unplaced} cases not wholly placed"
    )
