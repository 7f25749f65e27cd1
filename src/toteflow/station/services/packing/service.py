"""`PackingService`: the pack station's parts wired together; `open_order` starts an order."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from toteflow.contracts.shipping import PackOrder
from toteflow.domain.errors import Refused
from toteflow.domain.scan import ScanResult, interpret
from toteflow.domain.words import plural
from toteflow.domain.zone_pass import destination_words
from toteflow.station.ports.packing import LabelRenderer, PackServer, Printer
from toteflow.station.ports.store import StationUnitOfWorkFactory
from toteflow.station.services.events import Clock, FloorActions, utcnow
from toteflow.station.services.packing.boxes import BoxAndCarrier
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.printing import PrintQueue
from toteflow.station.services.packing.records import PackRecords
from toteflow.station.services.packing.sscc import SsccPool
from toteflow.station.services.packing.views import PackView
from toteflow.station.services.tote_arrivals import ToteArrivals


class PackingService:
    """One part per responsibility: `records`, `boxes`, `prints`, `sscc`; and the `policy`."""

    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        policy: PackingPolicy,
        renderer: LabelRenderer,
        printers: Mapping[str, Printer],
        *,
        clock: Clock = utcnow,
        on_recorded: Callable[[], None] | None = None,
        read: Callable[[str], ScanResult] = interpret,
    ) -> None:
        self.policy = policy
        self.boxes = BoxAndCarrier(policy, clock=clock)
        self.sscc = SsccPool(uow, policy.sscc_block_size)
        self.prints = PrintQueue(
            uow, policy, renderer, printers, clock=clock, on_recorded=on_recorded
        )
        self.records = PackRecords(
            uow,
            policy,
            self.boxes,
            self.sscc,
            self.prints,
            clock=clock,
            on_recorded=on_recorded,
            read=read,
        )
        # The registry hears of each tote opened here (travelling -> at packing).
        self.arrivals = ToteArrivals(FloorActions(uow, clock=clock, on_recorded=on_recorded))


async def open_order(
    server: PackServer,
    packing: PackingService,
    user_id: int | None,
    key: str,
    session_token: str,
) -> PackView:
    """Fetch the order for a scanned tote or order reference and keep it at this station.

    Tops up the SSCC pool from the server while connected, for the cartons to come.
    """
    order = await server.pack_order(key, session_token)
    if order.status.value not in ("picking", "picked"):
        raise Refused(
            f"order {order.reference} is {order.status.value.replace('_', ' ')}: "
            "it cannot be packed now"
        )
    waiting = still_to_come(order)
    if waiting:
        raise Refused(waiting)
    view = packing.records.store_order(user_id, order)
    for tote in order.totes:
        packing.arrivals.opened(user_id, tote)
    await packing.sscc.top_up(server, session_token)
    return view


def still_to_come(order: PackOrder) -> str:
    """Why the order waits for more totes (every tote is packed together), or "" when all
    of them are at packing."""
    here = [x.tote for x in order.tote_trail if x.state == "at_packing"]
    away = []
    for x in order.tote_trail:
        if x.state == "picking":
            away.append(f"tote {x.tote} (being picked in {x.place})")
        elif x.state == "travelling":
            away.append(f"tote {x.tote} (on its way to {destination_words(x.place)})")
    away += [f"{where} (not picked yet)" for where in order.to_pick]
    if not away:
        return ""
    have = f"{plural(len(here), 'tote')} here ({', '.join(here)})" if here else "no tote here yet"
    return f"order {order.reference} waits for {'; '.join(away)}; {have}: pack it when all are in"
