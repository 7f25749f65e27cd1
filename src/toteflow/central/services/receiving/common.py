"""What every receipt use case shares: who receives, the notice locked open, plates written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from toteflow.central.ports.putaway import PlateRow
from toteflow.central.ports.receipts import LineRow, NoticeHead
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.notices import tell_stations
from toteflow.central.services.putaway.common import move_stock
from toteflow.central.services.putaway.receiving import Receipt, receive_to_plate
from toteflow.central.services.receiving.policy import ReceiptSettings, held_location
from toteflow.contracts import notices as n
from toteflow.contracts import receipts as r
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.plates import PlateStatus
from toteflow.domain.receipt_lines import LineState, LineStatus, ShortReason
from toteflow.domain.roles import Role
from toteflow.domain.words import plural

SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Receiver:
    """Who receives: the person (as an actor), their station, the pushed event if any."""

    actor: Actor
    settings: ReceiptSettings
    station_id: int | None = None
    event_id: str | None = None


def open_notice(uow: UnitOfWork, reference: str) -> NoticeHead:
    """The notice, locked for this receipt, still open to receive against."""
    head = uow.receipts.lock_notices([reference]).get(reference)
    if head is None:
        raise NotFound(f"no notice with reference {reference}")
    if head.status not in {s.value for s in n.OPEN_STATUSES}:
        raise Refused(f"notice {reference} is {head.status}: nothing more is received on it")
    return head


def dock_of(uow: UnitOfWork, given: str | None, head: NoticeHead | None) -> str:
    """Where sound units are received: the dock named, else the notice's, else the first."""
    found = given or (head.dock if head else None) or uow.receipts.first_location("dock")
    if not found:
        raise Refused("no dock named and none known: add a location of kind dock")
    return found


def started(uow: UnitOfWork, head: NoticeHead) -> None:
    """The notice goes from expected to receiving with its first case."""
    if head.status == n.NoticeStatus.EXPECTED.value:
        uow.notices.set_status(head.id, n.NoticeStatus.RECEIVING)


def supervisor(uow: UnitOfWork, user_id: int | None) -> int | None:
    """The approving supervisor's id, checked: an active user with the supervisor role."""
    if user_id is None:
        return None
    user = uow.people.get_user(user_id)
    if user is None or not user.active or user.role not in SUPERVISORS:
        raise Refused(
            f"user {user_id} is not an active supervisor: a quantity beyond the tolerance "
            "needs a supervisor's approval"
        )
    return user.id


def check_lot_expiry(
    uow: UnitOfWork, product_id: int, sku: str, lot: str, expiry: date | None
) -> None:
    """A lot has one expiry date: a lot received before with another one is refused."""
    if not lot:
        return
    known = uow.receipts.lot_expiries(product_id, lot) - {expiry}
    if known:
        other = sorted(str(day) for day in known)[0]
        given = expiry.isoformat() if expiry else "none"
        raise Refused(
            f"lot {lot} of {sku} was received before with expiry {other}, not {given}: "
            "check the label"
        )


def state_of(line: LineRow) -> LineState:
    return LineState(
        line_id=line.id,
        sku=line.sku,
        expected=line.expected,
        received=line.received,
        accepted=line.accepted,
        damaged=line.damaged,
        held=line.held,
        status=LineStatus(line.status),
        short_reason=ShortReason(line.short_reason) if line.short_reason else None,
    )


def tally(line: LineRow, state: LineState) -> r.LineTally:
    return r.LineTally(
        line_no=line.line_no,
        sku=line.sku,
        expected=state.expected,
        received=state.received,
        accepted=state.accepted,
        damaged=state.damaged,
        held=state.held,
        over=state.over,
        short=state.short,
        status="closed" if state.status is LineStatus.CLOSED else "open",
        short_reason=state.short_reason.value if state.short_reason else "",
    )


@dataclass(frozen=True)
class Portion:
    """Units of one receipt bound for one place: stock at the dock, quality hold, quarantine."""

    quantity: int
    where: str  # "dock", "quality" or "quarantine"
    hold: str | None = None
    damaged: bool = False  # damaged units: never on the station's plate (to_plates)


