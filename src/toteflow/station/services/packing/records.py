"""The pack records: an order kept at the station, its checks and shorts, cartons, closing.

Each change is kept in the station store with its outbox event in one unit of work
(`pack.shorted`, `carton.packed`, `shipment.closed`); item checks stay local, and the carton
event carries what went in. Closing a carton takes an SSCC from the pool and queues its
label; closing the shipment queues the packing slip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from toteflow.contracts.shipping import PackOrder
from toteflow.domain import packing as rules
from toteflow.domain.carriers import Candidate, ServiceChoice
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.scan import ScanResult, interpret
from toteflow.domain.tracking import make_tracking
from toteflow.station.ports.packing import CartonRecord, PackState
from toteflow.station.ports.store import OutboxEvent, StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.events import Clock, record, utcnow
from toteflow.station.services.packing import item_scans
from toteflow.station.services.packing.boxes import BoxAndCarrier
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.printing import PrintQueue
from toteflow.station.services.packing.sscc import SsccPool
from toteflow.station.services.packing.views import PackView, pack_view


class WeightOutOfTolerance(Refused):
    """The scale disagrees with items + carton: re-check, then confirm or weigh again."""


@dataclass(frozen=True)
class Verified:
    sku: str
    description: str
    units: int
    verified: int
    expected: int
    order_done: bool
    label: rules.ItemLabel = field(default_factory=rules.ItemLabel)


@dataclass(frozen=True)
class ClosedCarton:
    carton: CartonRecord
    label_job: int
    event: OutboxEvent


class PackRecords:
    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        policy: PackingPolicy,
        boxes: BoxAndCarrier,
        sscc: SsccPool,
        prints: PrintQueue,
        *,
        clock: Clock = utcnow,
        on_recorded: Callable[[], None] | None = None,
        read: Callable[[str], ScanResult] = interpret,
    ) -> None:
        self.uow = uow
        self.policy = policy
        # The site's code formats: what an item scan is (bootstrap passes the configured ones).
        self.read = read
        self.boxes = boxes
        self.sscc = sscc
        self.prints = prints
        self.clock = clock
        # Usually SyncWorker.wake: push now rather than at the next interval.
        self.on_recorded = on_recorded

    # reading ---------------------------------------------------------------------------

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
        return pack_view(state, cartons)

    def _state(self, uow: StationUnitOfWork, reference: str) -> PackState:
        state = uow.packing.get(reference)
        if state is None:
            raise NotFound(f"order {reference} is not open at this station: scan its tote")
        return state

    def _open(self, uow: StationUnitOfWork, reference: str) -> PackState:
        state = self._state(uow, reference)
        if state.status != "open":
            raise Refused(f"order {reference} is already closed at this station")
        return state

    # verifying -------------------------------------------------------------------------

    def verify(self, reference: str, code: str) -> Verified:
        """One item scan: ticks the units of that pack size, or Refused with the reason.

        A tracked item's label must carry its lot, expiry or serial, as at picking; a typed
        SKU counts only where the site allows keyed items, and is kept as keyed.
        """
        scan = self.read(code)
        with self.uow() as uow:
            state = self._open(uow, reference)
            lines = item_scans.expected(state.order)
            try:
                match = item_scans.match_item(
                    state.order, scan, allow_keyed=self.policy.allow_keyed_items
                )
                sku = match.sku
                if sku is None:
                    # Not on this order: name the product if the station knows it from elsewhere.
                    known = uow.catalogue.product_by_barcode(code.strip())
                    sku = known[0].sku if known is not None else None
                count = rules.check_scan(
                    lines, state.verified, state.shorted, sku, match.units, reference, code
                )
                assert sku is not None
                rules.check_label(
                    lines[sku],
                    match.label,
                    match.units,
                    self.clock().date(),
                    item_scans.serials_of(state.marks, sku),
                )
            except rules.PackRefused as refusal:
                raise Refused(str(refusal)) from None
            verified = {**state.verified, sku: count}
            marks = item_scans.marked(state.marks, sku, match.units, match.label)
            uow.packing.set_progress(reference, verified, state.shorted, self.clock(), marks)
            uow.commit()
        line = lines[sku]
        done = all(
            rules.remaining(e, verified.get(s, 0), state.shorted.get(s, 0)) == 0
            for s, e in lines.items()
        )
        return Verified(sku, line.description, match.units, count, line.quantity, done, match.label)

    def report_short(
        self, user_id: int | None, reference: str, sku: str, reason: str = "not_found"
    ) -> OutboxEvent:
        """Every unit of `sku` not yet checked is missing: the supervisor is told."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            state = self._open(uow, reference)
            try:
                missing = rules.check_short(
                    item_scans.expected(state.order), state.verified, state.shorted, sku
                )
            except rules.PackRefused as refusal:
                raise Refused(str(refusal)) from None
            shorted = {**state.shorted, sku: state.shorted.get(sku, 0) + missing}
            uow.packing.set_progress(reference, state.verified, shorted, self.clock())
            return {"order": reference, "sku": sku, "missing": missing, "reason": reason}

        return self._act(user_id, "pack.shorted", build)

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
        override: rules.WeightOverride | None = None,
    ) -> ClosedCarton:
        """Record a packed, weighed box with its SSCC and tracking number; queue its label.

        `contents` defaults to every unit checked and not yet boxed. A weight outside
        tolerance raises `WeightOutOfTolerance` unless the packer re-checked and gives a
        reason (`override`); beyond the policy's second limit a supervisor approved it too.
        """
        box = self.boxes.box_for_barcode(box_code)
        with self.uow() as uow:
            state = self._open(uow, reference)
            cartons = uow.packing.cartons(reference)
            chosen = _contents(pack_view(state, cartons), contents)
            expected = self.boxes.expected_weight(state.order, box, chosen)
            check = self.boxes.check_weight(expected, weight_g)
            problem = rules.override_problem(
                check,
                override,
                self.policy.weight_supervisor_pct,
                self.policy.weight_supervisor_g,
            )
            if problem:
                raise WeightOutOfTolerance(problem)
            sscc, serial = self.sscc.take(uow)
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
            job = self.prints.queue_label(uow, state.order, record_, box_count=box_no)
            payload: dict[str, Any] = {
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
            }
            if not check.ok and override is not None:
                # Why the packer accepted the weight, and the supervisor who approved it.
                payload["weight_override"] = {
                    "reason": override.reason,
                    "approved_by": override.approved_by,
                    "approver": override.approver,
                }
            event = record(uow, user_id, "carton.packed", payload, now=self.clock)
            uow.commit()
        self._recorded()
        return ClosedCarton(record_, job, event)

    # closing the shipment --------------------------------------------------------------

    def close_shipment(
        self, user_id: int | None, reference: str, choice: ServiceChoice | None = None
    ) -> OutboxEvent:
        """Every checked unit is boxed: the order is packed (event `shipment.closed`)."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            state = self._open(uow, reference)
            view = pack_view(state, uow.packing.cartons(reference))
            cartons = view.cartons
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
            self.prints.queue_slip(uow, view)
            payload: dict[str, Any] = {
                "shipment": state.shipment_key,
                "order": reference,
                "boxes": len(cartons),
                "carrier": first.carrier,
                "service": first.service,
                "cost_cents": chosen.cost_cents if chosen else None,
                "partial": view.any_short,
                "overridden": bool(choice and choice.overridden),
            }
            # What the item scans carried, for the audit trail: units keyed in (they count
            # against accuracy), lots and serial numbers shipped.
            keyed = {s: int(m["keyed"]) for s, m in state.marks.items() if m.get("keyed")}
            if keyed:
                payload["keyed"] = keyed
            tracked = {
                s: {k: m[k] for k in ("lots", "serials") if m.get(k)}
                for s, m in state.marks.items()
                if m.get("lots") or m.get("serials")
            }
            if tracked:
                payload["tracked"] = tracked
            return payload

        return self._act(user_id, "shipment.closed", build)

    # recording -------------------------------------------------------------------------

    def _act(
        self, user_id: int | None, type: str, build: Callable[[StationUnitOfWork], dict[str, Any]]
    ) -> OutboxEvent:
        with self.uow() as uow:
            payload = build(uow)
            event = record(uow, user_id, type, payload, now=self.clock)
            uow.commit()
        self._recorded()
        return event

    def _recorded(self) -> None:
        if self.on_recorded is not None:
            self.on_recorded()


# helpers -------------------------------------------------------------------------------


def _contents(view: PackView, contents: Mapping[str, int] | None) -> dict[str, int]:
    """What goes in the carton: `contents`, or else every unit checked and not yet boxed."""
    waiting = {line.sku: line.to_box for line in view.lines if line.to_box > 0}
    chosen = dict(waiting if contents is None else contents)
    if not chosen or any(q <= 0 for q in chosen.values()):
        raise Refused("the box is empty: scan the items that go in it first")
    for sku, quantity in chosen.items():
        if quantity > waiting.get(sku, 0):
            raise Refused(f"only {waiting.get(sku, 0)} of {sku} are checked and not yet boxed")
    return chosen
