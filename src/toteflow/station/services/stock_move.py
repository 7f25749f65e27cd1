"""Moving stock by hand at the station: scan the source, the item (or plate), the destination.

Each item scan adds its units (a case its pack size; a typed quantity replaces the count).
The move is checked by the domain's `check_move` against this station's copy (asked afresh
of the server while it answers), then recorded with its `stock.moved_by_hand` event and the
copy's change in one transaction; the server decides again when the event arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from toteflow.contracts import stock as st
from toteflow.domain.errors import NotFound, ServiceError
from toteflow.domain.putaway_rules import (
    RESERVE,
    Content,
    Location,
    Mixing,
    Plate,
    Size,
)
from toteflow.domain.roles import Permission, allows
from toteflow.domain.scan_results import ScanResult
from toteflow.domain.stock_moves import MOST_UNITS, Position, check_move, choose_position
from toteflow.domain.words import plural
from toteflow.station.ports.stock import HandMoveRecord, StockServer
from toteflow.station.ports.store import StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.events import record
from toteflow.station.services.login import Person, ServerUnreachable
from toteflow.station.services.stock_cache import keep_item
from toteflow.station.services.stock_inquiry import Scanned, local_sku, read_stock_scan

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MoveOutcome:
    ok: bool
    headline: str
    detail: str = ""
    done: bool = False


@dataclass
class HandMoveDesk:
    person: Person
    uow: StationUnitOfWorkFactory
    read: Callable[[str], ScanResult]
    server: StockServer | None = None
    on_recorded: Callable[[], None] | None = None
    clock: Clock = _now
    source: str | None = None
    sku: str | None = None
    lot: str | None = None
    units: int = 0
    plate: str | None = None
    typed: bool = False

    @property
    def allowed(self) -> bool:
        return allows(self.person.role, Permission.MOVE_STOCK)

    def prompt(self) -> str:
        if self.source is None:
            return "Scan the location to move stock from"
        if self.sku is None:
            return f"From {self.source}: scan the item (or the plate)"
        return "Scan more of the item, F3 for a quantity, or the destination location"

    def _next(self) -> str:
        # The prompt after a semicolon: its first letter small, its key names kept.
        prompt = self.prompt()
        return prompt[:1].lower() + prompt[1:]

    def demo_scan(self) -> str | None:
        """The demo key's next label, from this station's copy: a location with free stock,
        one unit of an item there, then a known location that takes it (empty, or holding
        the same item and lot)."""
        with self.uow() as uow:
            if self.source is None:
                free = uow.stock.free_positions(20)
                storable = [p for p in free if p.location_kind in ("pick_face", "reserve")]
                return storable[0].location if storable else None
            if self.sku is None:
                here = [p for p in uow.stock.at_location(self.source) if p.quantity > p.reserved]
                if not here:
                    return None
                product = uow.catalogue.product(here[0].sku)
                units = sorted(product.units, key=lambda u: u.units) if product else []
                return units[0].barcode if units else here[0].sku
            for place in uow.stock.places():
                at = place.location
                if at.code == self.source or not at.active:
                    continue
                if at.kind not in ("pick_face", "reserve") or at.home_sku not in (None, self.sku):
                    continue
                held = {(p.sku, p.lot) for p in uow.stock.at_location(at.code)}
                if held <= {(self.sku, self.lot or "")}:
                    return at.code
        return None

    def holding(self) -> str:
        """What is being moved, in words: '4 units of SKU-A lot L1 from 01-001-3'."""
        if self.source is None:
            return "Nothing scanned yet."
        if self.sku is None:
            return f"from {self.source}"
        lot = f" lot {self.lot}" if self.lot else ""
        plate = f" (plate {self.plate})" if self.plate else ""
        return f"{plural(self.units, 'unit')} of {self.sku}{lot}{plate} from {self.source}"

    def reset(self) -> None:
        self.source, self.sku, self.lot, self.units, self.plate, self.typed = (
            None,
            None,
            None,
            0,
            None,
            False,
        )

    def set_quantity(self, units: int) -> MoveOutcome:
        if self.sku is None:
            return MoveOutcome(False, "ITEM FIRST", self.prompt())
        if not 1 <= units <= MOST_UNITS:
            return MoveOutcome(False, "NOT A QUANTITY", f"type 1 to {MOST_UNITS:,}, not {units}")
        self.units, self.typed = units, True
        return MoveOutcome(True, "QUANTITY", self.holding())

    async def scan(self, raw: str) -> MoveOutcome:
        if not self.allowed:
            return MoveOutcome(False, "NOT ALLOWED", "your role may look up stock, not move it")
        with self.uow() as uow:
            scanned = read_stock_scan(uow, raw, self.read(raw))
        if scanned.kind == "":
            return MoveOutcome(False, "NOT RECOGNISED", f"{scanned.problem}: {self.prompt()}")
        if scanned.kind == "location":
            if self.sku is None:
                return await self._from(scanned.code)
            return await self._to(scanned.code)
        if self.source is None:
            return MoveOutcome(False, "LOCATION FIRST", self.prompt())
        if scanned.kind == "plate":
            return await self._plate(scanned.code)
        return self._item(await self._known(scanned))

    async def _known(self, scanned: Scanned) -> Scanned:
        """The item as its SKU: a barcode this station does not know is asked of the server
        (and the product kept, with where it is)."""
        with self.uow() as uow:
            if uow.catalogue.product(scanned.code) is not None or self.server is None:
                return scanned
        found = None
        for code in filter(None, (scanned.code, scanned.also)):
            try:
                found = await self.server.item(code, self.person.session_token)
                break
            except NotFound:
                continue
            except ServiceError:
                break  # offline: the check below (or the server) says so
        if found is None:
            return scanned
        with self.uow() as uow:
            keep_item(uow, found, self.clock())
            uow.commit()
            # Now known here: a case's barcode counts its pack size.
            pack = local_sku(uow, scanned.code)
        units = pack[1] if pack is not None and scanned.units == 1 else scanned.units
        return Scanned("item", found.sku, scanned.lot, units)

    async def _from(self, code: str) -> MoveOutcome:
        answered = await self._refresh(code)
        if answered is not None:
            return MoveOutcome(False, "NOT KNOWN", answered)
        with self.uow() as uow:
            lines = uow.stock.at_location(code)
        self.source, self.sku, self.units, self.plate, self.typed = code, None, 0, None, False
        held = (
            ", ".join(f"{p.quantity} {p.sku}" for p in lines[:3]) or "nothing this station knows of"
        )
        return MoveOutcome(True, f"FROM {code}", f"holds {held}; {self._next()}")

    async def _plate(self, code: str) -> MoveOutcome:
        if self.server is not None:
            try:
                found = await self.server.plate(code, self.person.session_token)
                with self.uow() as uow:
                    uow.stock.keep_plate(found, self.clock())
                    uow.commit()
            except ServerUnreachable:
                pass
            except ServiceError as exc:
                return MoveOutcome(False, "NOT KNOWN", str(exc))
        with self.uow() as uow:
            plate = uow.stock.plate(code)
        if plate is None:
            return MoveOutcome(False, "NOT KNOWN", f"this station has not seen plate {code}")
        if plate.location != self.source:
            return MoveOutcome(
                False, "NOT HERE", f"plate {code} is at {plate.location}, not {self.source}"
            )
        self.sku, self.lot, self.units, self.plate = plate.sku, plate.lot, plate.quantity, code
        return MoveOutcome(True, "PLATE", f"{self.holding()}; scan the destination")

    def _item(self, scanned: Scanned) -> MoveOutcome:
        if self.plate is not None:
            return MoveOutcome(False, "PLATE TAKEN", "the whole plate moves: scan the destination")
        if self.sku is not None and scanned.code != self.sku:
            return MoveOutcome(
                False, "ANOTHER ITEM", f"moving {self.sku}: scan it, or the destination"
            )
        if self.sku is not None and scanned.lot is not None and scanned.lot != (self.lot or ""):
            return MoveOutcome(
                False, "ANOTHER LOT", f"moving lot {self.lot or 'none'}: one lot at a time"
            )
        if self.sku is None:
            self.sku, self.lot = scanned.code, scanned.lot
        if self.units + scanned.units > MOST_UNITS:
            return MoveOutcome(False, "TOO MANY", f"at most {MOST_UNITS:,} units at once")
        self.units = scanned.units if self.typed else self.units + scanned.units
        self.typed = False
        return MoveOutcome(True, "ITEM", f"{self.holding()}; {self._next()}")

    async def _refresh(self, code: str) -> str | None:
        """The freshest view of a location to check against: the server's, kept as the copy.
        The server's refusal when it knows no such location; None otherwise (offline, the
        copy, or its absence, is checked against)."""
        if self.server is None:
            return None
        try:
            found = await self.server.location(code, self.person.session_token)
        except ServerUnreachable:
            return None
        except ServiceError as exc:
            return str(exc)
        with self.uow() as uow:
            uow.stock.keep_location(found, self.clock())
            uow.commit()
        return None

    async def _to(self, code: str) -> MoveOutcome:
        assert self.source is not None
        assert self.sku is not None
        await self._refresh(self.source)
        if (answered := await self._refresh(code)) is not None:
            return MoveOutcome(False, "NOT KNOWN", answered)
        try:
            with self.uow() as uow:
                outcome = self._check(uow, code)
                if not outcome.ok:
                    return outcome
                self._record(uow, code)
                uow.commit()
        except (ServiceError, ValueError) as exc:
            return MoveOutcome(False, "REFUSED", str(exc))
        if self.on_recorded is not None:
            self.on_recorded()
        self.reset()
        return MoveOutcome(True, "MOVED", outcome.detail, done=True)

    def _check(self, uow: StationUnitOfWork, code: str) -> MoveOutcome:
        assert self.source is not None
        assert self.sku is not None
        source_place = uow.stock.place(self.source)
        seen = uow.stock.at_location(self.source)
        positions = [Position(p.sku, p.lot, p.expiry, p.quantity, p.reserved) for p in seen]
        unchecked = source_place is None and not any(p.sku == self.sku for p in seen)
        if unchecked:
            # This station was never told what the source holds: the server decides.
            chosen = Position(self.sku, self.lot or "", None, MOST_UNITS, 0)
        else:
            picked = choose_position(positions, self.source, self.sku, self.lot)
            if isinstance(picked, str):
                return MoveOutcome(False, "REFUSED", picked)
            chosen = picked
        if self.units < 1:
            return MoveOutcome(False, "HOW MANY?", "scan the item, or F3 for a quantity")
        destination, active, room_known = self._destination(uow, code)
        product = uow.catalogue.product(self.sku)
        unit = next((u for u in product.units if u.units == 1), None) if product else None
        moving = Plate(
            plate=self.plate or "",
            sku=self.sku,
            quantity=self.units,
            unit=Size(unit.length_mm, unit.width_mm, unit.height_mm) if unit else Size(0, 0, 0),
            unit_weight_g=unit.weight_g if unit else 0,
            # The station keeps no product storage class: the destination's is assumed.
            storage_class=destination.storage_class if destination else "ambient",
            lot=chosen.lot or None,
        )
        check = check_move(
            self.source,
            chosen,
            moving,
            destination,
            active=active,
            room_known=room_known and unit is not None,
        )
        if not check.allowed:
            return MoveOutcome(False, "REFUSED", check.words)
        self.lot = chosen.lot
        note = ""
        if unchecked or not room_known:
            note = " (checked against what this station knows: the server decides)"
        return MoveOutcome(True, "MOVED", f"{check.words}{note}")

    def _destination(self, uow: StationUnitOfWork, code: str) -> tuple[Location | None, bool, bool]:
        place = uow.stock.place(code)
        contents = tuple(
            Content(p.sku, p.lot or None, p.quantity) for p in uow.stock.at_location(code)
        )
        if place is not None:
            at = place.location
            return (
                Location(
                    code=at.code,
                    kind=at.kind,
                    storage_class=at.storage_class,
                    size=Size(at.length_mm, at.width_mm, at.height_mm),
                    max_weight_g=at.max_weight_g,
                    upright_allowed=at.upright_allowed,
                    mixing=Mixing(at.mixing),
                    contents=self._sized(uow, contents),
                    home_sku=at.home_sku,
                    max_quantity=at.max_quantity,
                ),
                at.active,
                True,
            )
        cached = uow.catalogue.location(code)
        if cached is None:
            # A location label this station was never told of (offline): the server decides.
            return Location(code, kind=RESERVE, mixing=Mixing.MIXED, contents=contents), True, False
        # Only the kind is known: mixing is not checked offline, room neither.
        return (
            Location(code, kind=cached.kind, mixing=Mixing.MIXED, contents=contents),
            cached.active,
            False,
        )

    @staticmethod
    def _sized(uow: StationUnitOfWork, contents: tuple[Content, ...]) -> tuple[Content, ...]:
        sized = []
        for c in contents:
            product = uow.catalogue.product(c.sku)
            unit = next((u for u in product.units if u.units == 1), None) if product else None
            volume = unit.length_mm * unit.width_mm * unit.height_mm if unit else 0
            sized.append(Content(c.sku, c.lot, c.quantity, volume, unit.weight_g if unit else 0))
        return tuple(sized)

    def _record(self, uow: StationUnitOfWork, code: str) -> None:
        assert self.source is not None
        assert self.sku is not None
        payload = st.MoveRequest(
            from_location=self.source,
            to_location=code,
            sku=self.sku,
            lot=self.lot,
            quantity=self.units,
            plate=self.plate,
        ).model_dump(mode="json")
        uow.stock.moved(
            HandMoveRecord(
                self.source, code, self.sku, self.lot or "", None, self.units, self.plate
            ),
            self.clock(),
        )
        record(uow, self.person.user_id, st.STOCK_MOVED_BY_HAND, payload, event_id=uuid4())
