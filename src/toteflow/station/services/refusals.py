"""Events the server refused, and units picked for an order since cancelled, at the station:
each with its reason, resolved by a person."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.errors import NotFound, Refused, ServiceError
from toteflow.domain.put_back import CANCELLED_PICK, PUT_BACK, PUTS_BACK
from toteflow.domain.scan import LocationScan, ScanError, ScanResult, label_name
from toteflow.domain.words import plural
from toteflow.station.ports.store import StationException, StationUnitOfWork
from toteflow.station.services.events import FloorActions, StationView, record

_WHAT = {
    "pick.confirmed": "pick",
    "pick.shorted": "short",
    "pick.undone": "undo",
    "tote.closed": "tote closed",
    "tote.assigned": "tote",
    "task.completed": "task completed",
    PUT_BACK: "put-back",
    "receipt.case_received": "case received",
    "receipt.pallet_received": "pallet received",
    "receipt.not_on_notice": "item not on the notice",
    "receipt.line_closed": "short line closed",
    "receipt.finished": "receipt finished",
    "putaway.confirmed": "put-away",
    "stock.moved_by_hand": "stock move",
}


@dataclass(frozen=True)
class Refusal:
    """One open exception as the picker reads it: what was refused, why, what to do."""

    id: int
    what: str
    reason: str
    # Units in a tote that the server never counted as picked: 0 when none.
    units: int
    sku: str
    description: str
    order_reference: str
    taken_from: str
    tote: str
    # Picked and applied before the order was cancelled: the server's books took them off.
    cancelled: bool = False
    # A refused move by hand: what to do with the units moved (the books keep them put).
    move_back: str = ""

    @property
    def to_do(self) -> str:
        if self.move_back:
            return self.move_back
        if self.units:
            tote = f" from tote {self.tote}" if self.tote else ""
            return (
                f"take the {self.units} x {self.sku}{tote}, put them back at {self.taken_from} "
                "(or on a put-back shelf) and scan that location"
            )
        return "see to it (or tell a supervisor), then press F2"

    @property
    def headline(self) -> str:
        order = f" · order {self.order_reference}" if self.order_reference else ""
        units = f" {self.units} x {self.sku}" if self.units else ""
        if self.cancelled:
            return f"Order {self.order_reference} cancelled:{units} picked"
        return f"Refused {self.what}{units}{order}"


@dataclass(frozen=True)
class Waiting:
    """What waits for a person at this station: events the server refused, and units picked
    for orders cancelled since (nothing was refused there: they only go back on a shelf)."""

    refused: int
    put_backs: int

    @property
    def total(self) -> int:
        return self.refused + self.put_backs

    @property
    def headline(self) -> str:
        if self.refused and self.put_backs:
            return "REFUSED EVENTS AND PUT-BACKS"
        return "REFUSED BY THE SERVER" if self.refused else "PUT UNITS BACK"

    @property
    def words(self) -> str:
        """'1 event refused by the server', '2 picks for cancelled orders to put back', both."""
        parts = []
        if self.refused:
            parts.append(f"{plural(self.refused, 'event')} refused by the server")
        if self.put_backs:
            orders = "a cancelled order" if self.put_backs == 1 else "cancelled orders"
            parts.append(f"{plural(self.put_backs, 'pick')} for {orders} to put back")
        return " and ".join(parts)


@dataclass(frozen=True)
class Resolved:
    ok: bool
    headline: str
    detail: str


def _units(found: StationException) -> int:
    quantity = found.payload.get("quantity")
    refused_pick = found.event_type == PUTS_BACK and bool(found.event_id)
    ok = refused_pick or found.kind == CANCELLED_PICK
    return quantity if ok and isinstance(quantity, int) and quantity > 0 else 0


def _move_back(found: StationException) -> str:
    if found.event_type != "stock.moved_by_hand":
        return ""
    p = found.payload
    what = f"{p.get('quantity') or 'the'} x {p.get('sku') or 'units'}"
    return (
        f"the server's books keep them at {p.get('from_location')}: take the {what} from "
        f"{p.get('to_location')} back there (or tell a supervisor), then press F2"
    )


class RefusalDesk:
    """The refusals of this station, and the two ways a person resolves one."""

    def __init__(self, user_id: int | None, floor: FloorActions, view: StationView) -> None:
        self.user_id = user_id
        self.floor = floor
        self.view = view

    def open(self) -> list[Refusal]:
        """The unresolved ones, oldest first."""
        with self.floor.uow() as uow:
            return [self._refusal(uow, found) for found in uow.exceptions.list(open_only=True)]

    def count(self) -> int:
        with self.floor.uow() as uow:
            return uow.exceptions.count_open()

    def waiting(self) -> Waiting:
        """The open ones by what they ask of a person."""
        with self.floor.uow() as uow:
            found = uow.exceptions.list(open_only=True)
        put_backs = sum(1 for f in found if f.kind == CANCELLED_PICK)
        return Waiting(refused=len(found) - put_backs, put_backs=put_backs)

    def _refusal(self, uow: StationUnitOfWork, found: StationException) -> Refusal:
        payload = found.payload
        line_id = payload.get("task_line_id")
        view = uow.tasks.line(line_id) if isinstance(line_id, int) else None
        return Refusal(
            id=found.id,
            what=_WHAT.get(found.event_type, found.event_type),
            reason=found.reason,
            units=_units(found),
            sku=view.line.sku if view else str(payload.get("sku", "")),
            description=view.line.description if view else "",
            order_reference=view.line.order_reference if view else "",
            taken_from=str(payload.get("location") or ""),
            tote=str(payload.get("tote") or ""),
            cancelled=found.kind == CANCELLED_PICK,
            move_back=_move_back(found),
        )

    def put_back(self, exception_id: int, scan: ScanResult) -> Resolved:
        """The units of a refused (or cancelled) pick are on the shelf whose label was scanned.

        The put-back is an event in the outbox (the server moves the stock there, once) and
        the exception is resolved in the same transaction: it cannot be put back twice. It
        names the refused event, or the server's exception for a cancelled pick.
        """
        if isinstance(scan, ScanError):
            return Resolved(False, "NOT ACCEPTED", scan.reason)
        if not isinstance(scan, LocationScan):
            return Resolved(
                False,
                "NOT ACCEPTED",
                f"scan the label of the shelf where you put them: that was a {label_name(scan)}",
            )
        where = scan.code
        try:
            with self.floor.uow() as uow:
                found = uow.exceptions.get(exception_id)
                if found is None:
                    raise NotFound(f"there is no exception {exception_id} at this station")
                if found.resolved:
                    raise Refused("this one is resolved already")
                units = _units(found)
                if not units:
                    raise Refused("nothing to put back for this one: press F2 once it is seen to")
                words = f"put {units} back at {where}"
                answers: dict[str, object] = (
                    {"exception_id": found.payload.get("exception_id")}
                    if found.kind == CANCELLED_PICK
                    else {"refused_event": found.event_id}
                )
                record(
                    uow,
                    self.user_id,
                    PUT_BACK,
                    {
                        **answers,
                        "task_line_id": found.payload.get("task_line_id"),
                        "quantity": units,
                        "location": where,
                        "taken_from": found.payload.get("location"),
                    },
                    lambda u: u.exceptions.resolve(
                        exception_id, self.user_id, words, self.floor.clock()
                    ),
                    now=self.floor.clock,
                )
                uow.commit()
        except ServiceError as refusal:
            return Resolved(False, "NOT ACCEPTED", str(refusal))
        if self.floor.on_recorded is not None:
            self.floor.on_recorded()
        return Resolved(
            True, f"PUT BACK AT {where} ✓", f"{plural(units, 'unit')}: the server is told"
        )

    def seen_to(self, exception_id: int) -> Resolved:
        """A refusal with nothing to put back (a tote, a task move): a person saw to it."""
        try:
            with self.floor.uow() as uow:
                found = uow.exceptions.get(exception_id)
            if found is not None and not found.resolved and _units(found):
                raise Refused("put the units back first: scan the shelf where you put them")
            self.view.resolve_exception(exception_id, self.user_id, "seen to at the station")
        except ServiceError as refusal:
            return Resolved(False, "NOT ACCEPTED", str(refusal))
        return Resolved(True, "RESOLVED ✓", "marked as seen to")
