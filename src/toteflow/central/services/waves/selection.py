"""Which waiting orders a wave's filters take, and which filter left each of the others out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.ports.waves import PoolOrder, PoolQuery, StockRow
from toteflow.central.services.waves.common import in_layout, stock_candidate
from toteflow.contracts import waves as wv
from toteflow.domain.allocation import rank, usable
from toteflow.domain.layout import Layout


@dataclass(frozen=True)
class Selection:
    """The orders a wave takes, most urgent first, out of how many were waiting and why not
    the others. The pool, the preview and the release all select through `select_orders`, so
    the same filters show the same orders on each."""

    waiting: int
    chosen: list[PoolOrder]
    left_out: list[wv.LeftOut]
    cutoff_at: datetime | None


def select_orders(
    uow: UnitOfWork,
    filters: wv.WaveFilters,
    now: datetime,
    layout: Callable[[], Layout],
) -> Selection:
    """Every filter in turn over the received orders; each step counts what it leaves out.

    The whole pool is read (one grouped query) rather than narrowed in SQL: it is what a
    count of what each filter left out needs, and a wave that reads fewer orders than the
    supervisor saw in the pool must be able to say which filter did it.
    """
    waiting = uow.wave_pool.pool(PoolQuery())
    left_out: list[wv.LeftOut] = []
    orders = list(waiting)

    def step(field: wv.FilterName, words: str, keep: Callable[[PoolOrder], bool]) -> None:
        nonlocal orders
        kept = [o for o in orders if keep(o)]
        if len(kept) < len(orders):
            left_out.append(wv.LeftOut(filter=field, words=words, orders=len(orders) - len(kept)))
        orders = kept

    if filters.carrier:
        carrier = filters.carrier.upper()
        step("carrier", f"carrier {carrier}", lambda o: o.carrier.upper() == carrier)
    if filters.service:
        service = filters.service.upper()
        step("service", f"service {service}", lambda o: o.service.upper() == service)
    ship_by, cutoff_at = _ship_by(filters, now)
    if ship_by is not None:
        by_cutoff = cutoff_at is not None and (
            filters.ship_by is None or cutoff_at.date() <= filters.ship_by
        )
        field: wv.FilterName = "cutoff" if by_cutoff else "ship_by"
        words = (
            f"cut-off {filters.cutoff} (ship by {ship_by.isoformat()})"
            if by_cutoff
            else f"ship by {ship_by.isoformat()}"
        )
        step(field, words, lambda o: o.ship_by <= ship_by)
    if filters.priorities:
        wanted = set(filters.priorities)
        shown = ",".join(str(p) for p in sorted(wanted))
        step("priorities", f"priority {shown}", lambda o: o.priority in wanted)
    if filters.profile:
        profile = filters.profile
        words = f"profile {profile.replace('_', ' ')}"
        step("profile", words, lambda o: fits_profile(o, profile))
    if filters.zones and orders:
        inside = _inside_zones(uow, orders, set(filters.zones), layout(), now.date())
        step("zones", "zones " + ",".join(filters.zones), lambda o: o.id in inside)
    chosen, by_count, by_lines = limited(orders, filters.max_orders, filters.max_lines)
    if by_count:
        left_out.append(
            wv.LeftOut(
                filter="max_orders", words=f"max orders {filters.max_orders}", orders=by_count
            )
        )
    if by_lines:
        left_out.append(
            wv.LeftOut(filter="max_lines", words=f"max lines {filters.max_lines}", orders=by_lines)
        )
    return Selection(len(waiting), chosen, left_out, cutoff_at)


def _ship_by(filters: wv.WaveFilters, now: datetime) -> tuple[date | None, datetime | None]:
    """The latest ship-by date the wave takes, and the cut-off it is picked for."""
    dates = [filters.ship_by] if filters.ship_by else []
    cutoff_at = None
    if filters.cutoff is not None:
        hour, minute = (int(part) for part in filters.cutoff.split(":"))
        today = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
        # Once today's pick-up has gone, the next one is tomorrow's: so are the orders for it.
        cutoff_at = today if now < today else today + timedelta(days=1)
        dates.append(cutoff_at.date())
    return (min(dates) if dates else None), cutoff_at


def fits_profile(order: PoolOrder, profile: wv.Profile | None) -> bool:
    if profile == "single_unit":
        return order.lines == 1 and order.units == 1
    if profile == "single_line":
        return order.lines == 1
    if profile == "multi_line":
        return order.lines >= 2
    return True


def limited(
    orders: list[PoolOrder], max_orders: int | None, max_lines: int | None
) -> tuple[list[PoolOrder], int, int]:
    """The most urgent orders within the limits, and how many each limit left out.

    An order with more lines than are left is skipped and the next one tried: a big order
    early in the queue must not stop a wave of small ones (it waits for a wave it fits).
    """
    out: list[PoolOrder] = []
    lines = by_count = by_lines = 0
    for order in orders:
        if max_orders is not None and len(out) >= max_orders:
            by_count += 1
        elif max_lines is not None and lines + order.lines > max_lines:
            by_lines += 1
        else:
            out.append(order)
            lines += order.lines
    return out, by_count, by_lines


def _inside_zones(
    uow: UnitOfWork, orders: list[PoolOrder], zones: set[str], layout: Layout, today: date
) -> set[int]:
    """Orders whose every line would be picked in these zones (where allocation looks first)."""
    lines = uow.wave_pool.lines([o.id for o in orders])
    fefo = {ln.product_id: ln.expiry_tracked for ln in lines}
    first: dict[int, StockRow] = {}
    for row in uow.wave_pool.stock(sorted(fefo), lock=False):
        candidate = stock_candidate(row)
        if not in_layout(row, layout) or not usable(candidate, today):
            continue
        best = first.get(row.product_id)
        key = rank(candidate, fefo=fefo[row.product_id])
        if best is None or key < rank(stock_candidate(best), fefo=fefo[row.product_id]):
            first[row.product_id] = row
    inside: dict[int, bool] = {}
    for ln in lines:
        where = first.get(ln.product_id)
        ok = where is not None and where.zone in zones
        inside[ln.order_id] = inside.get(ln.order_id, True) and ok
    return {order_id for order_id, ok in inside.items() if ok}


def pool_view(selection: Selection) -> wv.Pool:
    """The chosen orders counted by carrier, service and ship-by date, as the pool shows them."""
    groups: dict[tuple[str, str, date], list[int]] = {}
    for o in selection.chosen:
        counts = groups.setdefault((o.carrier, o.service, o.ship_by), [0] * 6)
        counts[0] += 1
        counts[1] += o.lines
        counts[2] += o.units
        counts[3] += 1 if o.lines == 1 and o.units == 1 else 0
        counts[4] += 1 if o.lines == 1 else 0
        counts[5] += 1 if o.lines >= 2 else 0
    return wv.Pool(
        waiting=selection.waiting,
        orders=len(selection.chosen),
        lines=sum(o.lines for o in selection.chosen),
        units=sum(o.units for o in selection.chosen),
        groups=[
            wv.PoolGroup(
                carrier=carrier,
                service=service,
                ship_by=ship_by,
                orders=c[0],
                lines=c[1],
                units=c[2],
                single_unit=c[3],
                single_line=c[4],
                multi_line=c[5],
            )
            for (carrier, service, ship_by), c in sorted(
                groups.items(), key=lambda g: (g[0][2], g[0][0], g[0][1])
            )
        ],
        left_out=selection.left_out,
    )


def nothing_matches(selection: Selection) -> str:
    """Why no order is taken, in a sentence."""
    if not selection.waiting:
        return "no received order is waiting for a wave"
    worst = ", ".join(f"{o.words} leaves out {o.orders}" for o in selection.left_out)
    return f"none of the {selection.waiting} waiting orders matches these filters ({worst})"
