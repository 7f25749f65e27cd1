"""Stock moved by hand between locations: which position moves, and whether it may go there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from toteflow.domain.putaway_rules import (
    NOTHING_HELD,
    PICK_FACE,
    RESERVE,
    Location,
    Plate,
    mixing_allows,
    room_for,
)
from toteflow.domain.reservations import Held
from toteflow.domain.words import plural

STORABLE = (PICK_FACE, RESERVE)
# A stock position holds at most this many units (the wire's Quantity limit).
MOST_UNITS = 1_000_000


@dataclass(frozen=True)
class Position:
    """Stock of one SKU, lot and expiry at a location, with what orders hold of it."""

    sku: str
    lot: str
    expiry: date | None
    quantity: int
    reserved: int

    @property
    def free(self) -> int:
        return max(0, self.quantity - self.reserved)


@dataclass(frozen=True)
class MoveCheck:
    """Whether a move may be made; `words` says why not, or what moves."""

    allowed: bool
    words: str


def choose_position(
    positions: Sequence[Position], source: str, sku: str, lot: str | None
) -> Position | str:
    """The position at `source` a move takes from, or a sentence saying why there is none.

    `lot` None: the item was scanned without one; that is enough only while the source holds
    one lot of the SKU. Of one lot with several expiry dates, the earliest goes first.
    """
    of_sku = [p for p in positions if p.sku == sku and p.quantity > 0]
    if not of_sku:
        return f"there is no {sku} at {source}"
    if lot is not None:
        found = [p for p in of_sku if p.lot == lot]
        if not found:
            lots = ", ".join(sorted({p.lot or "without a lot" for p in of_sku}))
            shown = f"lot {lot}" if lot else "without a lot"
            return f"there is no {sku} {shown} at {source} (it holds {lots})"
        of_sku = found
    elif len({p.lot for p in of_sku}) > 1:
        lots = ", ".join(sorted(p.lot or "none" for p in of_sku))
        return f"{source} holds {sku} of several lots ({lots}): scan the label with the lot"
    return min(of_sku, key=lambda p: (p.expiry or date.max, -p.free))


def check_move(
    source: str,
    position: Position | None,
    moving: Plate,
    destination: Location | None,
    *,
    active: bool = True,
    held: Held = NOTHING_HELD,
    room_known: bool = True,
) -> MoveCheck:
    """Whether `moving.quantity` units of `position` at `source` may go to `destination`.

    Never below what orders hold at the source; only to an active pick face or reserve
    location; the destination's mixing rule and (when `room_known`: its sizes and the unit's
    are known) its room by volume, weight and a face's maximum, less what live reservations
    of other plates hold there (`held`). The server decides with all of it; a station
    offline checks with what its copy holds.
    """
    units = moving.quantity
    if units < 1:
        return MoveCheck(False, f"move at least 1 unit, not {units}")
    if units > MOST_UNITS:
        return MoveCheck(False, f"move at most {MOST_UNITS:,} units at once, not {units:,}")
    if destination is None:
        return MoveCheck(False, "unknown destination: scan a location label")
    if destination.code == source:
        return MoveCheck(False, f"the stock is at {source} already: scan another location")
    if destination.kind not in STORABLE or not active:
        state = "an inactive" if not active else f"a {destination.kind}"
        return MoveCheck(
            False,
            f"{destination.code} is {state} location: move stock to an active pick face or "
            "reserve location",
        )
    if position is None:
        return MoveCheck(False, f"there is no {moving.sku} at {source}")
    if units > position.free:
        held_words = f", {position.reserved} reserved for orders" if position.reserved else ""
        return MoveCheck(
            False,
            f"only {plural(position.free, 'unit')} of {moving.sku} free to move from {source} "
            f"({position.quantity} on hand{held_words})",
        )
    have = sum(
        c.quantity
        for c in destination.contents
        if c.sku == moving.sku and (c.lot or "") == (moving.lot or "")
    )
    if have + units > MOST_UNITS:
        return MoveCheck(
            False,
            f"{destination.code} would hold {have + units:,} of {moving.sku}: a stock position "
            f"holds at most {MOST_UNITS:,} units",
        )
    if not room_known:
        if destination.home_sku is not None and destination.home_sku != moving.sku:
            return MoveCheck(False, f"{destination.code} is another product's pick face")
        if not mixing_allows(moving, destination, held):
            return MoveCheck(False, f"{destination.code} holds what this may not mix with")
        return MoveCheck(True, _words(moving, source, destination.code))
    room = room_for(moving, destination, held)
    if room.units >= units:
        return MoveCheck(True, _words(moving, source, destination.code))
    if room.why_not:
        return MoveCheck(False, f"{destination.code} is {room.why_not}: choose another location")
    return MoveCheck(
        False,
        f"{destination.code} has room for {room.units} of the {units}: move fewer or choose "
        "another location",
    )


def _words(moving: Plate, source: str, destination: str) -> str:
    lot = f" lot {moving.lot}" if moving.lot else ""
    return f"{plural(moving.quantity, 'unit')} of {moving.sku}{lot} from {source} to {destination}"
