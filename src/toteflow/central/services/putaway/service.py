"""The put-away use cases: receive to a plate, suggest, confirm, held stock, dock-to-stock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.putaway.common import (
    Clock,
    PutawayPolicy,
    existing_plate,
    plate_view,
    utc_now,
)
from toteflow.central.services.putaway.confirm import Confirmation, confirm_in
from toteflow.central.services.putaway.held import held_page_in, reject_in, release_in
from toteflow.central.services.putaway.receiving import Receipt, receive_to_plate
from toteflow.central.services.putaway.suggest import suggest_in
from toteflow.central.services.waves.common import retrying
from toteflow.contracts import putaway as pa
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.dock_to_stock import dock_to_stock_seconds, summarise
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Permission

T = TypeVar("T")


class PlateLabels(Protocol):
    """Renders a plate's label: its code as Code 128 and a line saying what is on it."""

    def render(self, code: str, line: str, fmt: str) -> bytes: ...


class PutawayService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: PutawayPolicy | None = None,
        labels: PlateLabels | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.uow = uow
        self.policy = policy or PutawayPolicy()
        self.labels = labels
        self.clock = clock

    def _committed(self, work: Callable[[UnitOfWork], T]) -> T:
        """`work` in its own transaction, committed; run again if it lost a lock race."""

        def run(uow: UnitOfWork) -> T:
            result = work(uow)
            uow.commit()
            return result

        return retrying(self.uow, run)

    def receive_to_plate(self, actor: Actor, receipt: Receipt) -> pa.Plate:
        """Received units onto a plate at a dock, quarantine or quality location; committed.

        The receipt-by-scan use case may call `receiving.receive_to_plate` in its own unit of
        work instead, so that the notice line and the plate commit together.
        """
        at = self.clock()
        return self._committed(lambda uow: plate_view(receive_to_plate(uow, actor, receipt, at)))

    def suggest(self, actor: Actor, body: pa.SuggestRequest) -> pa.Suggestion:
        """Where the plate goes, with reasons; the space is reserved for the policy's minutes."""
        return self._committed(
            lambda uow: suggest_in(uow, actor, body.plate, self.policy, self.clock())
        )

    def confirm(self, actor: Actor, body: pa.ConfirmRequest) -> pa.Confirmed:
        """The plate's units are at the location: stock moves there and becomes available."""
        request = Confirmation(body.plate, body.location, body.quantity, body.reason)

        def work(uow: UnitOfWork) -> pa.Confirmed:
            now = self.clock()
            return confirm_in(uow, actor, request, now, done_at=now)

        return self._committed(work)

    def plate(self, actor: Actor, code: str) -> pa.Plate:
        actor.require(Permission.READ_STOCK)
        with self.uow() as uow:
            return plate_view(existing_plate(uow, code))

    def label(self, actor: Actor, code: str, fmt: str) -> bytes:
        """The plate's label (ZPL or PNG): its code as Code 128, SKU, lot and quantity."""
        plate = self.plate(actor, code)
        if self.labels is None:
            raise Refused("this server prints no plate labels")
        lot = f" lot {plate.lot}" if plate.lot else ""
        return self.labels.render(plate.code, f"{plate.sku}{lot} x {plate.quantity}", fmt)

    def held(self, actor: Actor, offset: int, limit: int) -> Page[pa.HeldPlate]:
        """Held plates, oldest first: what a supervisor has to release or reject."""
        with self.uow() as uow:
            return held_page_in(uow, actor, offset, limit)

    def release(self, actor: Actor, code: str, body: pa.ReleaseRequest) -> pa.Plate:
        return self._committed(lambda uow: release_in(uow, actor, code, body))

    def reject(self, actor: Actor, code: str, body: pa.RejectRequest) -> pa.Plate:
        return self._committed(lambda uow: reject_in(uow, actor, code, body))

    def dock_to_stock(
        self, actor: Actor, since: datetime | None, offset: int, limit: int
    ) -> pa.DockToStock:
        """Seconds from receipt to put-away for each plate (newest first) and in sum."""
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            page = uow.putaway.plate_times(since, offset, limit)
            every = uow.putaway.all_plate_times(since)
        figures = summarise(every)
        return pa.DockToStock(
            plates=[
                pa.PlateTime(
                    plate=p.plate,
                    received_at=p.received_at,
                    put_away_at=p.put_away_at,
                    seconds=dock_to_stock_seconds(p.received_at, p.put_away_at),
                )
                for p in page
            ],
            summary=pa.DockToStockSummary(
                plates=figures.plates,
                waiting=figures.waiting,
                median_s=figures.median_s,
                p90_s=figures.p90_s,
                max_s=figures.max_s,
            ),
        )
