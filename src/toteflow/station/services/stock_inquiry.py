"""Stock inquiry by scan: what a location holds, where an item is, what is on a plate.

Asked of the server while it answers (and kept); from this station's copy when it does not,
saying so and how old the copy is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from toteflow.contracts import stock as st
from toteflow.domain.errors import NotFound, ServiceError
from toteflow.domain.plates import plate_code_problem
from toteflow.domain.scan_results import (
    PRODUCT_KINDS,
    Gs1Data,
    LocationScan,
    ScanError,
    ScanResult,
    SkuScan,
    product_gtin,
    sscc_of,
)
from toteflow.domain.words import plural
from toteflow.station.ports.stock import SeenPosition, StockServer
from toteflow.station.ports.store import StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.login import Person, ServerUnreachable
from toteflow.station.services.receiving.home import without_symbology
from toteflow.station.services.stock_cache import keep_item

Clock = Callable[[], datetime]
_GTIN_LENGTHS = (8, 12, 13, 14)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Scanned:
    """What a scan names for stock: a location, an item (SKU or barcode) or a plate."""

    kind: str  # "location", "item", "plate"; "" when it names none of them
    code: str
    lot: str | None = None
    units: int = 1
    problem: str = ""
    # Another code the item may go by (our label's whole code beside its SKU group).
    also: str = ""


def local_sku(uow: StationUnitOfWork, code: str) -> tuple[str, int] | None:
    """(SKU, units a scan of it is) of a cached product with this SKU or barcode; a GTIN
    scanned as 14 digits finds the barcode as printed (8, 12 or 13 digits)."""
    if uow.catalogue.product(code) is not None:
        return code, 1
    wanted = [code]
    if code.isdigit() and len(code) in _GTIN_LENGTHS:
        core = code.lstrip("0")
        wanted += [core.zfill(n) for n in _GTIN_LENGTHS if len(core) <= n]
    for barcode in wanted:
        found = uow.catalogue.product_by_barcode(barcode)
        if found is not None:
            return found[0].sku, found[1].units
    return None


def read_stock_scan(uow: StationUnitOfWork, raw: str, result: ScanResult) -> Scanned:
    """Which of the three a scan is: a plate (SSCC or LP label), a location, an item."""
    text = without_symbology(raw).strip()
    sscc = sscc_of(result)
    plate = sscc or text.upper()
    is_plate = (sscc or plate.startswith("LP")) and not plate_code_problem(plate)
    # A GS1 label with a GTIN as well as an SSCC is read as the item it carries.
    if is_plate and not (isinstance(result, Gs1Data) and result.gtin):
        return Scanned("plate", plate)
    if isinstance(result, LocationScan):
        return Scanned("location", result.code)
    if not isinstance(result, ScanError) and result.kind in PRODUCT_KINDS:
        lot = result.lot if isinstance(result, Gs1Data) else None
        count = result.count if isinstance(result, Gs1Data) and result.count else None
        if isinstance(result, SkuScan):
            # Our own label: its SKU group, or the whole code where that is the SKU.
            codes = [result.sku, result.code]
        else:
            gtin = product_gtin(result) or (
                result.content_gtin if isinstance(result, Gs1Data) else None
            )
            codes = [gtin] if gtin else []
        for code in codes:
            found = local_sku(uow, code)
            if found is not None:
                return Scanned("item", found[0], lot, count or found[1])
            if uow.stock.of_sku(code):
                return Scanned("item", code, lot, count or 1)
        if codes:
            also = codes[1] if len(codes) > 1 and codes[1] != codes[0] else ""
            return Scanned("item", codes[0], lot, count or 1, also=also)
        return Scanned("", text)
    if uow.catalogue.location(text) is not None or uow.stock.place(text) is not None:
        return Scanned("location", text)
    if text and (found := local_sku(uow, text)) is not None:
        return Scanned("item", found[0], None, found[1])
    if text and uow.stock.of_sku(text):
        return Scanned("item", text)
    reason = result.reason if isinstance(result, ScanError) else "not a stock label"
    return Scanned("", text, problem=reason)


@dataclass(frozen=True)
class StockAnswer:
    """What an inquiry found, for the screen: a headline, the positions, where it came from."""

    ok: bool
    headline: str
    detail: str = ""
    kind: str = ""
    key: str = ""
    lines: list[SeenPosition] = field(default_factory=list)
    # "" when the server answered just now; else how old this station's copy is.
    cached: str = ""


def age_words(seen: Sequence[datetime], now: datetime) -> str:
    """'from this station's copy, 12 min old (the server is not answering)'."""
    if not seen:
        return "from this station's copy (the server is not answering)"
    seconds = max(0, int((now - min(seen)).total_seconds()))
    if seconds < 60:
        age = "under a minute old"
    elif seconds < 3600:
        age = f"{seconds // 60} min old"
    elif seconds < 48 * 3600:
        age = f"{plural(seconds // 3600, 'hour')} old"
    else:
        age = f"{plural(seconds // 86400, 'day')} old"
    return f"from this station's copy, {age} (the server is not answering)"


def _summary(lines: Sequence[SeenPosition]) -> str:
    units = sum(p.quantity for p in lines)
    reserved = sum(p.reserved for p in lines)
    held = f", {reserved} reserved" if reserved else ""
    return f"{plural(len(lines), 'position')}, {plural(units, 'unit')}{held}"