def to_plates(
    uow: UnitOfWork,
    who: Receiver,
    sku: str,
    lot: str,
    expiry: date | None,
    dock: str,
    plate: str | None,
    portions: list[Portion],
    at: datetime,
) -> list[r.ReceivedPlate]:
    """Each portion onto a plate of its own; the station's plate code goes to the first
    that is not damaged.

    A station keeps one plate for the cases of a receipt: a case of the same SKU, lot and
    expiry onto a plate already received at the same place, and not yet being put away,
    adds its units to it; a case of other goods (a plate holds one SKU and lot) goes onto a
    plate of the server's own, named in the result. Damaged units always go onto a plate
    of the server's own: the station counts them off its plate, so its plate code stays for
    the sound cases that follow (a first case wholly damaged must not make it a held plate).
    """
    written: list[r.ReceivedPlate] = []
    code = plate
    for portion in portions:
        if portion.quantity <= 0:
            continue
        if portion.damaged:
            code = None
        location = (
            dock if portion.where == "dock" else held_location(uow, who.settings, portion.where)
        )
        if code is not None and (existing := uow.putaway.plate(code, lock=True)) is not None:
            code = None
            if _takes_more(existing, sku, lot, expiry, location):
                written.append(_add_to_plate(uow, who, existing, portion.quantity))
                continue
        row = receive_to_plate(
            uow,
            who.actor,
            Receipt(
                sku=sku,
                quantity=portion.quantity,
                location=location,
                plate=code,
                lot=lot,
                expiry=expiry,
                hold=portion.hold,
                event_id=who.event_id,
            ),
            at,
        )
        written.append(
            r.ReceivedPlate(
                code=row.code,
                location=row.location,
                quantity=row.quantity,
                status=row.status,
                sku=sku,
                lot=lot,
                expiry=expiry,
            )
        )
        code = None
    return written


def _takes_more(plate: PlateRow, sku: str, lot: str, expiry: date | None, location: str) -> bool:
    return (
        plate.sku == sku
        and plate.lot == lot
        and plate.expiry == expiry
        and plate.location == location
        and plate.status in (PlateStatus.RECEIVED, PlateStatus.HELD)
        and plate.remaining == plate.quantity
    )


def _add_to_plate(uow: UnitOfWork, who: Receiver, plate: PlateRow, units: int) -> r.ReceivedPlate:
    if not uow.receipts.add_to_plate(plate.id, units, plate.status):
        raise Conflict(f"plate {plate.code} changed meanwhile: send the case again")
    move_stock(uow, plate, plate.location, units, note=f"received on plate {plate.code}")
    uow.audit.record(
        who.actor,
        "plate.received",
        "plate",
        plate.code,
        {
            "sku": plate.sku,
            "lot": plate.lot,
            "quantity": units,
            "location": plate.location,
            "added": True,
            "words": f"{plural(units, 'unit')} more of {plate.sku} on {plate.code}",
        },
        event_id=who.event_id,
    )
    return r.ReceivedPlate(
        code=plate.code,
        location=plate.location,
        quantity=plate.quantity + units,
        status=plate.status,
        sku=plate.sku,
        lot=plate.lot,
        expiry=plate.expiry,
    )


def case_row(
    who: Receiver,
    head: NoticeHead | None,
    *,
    kind: str,
    case_id: str,
    line_id: int | None,
    product_id: int | None,
    lot: str,
    expiry: date | None,
    quantity: int,
    accepted: int = 0,
    damaged: int = 0,
    held: int = 0,
    damage: dict[str, int] | None = None,
    plates: list[r.ReceivedPlate] | None = None,
    scanned: str = "",
    supervisor_id: int | None = None,
    at: datetime,
) -> dict[str, Any]:
    return {
        "notice_id": head.id if head else None,
        "line_id": line_id,
        "case_id": case_id,
        "kind": kind,
        "product_id": product_id,
        "scanned": scanned,
        "lot": lot,
        "expiry": expiry,
        "quantity": quantity,
        "accepted": accepted,
        "damaged": damaged,
        "held": held,
        "damage": damage or {},
        "plates": [p.code for p in plates or []],
        "station_id": who.station_id,
        "event_id": who.event_id,
        "supervisor_id": supervisor_id,
        "received_at": at,
    }


def announce(uow: UnitOfWork, references: set[str]) -> None:
    """Each notice touched, whole with its tallies, to the stations' feed (once per notice)."""
    for reference in sorted(references):
        notice = uow.notices.get(reference)
        if notice is not None:
            tell_stations(uow, notice)
