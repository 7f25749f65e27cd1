"""Counting a location at the station, blind: scan the location, each item (or one item and
a quantity), finish; the count goes to the server as a `count.finished` event.

Blind by construction: the station is never told what the book holds (the server's count
task has no quantity), so nothing here could show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toteflow.contracts import counts as cc
from toteflow.domain.errors import ServiceError
from toteflow.domain.receiving import (
    CaseReading,
    ReadingRefused,
    Tracking,
    add_scan,
    read_case,
    with_tracking,
)
from toteflow.domain.scan_results import LocationScan, ScanResult
from toteflow.domain.words import plural
from toteflow.station.ports.counts import CountServer
from toteflow.station.ports.store import StationUnitOfWorkFactory
from toteflow.station.services.events import record
from toteflow.station.services.login import Person, ServerUnreachable
from toteflow.station.services.receiving.home import without_symbology
from toteflow.station.services.receiving.lookups import ReceivingLookups

COUNT_FINISHED = "count.finished"
PAGE = 500
# A catalogue larger than this is not copied to the station whole.
CATALOGUE_LIMIT = 50_000
Key = tuple[str, str, date | None]


@dataclass(frozen=True)
class CountOutcome:
    ok: bool
    headline: str
    detail: str = ""
    done: bool = False


@dataclass
class CountedLine:
    sku: str
    description: str
    lot: str
    expiry: date | None
    quantity: int

    def words(self) -> str:
        lot = f" lot {self.lot}" if self.lot else ""
        expiry = f" exp {self.expiry.isoformat()}" if self.expiry else ""
        return f"{self.quantity:>6}  {self.sku}{lot}{expiry}  {self.description[:30]}"


@dataclass
class CountDesk:
    """One counter's counts: the open ones from the server, and the one being counted."""

    person: Person
    uow: StationUnitOfWorkFactory
    read: Callable[[str], ScanResult]
    server: CountServer | None = None
    on_recorded: Callable[[], None] | None = None
    tasks: list[cc.CountTask] = field(default_factory=list)
    current: cc.CountTask | None = None
    lines: dict[Key, CountedLine] = field(default_factory=dict)
    # A label read that still needs its lot or expiry label (GS1 on two labels).
    pending: CaseReading | None = None
    # The last scan's line and the units one scan stood for, for F4 (a quantity of cases).
    last: tuple[Key, int] | None = None
    # Counts finished here, not yet known to the server as finished: never offered again.
    sent: set[int] = field(default_factory=set)
    catalogue_kept: bool = False

    async def refresh(self) -> str:
        """The open counts from the server; offline, the list as last fetched (said why)."""
        if self.server is None:
            return "this station has no server to take counts from"
        try:
            found = await self.server.open_counts(self.person.session_token)
        except ServerUnreachable:
            return "offline: the counts as last fetched; finished counts are sent later"
        except ServiceError as exc:
            return str(exc)
        self.tasks = [t for t in found if t.id not in self.sent]
        if found and not self.catalogue_kept:
            # Any product may be on a shelf: the catalogue is kept here, so a count can be
            # made (and finished) with the server out of reach.
            await self._keep_catalogue()
        return ""

    async def _keep_catalogue(self) -> None:
        assert self.server is not None
        offset = 0
        while offset < CATALOGUE_LIMIT:
            page = await self.server.products(self.person.session_token, offset, PAGE)
            ReceivingLookups(self.uow).keep_products(page)
            if len(page) < PAGE:
                break
            offset += PAGE
        self.catalogue_kept = True

    def prompt(self) -> str:
        if self.current is None:
            return "Scan the location to count"
        if self.pending is not None:
            return self.pending.prompt()
        return f"Counting {self.current.location}: scan each item (F4 quantity), F10 finished"

    def expected_scan(self) -> str | None:
        """The demo scanner's next label: the first open count's location."""
        if self.current is None and self.tasks:
            return self.tasks[0].location
        return None

    def scan(self, raw: str) -> CountOutcome:
        result = self.read(raw)
        if self.current is None:
            return self._start(result, raw)
        if isinstance(result, LocationScan):
            if result.code == self.current.location:
                return CountOutcome(True, "SAME LOCATION", self.prompt())
            return CountOutcome(
                False,
                "FINISH FIRST",
                f"you are counting {self.current.location}: F10 finishes it, Escape leaves it",
            )
        return self._item(result)

    def _start(self, result: ScanResult, raw: str) -> CountOutcome:
        code = result.code if isinstance(result, LocationScan) else without_symbology(raw)
        task = next((t for t in self.tasks if t.location == code), None)
        if task is None:
            if not isinstance(result, LocationScan):
                return CountOutcome(False, "LOCATION FIRST", "scan the label of a location")
            return CountOutcome(False, "NO COUNT HERE", f"{code} has no open count for you")
        self.current, self.lines, self.pending, self.last = task, {}, None, None
        why = "recount" if task.recount else task.reason.replace("_", " ")
        return CountOutcome(True, "COUNT", f"{task.location} ({why}): {self.prompt()}")

    def _item(self, result: ScanResult) -> CountOutcome:
        if self.pending is not None:
            reading = add_scan(self.pending, result, self._tracking(self.pending))
        else:
            reading = read_case(result)
        if isinstance(reading, ReadingRefused):
            return CountOutcome(False, "NOT COUNTED", reading.reason)
        if reading.gtin is None:
            why = "a pallet label" if reading.sscc else "that label names no item"
            return CountOutcome(False, "NOT COUNTED", f"{why}: scan each item's barcode")
        found = ReceivingLookups(self.uow).product_by_gtin(reading.gtin)
        if found is None:
            self.pending = None
            return CountOutcome(
                False,
                "UNKNOWN ITEM",
                f"{reading.gtin} is not in this station's catalogue: set it aside and tell "
                "a supervisor",
            )
        product, unit = found
        tracking = Tracking(product.lot_tracked, product.expiry_tracked)
        reading = with_tracking(reading, tracking)
        if not reading.complete:
            self.pending = reading
            return CountOutcome(True, "NEXT LABEL", f"{product.sku}: {reading.prompt()}")
        self.pending = None
        key: Key = (
            product.sku,
            (reading.lot or "") if product.lot_tracked else "",
            reading.expiry if product.expiry_tracked else None,
        )
        per_scan = unit.units * reading.units
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = CountedLine(
                product.sku, product.description, key[1], key[2], 0
            )
        line.quantity += per_scan
        self.last = (key, per_scan)
        return CountOutcome(True, "COUNTED", f"+{per_scan} {product.sku}: {line.quantity} so far")

    def _tracking(self, reading: CaseReading) -> Tracking:
        found = ReceivingLookups(self.uow).product_by_gtin(reading.gtin) if reading.gtin else None
        return Tracking(found[0].lot_tracked, found[0].expiry_tracked) if found else Tracking()

    def set_quantity(self, quantity: int) -> CountOutcome:
        """The last scan stood for `quantity` of what it scanned (cases counted by one scan)."""
        if self.last is None:
            return CountOutcome(False, "SCAN FIRST", "scan one of the items, then F4")
        if not 1 <= quantity <= 100_000:
            return CountOutcome(False, "NOT A QUANTITY", "type a number from 1 to 100,000")
        key, per_scan = self.last
        line = self.lines[key]
        line.quantity += per_scan * (quantity - 1)
        self.last = (key, per_scan * quantity)
        return CountOutcome(True, "COUNTED", f"{line.sku}: {line.quantity} so far")

    def counted(self) -> list[CountedLine]:
        return [self.lines[k] for k in sorted(self.lines, key=lambda k: (k[0], k[1], str(k[2])))]

    def finish(self) -> CountOutcome:
        """Send the count (an outbox event: it goes now, or when the station is back online)."""
        task = self.current
        if task is None:
            return CountOutcome(False, "NOTHING TO FINISH", self.prompt())
        if self.pending is not None:
            return CountOutcome(False, "LABEL MISSING", f"{self.pending.prompt()}, then F10")
        items: list[dict[str, Any]] = [
            {
                "sku": line.sku,
                "lot": line.lot,
                "expiry": line.expiry.isoformat() if line.expiry else None,
                "quantity": line.quantity,
            }
            for line in self.counted()
        ]
        payload = {"count_id": task.id, "items": items}
        try:
            with self.uow() as uow:
                record(uow, self.person.user_id, COUNT_FINISHED, payload)
                uow.commit()
        except (ServiceError, ValueError) as exc:
            return CountOutcome(False, "NOT SENT", str(exc))
        if self.on_recorded is not None:
            self.on_recorded()
        units = sum(line.quantity for line in self.lines.values())
        self.sent.add(task.id)
        self.tasks = [t for t in self.tasks if t.id != task.id]
        self.current, self.lines, self.last = None, {}, None
        found = plural(units, "unit") if units else "empty"
        return CountOutcome(True, "COUNT SENT", f"{task.location}: {found}", done=True)

    def leave(self) -> None:
        """Stop counting this location; nothing is sent, it stays open."""
        self.current, self.lines, self.pending, self.last = None, {}, None, None