@dataclass
class StockInquiry:
    person: Person
    uow: StationUnitOfWorkFactory
    read: Callable[[str], ScanResult]
    server: StockServer | None = None
    clock: Clock = _now

    def prompt(self) -> str:
        return "Scan a location, an item or a plate"

    def demo_scan(self, last: StockAnswer | None) -> str | None:
        """The demo key's next label: a location holding stock (from a task this person
        holds, else this station's copy), then an item there, then a plate of it."""
        with self.uow() as uow:
            if last is not None and last.kind == "location" and last.lines:
                product = uow.catalogue.product(last.lines[0].sku)
                units = sorted(product.units, key=lambda u: u.units) if product else []
                return units[0].barcode if units else last.lines[0].sku
            if last is not None and last.kind == "item" and last.lines:
                plates = [plate for p in last.lines for plate in p.plates]
                return plates[0] if plates else last.lines[-1].location
            for task in uow.tasks.held(self.person.user_id):
                for line in task.lines:
                    return line.location
            for place in uow.catalogue.locations():
                if place.active and place.kind in ("pick_face", "reserve"):
                    return place.code
        return None

    async def ask(self, raw: str) -> StockAnswer:
        with self.uow() as uow:
            scanned = read_stock_scan(uow, raw, self.read(raw))
        if scanned.kind == "" and scanned.code and self.server is not None:
            # A SKU or barcode this station has not cached: the server may know it.
            scanned = Scanned("item", scanned.code, problem=scanned.problem)
        if scanned.kind == "":
            return StockAnswer(
                False, "NOT RECOGNISED", f"{scanned.problem}: {self.prompt().lower()}"
            )
        try:
            if self.server is None:
                raise ServerUnreachable("no server is set up for this station")
            return await self._online(scanned)
        except ServerUnreachable:
            return self._offline(scanned)
        except ServiceError as exc:
            return StockAnswer(False, "NOT KNOWN", str(exc), scanned.kind, scanned.code)

    async def _online(self, scanned: Scanned) -> StockAnswer:
        assert self.server is not None
        token, now = self.person.session_token, self.clock()
        if scanned.kind == "location":
            found = await self.server.location(scanned.code, token)
            with self.uow() as uow:
                uow.stock.keep_location(found, now)
                uow.commit()
                lines = uow.stock.at_location(found.location.code)
            return self._location(found.location.code, found.location.kind, lines, "")
        if scanned.kind == "item":
            item = await self._item_of(scanned)
            with self.uow() as uow:
                keep_item(uow, item, now)
                uow.commit()
                lines = uow.stock.of_sku(item.sku)
            return self._item(item.sku, item.description, lines, "")
        plate = await self.server.plate(scanned.code, token)
        with self.uow() as uow:
            uow.stock.keep_plate(plate, now)
            uow.commit()
        return self._plate(
            plate.code, plate.status, plate.location, plate.sku, plate.lot, plate.quantity, ""
        )

    async def _item_of(self, scanned: Scanned) -> st.ItemStock:
        assert self.server is not None
        token = self.person.session_token
        try:
            return await self.server.item(scanned.code, token)
        except NotFound:
            if not scanned.also:
                raise
            return await self.server.item(scanned.also, token)

    def _offline(self, scanned: Scanned) -> StockAnswer:
        now = self.clock()
        with self.uow() as uow:
            if scanned.kind == "location":
                place = uow.stock.place(scanned.code)
                lines = uow.stock.at_location(scanned.code)
                if place is None and not lines:
                    return StockAnswer(
                        False,
                        "NOT IN THIS STATION'S COPY",
                        f"the server is not answering and this station has not been told what "
                        f"{scanned.code} holds: try again once it answers",
                        "location",
                        scanned.code,
                    )
                seen = [place.seen_at] if place else [p.seen_at for p in lines if p.seen_at]
                cached = age_words(seen, now)
                if place is None:
                    cached += "; only what item inquiries showed"
                kind = place.location.kind if place else lines[0].location_kind
                return self._location(scanned.code, kind, lines, cached)
            if scanned.kind == "item":
                lines = uow.stock.of_sku(scanned.code)
                product = uow.catalogue.product(scanned.code)
                if not lines and product is None:
                    return StockAnswer(
                        False,
                        "NOT IN THIS STATION'S COPY",
                        f"the server is not answering and this station knows no item "
                        f"{scanned.code}",
                        "item",
                        scanned.code,
                    )
                description = product.description if product else lines[0].description
                cached = age_words([p.seen_at for p in lines if p.seen_at], now)
                return self._item(scanned.code, description, lines, cached)
            plate = uow.stock.plate(scanned.code)
        if plate is None:
            return StockAnswer(
                False,
                "NOT IN THIS STATION'S COPY",
                f"the server is not answering and this station has not seen plate {scanned.code}",
                "plate",
                scanned.code,
            )
        return self._plate(
            plate.code,
            plate.status,
            plate.location,
            plate.sku,
            plate.lot,
            plate.quantity,
            age_words([plate.seen_at], now),
        )

    def _location(
        self, code: str, kind: str, lines: list[SeenPosition], cached: str
    ) -> StockAnswer:
        what = _summary(lines) if lines else "nothing"
        words = f"{kind.replace('_', ' ')} · holds {what}"
        return StockAnswer(True, code, words, "location", code, lines, cached)

    def _item(
        self, sku: str, description: str, lines: list[SeenPosition], cached: str
    ) -> StockAnswer:
        where = f"in {_summary(lines)}" if lines else "in no location"
        return StockAnswer(True, f"{sku} {description}".strip(), where, "item", sku, lines, cached)

    def _plate(
        self,
        code: str,
        status: str,
        location: str,
        sku: str,
        lot: str,
        quantity: int,
        cached: str,
    ) -> StockAnswer:
        lot_words = f" lot {lot}" if lot else ""
        state = status.replace("_", " ")
        words = f"{plural(quantity, 'unit')} of {sku}{lot_words} · at {location} · {state}"
        return StockAnswer(True, f"PLATE {code}", words, "plate", code, [], cached)
