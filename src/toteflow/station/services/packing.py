"""Pack-station use cases: verify, short, box, weigh, carrier, label, close; local + outbox.

The pack screens call `PackingService` (built by station bootstrap) and nothing else:

- `await open_order(server, packing, user_id, key, session)`: fetch an order by its reference
  or a tote code from the server, keep it in the station store; also tops up SSCC serials
  (`await ensure_sscc(...)`). `packing.view(reference)` -> `PackView` (lines with expected,
  verified, shorted, packed; cartons; what is left).
- `verify(reference, code)` -> `Verified` for an item scan (barcode/GTIN of any pack size);
  a wrong or extra item raises `Refused` with the reason to show. Nothing is sent: the
  progress is kept locally, and the carton event carries the contents.
- `report_short(user_id, reference, sku, reason)` -> event `pack.shorted` (a floor exception
  for the supervisor; `short_policy` says whether the order may then ship partially).
- `suggest_boxes(reference)` -> `Cartonization` for the units checked and not yet boxed
  (`.boxes[i].box`, `.counts()`, `.gross_weight_g`); `box_for_barcode(code)` for an override.
- `check_weight(expected_g, weight_g)` -> `WeightCheck` (`.ok`, `.message()`).
- `choose_service(reference, parcels, override=None)` -> `ServiceChoice`
  (`.chosen`, `.explain()` lines, `.late`); the packer may override with (carrier, service).
- `close_carton(user_id, reference, box_code, weight_g, carrier, service, contents=None,
  confirmed=False)` -> `ClosedCarton`: takes an SSCC, makes the tracking number, records the
  carton (event `carton.packed`) and queues its label; a weight outside tolerance raises
  `WeightOutOfTolerance` unless the packer re-checked and passes `confirmed=True`.
- `print_job(job_id, printer=None)` / `print_queued(printer=None)` -> `PrintResult`: a printer
  that does not answer leaves the job queued (`ok=False`, `.message` to show); reprint or
  pass another printer's name (`printers()` lists them). Success records `label.printed`.
- `close_shipment(user_id, reference, choice)` -> event `shipment.closed` and the packing slip
  queued to the slip printer; `packing_slip(reference)` for a preview.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from toteflow.contracts.shipping import PackOrder
from toteflow.domain import packing as rules
from toteflow.domain.carriers import (
    Candidate,
    CarrierRules,
    Parcel,
    ServiceChoice,
    ShipmentRequest,
    choose_service,
)
from toteflow.domain.cartonize import (
    Box,
    Cartonization,
    CartonizeError,
    Item,
    cartonize,
)
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.gs1 import gtin14, make_sscc
from toteflow.domain.labels import Address, PackingSlip, ShippingLabel, SlipBox, SlipLine
from toteflow.domain.tracking import make_tracking
from toteflow.station.ports.packing import (
    CartonRecord,
    LabelRenderer,
    PackServer,
    PackState,
    Printer,
    PrintJob,
)
from toteflow.station.ports.store import OutboxEvent, StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.events import record

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class PrinterDown(Exception):
    """The printer did not take the job; str() says which printer and why."""


class WeightOutOfTolerance(Refused):
    """The scale disagrees with items + carton: re-check, then confirm or weigh again."""


@dataclass(frozen=True)
class PackingPolicy:
    boxes: tuple[Box, ...]
    carriers: CarrierRules
    ship_from: Address
    weight_tolerance_pct: float = 5.0
    weight_tolerance_g: int = 50
    short_policy: str = "ship_partial"  # or "wait"
    label_printer: str = ""
    slip_printer: str = ""
    sscc_block_size: int = 50


@dataclass(frozen=True)
class LineView:
    sku: str
    description: str
    expected: int
    verified: int
    shorted: int
    packed: int

    @property
    def to_verify(self) -> int:
        return self.expected - self.verified - self.shorted

    @property
    def to_box(self) -> int:
        return self.verified - self.packed


@dataclass(frozen=True)
class PackView:
    reference: str
    order: PackOrder
    status: str
    lines: tuple[LineView, ...]
    cartons: tuple[CartonRecord, ...]

    @property
    def all_checked(self) -> bool:
        return all(line.to_verify == 0 for line in self.lines)

    @property
    def all_boxed(self) -> bool:
        return all(line.to_box == 0 for line in self.lines)

    @property
    def any_short(self) -> bool:
        return any(line.shorted for line in self.lines)


@dataclass(frozen=True)
class Verified:
    sku: str
    description: str
    units: int
    verified: int
    expected: int
    order_done: bool


@dataclass(frozen=True)
class ClosedCarton:
    carton: CartonRecord
    label_job: int
    event: OutboxEvent


@dataclass(frozen=True)
class PrintResult:
    job_id: int
    ok: bool
    printer: str
    message: str


def _digits_only(code: str) -> str | None:
    try:
        return gtin14(code)
    except ValueError:
        return None


class PackingService:
    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        policy: PackingPolicy,
        renderer: LabelRenderer,
        printers: Mapping[str, Printer],
        *,
        clock: Clock = utcnow,
        on_recorded: Callable[[], None] | None = None,
    ) -> None:
        self.uow = uow
        self.policy = policy
        self.renderer = renderer
        self._printers = dict(printers)
        self.clock = clock
        # Usually SyncWorker.wake: push now rather than at the next interval.
        self.on_recorded = on_recorded

    # reading ---------------------------------------------------------------------------

    def printers(self) -> list[str]:
        return sorted(self._printers)

    def printer_where(self, name: str) -> str:
        """Where a printer's output goes, in words (a folder printer names its folder)."""
        printer = self._printers.get(name)
        where = getattr(printer, "folder", None) if printer is not None else None
        return f"the folder {where}" if where is not None else f"printer {name}"

    def totes_to_pack(self, limit: int = 20) -> list[tuple[str, str]]:
        """(tote, order) picked at this station for packing and not packed here yet."""
        with self.uow() as uow:
            return uow.packing.picked_totes(limit)

    def store_order(self, user_id: int | None, order: PackOrder) -> PackView:
        """Keep an order fetched from the server; one already open here keeps its progress."""
        with self.uow() as uow:
            existing = uow.packing.get(order.reference)
            if existing is not None and existing.status == "closed":
                raise Refused(f"order {order.reference} was already packed at this station")
            key = existing.shipment_key if existing else str(uuid4())
            uow.packing.upsert_order(order, key, user_id, self.clock())
            uow.commit()
        return self.view(order.reference)

    def view(self, reference: str) -> PackView:
        with self.uow() as uow:
            state = self._state(uow, reference)
            cartons = uow.packing.cartons(reference)
        return _view(state, cartons)

    def _state(self, uow: StationUnitOfWork, reference: str) -> PackState:
        state = uow.packing.get(reference)
        if state is None:
            raise NotFound(f"order {reference} is not open at this station: scan its tote")
        return state

    # verifying -------------------------------------------------------------------------

    def verify(self, reference: str, code: str) -> Verified:
        """One item scan: ticks the units of that pack size, or Refused with the reason."""
        with self.uow() as uow:
            state = self._open(uow, reference)
            sku, units = _lookup(state.order, code)
            if sku is None:
                # Not on this order: name the product if the station knows it from elsewhere.
                known = uow.catalogue.product_by_barcode(code.strip())
                sku = known[0].sku if known is not None else None
            lines = _expected(state.order)
            try:
                count = rules.check_scan(
                    lines, state.verified, state.shorted, sku, units, reference, code
                )
            except rules.PackRefused as refusal:
                raise Refused(str(refusal)) from None
            assert sku is not None
            verified = {**state.verified, sku: count}
            uow.packing.set_progress(reference, verified, state.shorted, self.clock())
            uow.commit()
        line = lines[sku]
        done = all(
            rules.remaining(e, verified.get(s, 0), state.shorted.get(s, 0)) == 0
            for s, e in lines.items()
        )
        return Verified(sku, line.description, units, count, line.quantity, done)

    def report_short(
        self, user_id: int | None, reference: str, sku: str, reason: str = "not_found"
    ) -> OutboxEvent:
        """Every unit of `sku` not yet checked is missing: the supervisor is told."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            state = self._open(uow, reference)
            try:
                missing = rules.check_short(
                    _expected(state.order), state.verified, state.shorted, sku
                )
            except rules.PackRefused as refusal:
                raise Refused(str(refusal)) from None
            shorted = {**state.shorted, sku: state.shorted.get(sku, 0) + missing}
            uow.packing.set_progress(reference, state.verified, shorted, self.clock())
            return {"order": reference, "sku": sku, "missing": missing, "reason": reason}

        return self._act(user_id, "pack.shorted", build)

    # boxes, weight, carrier ------------------------------------------------------------

    def suggest_boxes(self, reference: str) -> Cartonization:
        """The cheapest box set for the units checked and not yet in a closed carton."""
        view = self.view(reference)
        items = _items(view.order, {line.sku: line.to_box for line in view.lines})
        if not items:
            raise Refused("nothing is checked and waiting for a box: scan the items first")
        try:
            return cartonize(items, self.policy.boxes)
        except CartonizeError as exc:
            raise Refused(str(exc)) from None

    def box_for_barcode(self, code: str) -> Box:
        for box in self.policy.boxes:
            if code in (box.barcode, box.code):
                return box
        raise Refused(f"{code} is not a box in the catalogue")

    def expected_weight(self, reference: str, box_code: str, contents: dict[str, int]) -> int:
        view = self.view(reference)
        box = self.box_for_barcode(box_code)
        return box.tare_g + sum(
            i.weight_g for i in _items(view.order, contents, check_dimensions=False)
        )

    def check_weight(self, expected_g: int, weight_g: int) -> rules.WeightCheck:
        try:
            return rules.check_weight(
                expected_g,
                weight_g,
                self.policy.weight_tolerance_pct,
                self.policy.weight_tolerance_g,
            )
        except rules.PackRefused as refusal:
            raise Refused(str(refusal)) from None

    def choose_service(
        self,
        reference: str,
        parcels: Sequence[Parcel],
        override: tuple[str, str] | None = None,
        ship_on: date | None = None,
    ) -> ServiceChoice:
        """Every candidate service with its price, delivery date or reason; the choice."""
        order = self.view(reference).order
        request = ShipmentRequest(
            parcels=tuple(parcels),
            country=order.ship_to.country,
            postal_code=order.ship_to.postal_code,
            requested_carrier=order.carrier,
            requested_service=order.service,
            ship_by=order.ship_by,
            ship_on=ship_on or self.clock().date(),
        )
        try:
            return choose_service(self.policy.carriers, request, override)
        except ValueError as exc:
            raise Refused(str(exc)) from None

    # closing a carton ------------------------------------------------------------------

    def close_carton(
        self,
        user_id: int | None,
        reference: str,
        box_code: str,
        weight_g: int,
        carrier: str,
        service: str,
        contents: dict[str, int] | None = None,
        *,
        confirmed: bool = False,
    ) -> ClosedCarton:
        """Record a packed, weighed box with its SSCC and tracking number; queue its label."""
        box = self.box_for_barcode(box_code)
        with self.uow() as uow:
            state = self._open(uow, reference)
            cartons = uow.packing.cartons(reference)
            view = _view(state, cartons)
            waiting = {line.sku: line.to_box for line in view.lines if line.to_box > 0}
            chosen = dict(waiting if contents is None else contents)
            if not chosen or any(q <= 0 for q in chosen.values()):
                raise Refused("the box is empty: scan the items that go in it first")
            for sku, quantity in chosen.items():
                if quantity > waiting.get(sku, 0):
                    raise Refused(
                        f"only {waiting.get(sku, 0)} of {sku} are checked and not yet boxed"
                    )
            items = _items(state.order, chosen, check_dimensions=False)
            expected = box.tare_g + sum(i.weight_g for i in items)
            check = self.check_weight(expected, weight_g)
            if not check.ok and not confirmed:
                raise WeightOutOfTolerance(check.message())
            taken = uow.packing.take_sscc()
            if taken is None:
                raise Refused(
                    "this station has no SSCC numbers left: connect it to the server "
                    "and open the order again"
                )
            prefix, extension, serial = taken
            sscc = make_sscc(extension, prefix, serial)
            info = self.policy.carriers.carrier(carrier)
            # The tracking number comes from the SSCC serial: unique, and the same on reprint.
            tracking = make_tracking(info.tracking, serial, account=info.account)
            box_no = len(cartons) + 1
            record_ = CartonRecord(
                sscc=sscc,
                reference=reference,
                box_no=box_no,
                box_code=box.code,
                box_name=box.name,
                tracking=tracking,
                carrier=carrier.upper(),
                service=service.upper(),
                weight_g=weight_g,
                expected_weight_g=expected,
                length_mm=box.length_mm,
                width_mm=box.width_mm,
                height_mm=box.height_mm,
                contents=chosen,
            )
            uow.packing.add_carton(record_)
            label = self._label(state.order, record_, box_count=box_no)
            job = uow.packing.add_print_job(
                "label",
                reference,
                sscc,
                f"label-{reference}-{box_no}-{sscc}",
                _label_content(label),
                self.policy.label_printer,
                self.clock(),
            )
            event = record(
                uow,
                user_id,
                "carton.packed",
                {
                    "shipment": state.shipment_key,
                    "order": reference,
                    "box_no": box_no,
                    "box_code": box.code,
                    "sscc": sscc,
                    "tracking": tracking,
                    "carrier": record_.carrier,
                    "service": record_.service,
                    "weight_g": weight_g,
                    "expected_weight_g": expected,
                    "length_mm": box.length_mm,
                    "width_mm": box.width_mm,
                    "height_mm": box.height_mm,
                    "contents": chosen,
                    "weight_confirmed": not check.ok,
                },
                now=self.clock,
            )
            uow.commit()
        self._recorded()
        return ClosedCarton(record_, job, event)

    def _label(self, order: PackOrder, carton: CartonRecord, box_count: int) -> ShippingLabel:
        to = order.ship_to
        service = self.policy.carriers.service(carton.carrier, carton.service)
        return ShippingLabel(
            sscc=carton.sscc,
            tracking=carton.tracking,
            carrier=self.policy.carriers.carrier(carton.carrier).name,
            service=service.name if service else carton.service,
            ship_from=self.policy.ship_from,
            ship_to=Address(
                to.name, to.line1, to.line2, to.city, to.region, to.postal_code, to.country
            ),
            order_reference=order.reference,
            box_no=carton.box_no,
            box_count=box_count,
            weight_g=carton.weight_g,
        )

    # printing --------------------------------------------------------------------------

    def jobs(self, *, queued_only: bool = True, reference: str | None = None) -> list[PrintJob]:
        with self.uow() as uow:
            return uow.packing.jobs(queued_only=queued_only, reference=reference)

    def render(self, job_id: int, fmt: str) -> bytes:
        """A job's label or slip in `fmt` (png for a preview on screen or in a file)."""
        with self.uow() as uow:
            job = uow.packing.print_job(job_id)
        if job is None:
            raise NotFound(f"no print job {job_id}")
        return self._render(job, fmt)

    def _render(self, job: PrintJob, fmt: str) -> bytes:
        if job.kind == "label":
            return self.renderer.label(_label_from(job.content), fmt)
        return self.renderer.slip(_slip_from(job.content), "pdf" if fmt == "pdf" else "txt")

    def print_job(
        self, job_id: int, printer: str | None = None, user_id: int | None = None
    ) -> PrintResult:
        """Send one job (again); a printer that does not answer leaves it queued."""
        with self.uow() as uow:
            job = uow.packing.print_job(job_id)
        if job is None:
            raise NotFound(f"no print job {job_id}")
        name = printer or job.printer or self.policy.label_printer
        target = self._printers.get(name)
        if target is None:
            raise Refused(
                f"there is no printer {name!r}: choose one of {', '.join(self.printers())}"
            )
        try:
            target.send(self._render(job, target.format), job.title)
        except PrinterDown as down:
            with self.uow() as uow:
                uow.packing.job_failed(job_id, name, str(down))
                uow.commit()
            return PrintResult(job_id, False, name, f"{down}: the job stays queued")
        with self.uow() as uow:
            uow.packing.job_printed(job_id, name, self.clock())
            if job.kind == "label":
                record(
                    uow,
                    user_id,
                    "label.printed",
                    {"sscc": job.sscc, "printer": name, "reprint": job.status == "printed"},
                    now=self.clock,
                )
            uow.commit()
        self._recorded()
        return PrintResult(job_id, True, name, f"printed on {name}")

    def print_queued(
        self, printer: str | None = None, user_id: int | None = None
    ) -> list[PrintResult]:
        """Every queued job, oldest first (e.g. once the printer is back, or on another)."""
        return [self.print_job(job.id, printer, user_id) for job in self.jobs()]

    # closing the shipment --------------------------------------------------------------

    def close_shipment(
        self, user_id: int | None, reference: str, choice: ServiceChoice | None = None
    ) -> OutboxEvent:
        """Every checked unit is boxed: the order is packed (event `shipment.closed`)."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            state = self._open(uow, reference)
            cartons = uow.packing.cartons(reference)
            view = _view(state, cartons)
            if not cartons:
                raise Refused("no carton is closed yet")
            if not view.all_checked:
                left = ", ".join(f"{li.to_verify} x {li.sku}" for li in view.lines if li.to_verify)
                raise Refused(f"still to check or report short: {left}")
            if not view.all_boxed:
                raise Refused("some checked items are not in a closed carton yet")
            if view.any_short and self.policy.short_policy == "wait":
                raise Refused(
                    f"order {reference} has items reported short: it waits for a supervisor"
                )
            first = cartons[0]
            chosen: Candidate | None = choice.chosen if choice else None
            uow.packing.set_status(reference, "closed", self.clock())
            slip = self._slip(state.order, cartons, view)
            if self.policy.slip_printer:
                uow.packing.add_print_job(
                    "slip",
                    reference,
                    "",
                    f"slip-{reference}",
                    _slip_content(slip),
                    self.policy.slip_printer,
                    self.clock(),
                )
            return {
                "shipment": state.shipment_key,
                "order": reference,
                "boxes": len(cartons),
                "carrier": first.carrier,
                "service": first.service,
                "cost_cents": chosen.cost_cents if chosen else None,
                "partial": view.any_short,
                "overridden": bool(choice and choice.overridden),
            }

        return self._act(user_id, "shipment.closed", build)

    def packing_slip(self, reference: str) -> PackingSlip:
        with self.uow() as uow:
            state = self._state(uow, reference)
            cartons = uow.packing.cartons(reference)
        return self._slip(state.order, cartons, _view(state, cartons))

    def _slip(
        self, order: PackOrder, cartons: Sequence[CartonRecord], view: PackView
    ) -> PackingSlip:
        names = {line.sku: line.description for line in order.lines}
        to = order.ship_to
        first = cartons[0] if cartons else None
        return PackingSlip(
            order_reference=order.reference,
            ship_to=Address(
                to.name, to.line1, to.line2, to.city, to.region, to.postal_code, to.country
            ),
            carrier=first.carrier if first else order.carrier,
            service=first.service if first else order.service,
            boxes=tuple(
                SlipBox(
                    c.box_no,
                    c.box_name or c.box_code,
                    c.sscc,
                    c.tracking,
                    c.weight_g,
                    tuple(SlipLine(s, names.get(s, ""), q) for s, q in sorted(c.contents.items())),
                )
                for c in cartons
            ),
            missing=tuple(
                SlipLine(li.sku, li.description, li.shorted) for li in view.lines if li.shorted
            ),
        )

    # SSCC serials ----------------------------------------------------------------------

    def sscc_left(self) -> int:
        with self.uow() as uow:
            return uow.packing.sscc_left()

    def _act(
        self, user_id: int | None, type: str, build: Callable[[StationUnitOfWork], dict[str, Any]]
    ) -> OutboxEvent:
        with self.uow() as uow:
            payload = build(uow)
            event = record(uow, user_id, type, payload, now=self.clock)
            uow.commit()
        self._recorded()
        return event

    def _open(self, uow: StationUnitOfWork, reference: str) -> PackState:
        state = self._state(uow, reference)
        if state.status != "open":
            raise Refused(f"order {reference} is already closed at this station")
        return state

    def _recorded(self) -> None:
        if self.on_recorded is not None:
            self.on_recorded()


async def ensure_sscc(
    server: PackServer, packing: PackingService, session_token: str, minimum: int = 10
) -> int:
    """Reserve another block from the server when fewer than `minimum` serials are left."""
    left = packing.sscc_left()
    if left >= minimum:
        return left
    block = await server.reserve_sscc(packing.policy.sscc_block_size, session_token)
    with packing.uow() as uow:
        uow.packing.add_sscc_block(block)
        uow.commit()
    return packing.sscc_left()


async def open_order(
    server: PackServer,
    packing: PackingService,
    user_id: int | None,
    key: str,
    session_token: str,
) -> PackView:
    """Fetch the order for a scanned tote or order reference and keep it at this station."""
    order = await server.pack_order(key, session_token)
    if order.status.value not in ("picking", "picked"):
        raise Refused(
            f"order {order.reference} is {order.status.value.replace('_', ' ')}: "
            "it cannot be packed now"
        )
    view = packing.store_order(user_id, order)
    await ensure_sscc(server, packing, session_token)
    return view


# helpers -------------------------------------------------------------------------------


def _expected(order: PackOrder) -> dict[str, rules.Expected]:
    return {
        line.sku: rules.Expected(line.sku, line.description, line.picked) for line in order.lines
    }


def _lookup(order: PackOrder, code: str) -> tuple[str | None, int]:
    code = code.strip()
    wanted = _digits_only(code)
    for line in order.lines:
        if code == line.sku:
            return line.sku, 1
        for unit in line.units:
            if unit.barcode == code or (
                wanted is not None and _digits_only(unit.barcode) == wanted
            ):
                return line.sku, unit.units
    return None, 1


def _view(state: PackState, cartons: Sequence[CartonRecord]) -> PackView:
    packed: dict[str, int] = {}
    for carton in cartons:
        for sku, quantity in carton.contents.items():
            packed[sku] = packed.get(sku, 0) + quantity
    lines = tuple(
        LineView(
            sku=line.sku,
            description=line.description,
            expected=line.picked,
            verified=state.verified.get(line.sku, 0),
            shorted=state.shorted.get(line.sku, 0),
            packed=packed.get(line.sku, 0),
        )
        for line in state.order.lines
    )
    return PackView(state.reference, state.order, state.status, lines, tuple(cartons))


def _items(
    order: PackOrder, counts: Mapping[str, int], *, check_dimensions: bool = True
) -> list[Item]:
    items = []
    for line in order.lines:
        quantity = counts.get(line.sku, 0)
        if quantity <= 0:
            continue
        each = next((u for u in line.units if u.units == 1), None)
        if each is None and line.units:
            # No single-unit measurements: share the smallest pack's weight out per unit.
            smallest = min(line.units, key=lambda u: u.units)
            each = smallest.model_copy(
                update={"weight_g": smallest.weight_g // smallest.units, "units": 1}
            )
        if each is None:
            if check_dimensions:
                raise Refused(f"{line.sku} has no measurements: measure it before packing")
            continue
        items += [
            Item(
                line.sku,
                each.length_mm,
                each.width_mm,
                each.height_mm,
                each.weight_g,
                upright=line.upright,
            )
        ] * quantity
    return items


def _label_content(label: ShippingLabel) -> dict[str, Any]:
    return dataclasses.asdict(label)


def _label_from(content: dict[str, Any]) -> ShippingLabel:
    data = dict(content)
    data["ship_from"] = Address(**data["ship_from"])
    data["ship_to"] = Address(**data["ship_to"])
    return ShippingLabel(**data)


def _slip_content(slip: PackingSlip) -> dict[str, Any]:
    return dataclasses.asdict(slip)


def _slip_from(content: dict[str, Any]) -> PackingSlip:
    return PackingSlip(
        order_reference=content["order_reference"],
        ship_to=Address(**content["ship_to"]),
        carrier=content["carrier"],
        service=content["service"],
        boxes=tuple(
            SlipBox(
                b["box_no"],
                b["box_name"],
                b["sscc"],
                b["tracking"],
                b["weight_g"],
                tuple(SlipLine(**li) for li in b["lines"]),
            )
            for b in content["boxes"]
        ),
        missing=tuple(SlipLine(**li) for li in content.get("missing", ())),
    )
