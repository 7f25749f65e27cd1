"""One packer's order at the pack station: verify, box, weigh, carrier, label, close.

`PackDesk` keeps where the packer is in the open order (which carton, its box, its weight,
the carrier choice, the last print) and turns each scan or key into a `PackOutcome` for the
screen to show. Every rule and every record lives in `PackingService`; this only sequences.
The carrier choice and the packer's override of it are `pack_carrier.CarrierChoice`;
closing cartons and the order, with their labels, `pack_labels.PackLabels`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from toteflow.contracts.shipping import WeightApproval, WeightApprovalRequest
from toteflow.domain.carriers import Parcel
from toteflow.domain.errors import ServiceError
from toteflow.domain.packing import (
    WEIGHT_REASONS,
    ItemLabel,
    WeightOverride,
    needs_supervisor,
    override_problem,
)
from toteflow.station.ports.packing import PackServer
from toteflow.station.services.login import Person
from toteflow.station.services.pack_carrier import CarrierChoice
from toteflow.station.services.pack_labels import PackLabels
from toteflow.station.services.pack_state import Boxing, Carton, PackOutcome
from toteflow.station.services.packing.item_scans import demo_label
from toteflow.station.services.packing.service import PackingService, open_order
from toteflow.station.services.packing.views import PackView

__all__ = ["SHORT_REASONS", "Boxing", "Carton", "PackDesk", "PackOutcome", "parse_kg"]

SHORT_REASONS = {
    "not_found": "Not in the tote",
    "damaged": "Damaged",
    "wrong_item": "Another item in its place",
}


def parse_kg(text: str) -> int | None:
    """Typed kilograms ("1.25", "1,25") as grams, or None when it is not a weight."""
    try:
        kg = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not kg.is_finite() or kg <= 0 or kg > 1000:
        return None
    grams = int((kg * 1000).to_integral_value())
    return grams if grams >= 1 else None


NOTHING_SHIPS = "nothing of the order is left to ship; a supervisor decides (Escape goes back)"


def label_words(label: ItemLabel) -> str:
    """What the item's label carried, for the good-scan line ("" for a plain barcode)."""
    if label.keyed:
        return " · keyed in (recorded)"
    said = [
        f"lot {label.lot}" if label.lot else "",
        f"serial {label.serial}" if label.serial else "",
    ]
    return "".join(f" · {word}" for word in said if word)


def _nothing_ships(view: PackView) -> bool:
    """Every unit reported short and no box closed: there is nothing to box or label."""
    return view.all_checked and not view.cartons and not any(li.verified for li in view.lines)


class PackDesk(PackLabels):
    """The pack screens' one object: an order at a time, for one logged-in packer.

    Closing cartons, their labels and the order are `PackLabels`, which it builds on.
    """

    def __init__(
        self,
        person: Person,
        packing: PackingService,
        server: PackServer,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.person = person
        self.packing = packing
        self.server = server
        self.today = today
        self.reference: str | None = None
        self.boxing: Boxing | None = None

    # opening ---------------------------------------------------------------------------

    def totes_to_pack(self) -> list[tuple[str, str]]:
        return self.packing.records.totes_to_pack()

    async def open(self, key: str) -> PackOutcome:
        """A scanned tote or order reference: fetch the order and keep it here."""
        key = key.strip()
        if not key:
            return PackOutcome(False, "NOTHING SCANNED", "scan a tote or an order's barcode")
        try:
            view = await open_order(
                self.server, self.packing, self.person.user_id, key, self.person.session_token
            )
        except ServiceError as refusal:
            return PackOutcome(False, "CANNOT PACK THIS", str(refusal))
        self.reference = view.reference
        self.boxing = None
        left = sum(line.to_verify for line in view.lines)
        if not left:
            # Opened again after a log-out or a restart: the checks made are kept.
            return PackOutcome(True, f"ORDER {view.reference}", "every item is checked: F3 boxes")
        return PackOutcome(
            True,
            f"ORDER {view.reference}",
            f"{left} unit{'s' if left != 1 else ''} to check: scan each item",
        )

    # verifying -------------------------------------------------------------------------

    def scan_item(self, code: str) -> PackOutcome:
        assert self.reference is not None, "no order open"
        try:
            box = self.packing.boxes.box_for_barcode(code.strip())
        except ServiceError:
            box = None
        if box is not None:
            return PackOutcome(False, "NOT YET", f"{box.name}: check every item before boxing")
        try:
            verified = self.packing.records.verify(self.reference, code)
        except ServiceError as refusal:
            return PackOutcome(False, "WRONG ITEM", str(refusal))
        detail = (
            f"{verified.description} ({verified.sku}): {verified.verified} of {verified.expected}"
            f"{label_words(verified.label)}"
        )
        if verified.order_done:
            return self.start_boxing(f"{detail} · every item checked")
        return PackOutcome(True, f"+{verified.units} {verified.sku}", detail)

    def next_item_code(self) -> str | None:
        """The barcode of an item still to check (the demo key scans it)."""
        view = self.view()
        for line, order_line in zip(view.lines, view.order.lines, strict=True):
            if line.to_verify > 0:
                return demo_label(order_line, line.verified, self.today())
        return None

    def short(self, sku: str, reason: str) -> PackOutcome:
        assert self.reference is not None, "no order open"
        try:
            event = self.packing.records.report_short(
                self.person.user_id, self.reference, sku, reason
            )
        except ServiceError as refusal:
            return PackOutcome(False, "NOT REPORTED", str(refusal))
        missing = event.payload["missing"]
        waits = self.packing.policy.short_policy == "wait"
        then = (
            "the order waits for a supervisor"
            if waits
            else "the order ships without it; the supervisor is told"
        )
        detail = f"{missing} x {sku} reported missing: {then}"
        view = self.view()
        if _nothing_ships(view):
            return PackOutcome(
                True, "SHORT REPORTED", f"{missing} x {sku} missing: {NOTHING_SHIPS}"
            )
        if view.all_checked and not view.all_boxed:
            return self.start_boxing(detail)
        return PackOutcome(True, "SHORT REPORTED", detail)

    # boxing ----------------------------------------------------------------------------

    def start_boxing(self, detail: str = "") -> PackOutcome:
        """Every unit checked (or short): cartonize what is waiting, choose the carrier."""
        assert self.reference is not None, "no order open"
        view = self.view()
        if not view.all_checked:
            left = ", ".join(f"{li.to_verify} x {li.sku}" for li in view.lines if li.to_verify)
            return PackOutcome(False, "NOT ALL CHECKED", f"still to check or report short: {left}")
        if _nothing_ships(view):
            return PackOutcome(False, "NOTHING TO BOX", f"every item is short: {NOTHING_SHIPS}")
        if view.all_boxed and view.cartons:
            # Every box is closed already (the packer went back): only finishing is left.
            self.boxing = self._boxing(view, [])
            self.boxing.carrier.of_labels(view.cartons)
            return PackOutcome(True, "ALL BOXED", "F10 finishes the order", boxing=True)
        try:
            suggestion = self.packing.boxes.suggest(view)
        except ServiceError as refusal:
            waiting = {li.sku: li.to_box for li in view.lines if li.to_box > 0}
            catalogue = self.packing.policy.boxes
            if not waiting or not catalogue:
                return PackOutcome(False, "NO BOX SUGGESTED", str(refusal))
            # No suggestion (an item without measurements): one box of the packer's choosing.
            largest = max(catalogue, key=lambda b: b.volume)
            only = Carton(largest, largest, waiting, suggested_by_rules=False)
            self.boxing = self._boxing(view, [only])
            self._choose()
            return PackOutcome(
                False,
                "NO BOX SUGGESTED",
                f"{refusal}\nscan the barcode of the box you use",
                boxing=True,
            )
        self.boxing = self._boxing(
            view, [Carton(p.box, p.box, p.counts()) for p in suggestion.boxes]
        )
        self._choose()
        count = len(self.boxing.cartons)
        boxes = "box" if count == 1 else "boxes"
        return PackOutcome(
            True,
            "ALL CHECKED" if detail else f"{count} {boxes}",
            f"{detail}\n{count} {boxes}: scan the box to use" if detail else "scan the box to use",
            boxing=True,
        )

    def _boxing(self, view: PackView, cartons: list[Carton]) -> Boxing:
        return Boxing(cartons, CarrierChoice(self.packing.boxes, view.order, self.today))

    def expected_weight_g(self, carton: Carton) -> int:
        return self.packing.boxes.expected_weight(self.view().order, carton.box, carton.contents)

    def scan_box(self, code: str) -> PackOutcome:
        """The box's barcode: the suggested one confirms it, another one overrides."""
        carton = self.carton()
        if carton is None:
            return PackOutcome(False, "ALL BOXES CLOSED", "press F10 to finish the order")
        try:
            box = self.packing.boxes.box_for_barcode(code.strip())
        except ServiceError as refusal:
            return PackOutcome(False, "NOT A BOX", str(refusal))
        if box.code == carton.box.code:
            carton.box_scanned = True
            return PackOutcome(True, f"BOX {box.code}", f"{box.name}: put the items in, then weigh")
        problem = self.packing.boxes.box_problem(self.view().order, box, carton.contents)
        if problem:
            return PackOutcome(False, f"{box.code} WILL NOT DO", problem)
        was = carton.box
        carton.box, carton.box_scanned = box, True
        # A different box weighs differently: weigh again against the new expectation.
        carton.weight_g = carton.check = carton.override = None
        self._choose()
        return PackOutcome(True, f"BOX {box.code}", f"{box.name} instead of {was.name}: weigh it")

    def weigh(self, weight_g: int, source: str) -> PackOutcome:
        """A weight for the current carton, from the scale or typed in."""
        carton = self.carton()
        if carton is None:
            return PackOutcome(False, "NOTHING TO WEIGH", "every box is closed")
        if not carton.box_scanned:
            return PackOutcome(
                False, "SCAN THE BOX FIRST", f"scan {carton.box.barcode or carton.box.code}"
            )
        try:
            check = self.packing.boxes.check_weight(self.expected_weight_g(carton), weight_g)
        except ServiceError as refusal:
            return PackOutcome(False, "NOT A WEIGHT", str(refusal))
        carton.weight_g, carton.check, carton.override = weight_g, check, None
        self._choose()
        if check.ok:
            return PackOutcome(True, "WEIGHT OK", f"{check.message()} ({source}): F10 prints")
        who = " and a supervisor's badge" if self.weight_needs_supervisor() else ""
        return PackOutcome(
            False,
            "RE-CHECK THE BOX",
            f"{check.message()}. F4 weighs again; F5 accepts it with a reason{who}",
        )

    def weight_to_accept(self) -> PackOutcome | None:
        """None when the weighed box waits for F5's reason; otherwise what to say instead."""
        carton = self.carton()
        if carton is None or carton.check is None:
            return PackOutcome(False, "WEIGH FIRST", "put the box on the scale (F4)")
        if carton.check.ok:
            return PackOutcome(True, "WEIGHT OK", "nothing to accept: F10 prints the label")
        return None

    def weight_needs_supervisor(self) -> bool:
        """The weighed box is further off than the second limit: a supervisor approves."""
        carton = self.carton()
        policy = self.packing.policy
        return (
            carton is not None
            and carton.check is not None
            and needs_supervisor(
                carton.check, policy.weight_supervisor_pct, policy.weight_supervisor_g
            )
        )

    def accept_weight(self, reason: str, approval: WeightApproval | None = None) -> PackOutcome:
        """The packer re-checked the box: the weight stands, for `reason` (and approval)."""
        refused = self.weight_to_accept()
        if refused is not None:
            return refused
        carton = self.carton()
        assert carton is not None
        assert carton.check is not None
        policy = self.packing.policy
        override = WeightOverride(
            reason, approval.user_id if approval else None, approval.name if approval else ""
        )
        problem = override_problem(
            carton.check, override, policy.weight_supervisor_pct, policy.weight_supervisor_g
        )
        if problem:
            return PackOutcome(False, "NOT ACCEPTED", problem)
        carton.override = override
        said = WEIGHT_REASONS[reason].lower()
        by = f", approved by {approval.name}" if approval else ""
        return PackOutcome(True, "WEIGHT ACCEPTED", f"{said}{by}: F10 prints the label")

    async def approve_weight(self, reason: str, badge: str) -> PackOutcome:
        """A supervisor's badge approves the weight: asked of the server, which audits it."""
        carton = self.carton()
        refused = self.weight_to_accept()
        if refused is not None or carton is None or carton.check is None:
            return refused or PackOutcome(False, "WEIGH FIRST", "put the box on the scale (F4)")
        assert self.reference is not None
        request = WeightApprovalRequest(
            badge=badge.strip(),
            order=self.reference,
            weight_g=carton.check.actual_g,
            expected_weight_g=carton.check.expected_g,
            reason=reason,
        )
        try:
            approval = await self.server.approve_weight(request, self.person.session_token)
        except ServiceError as refusal:
            return PackOutcome(False, "NOT APPROVED", str(refusal))
        return self.accept_weight(reason, approval)

    # carrier ---------------------------------------------------------------------------

    def _parcels(self) -> list[Parcel]:
        assert self.boxing is not None
        return [
            Parcel(
                c.weight_g if c.weight_g is not None else self.expected_weight_g(c),
                c.box.length_mm,
                c.box.width_mm,
                c.box.height_mm,
            )
            for c in self.boxing.cartons
        ]

    def _choose(self) -> None:
        assert self.boxing is not None
        self.boxing.carrier.follow(self._parcels())

    def choose(self, carrier: str, service: str) -> PackOutcome:
        assert self.boxing is not None
        if any(c.closed for c in self.boxing.cartons):
            return PackOutcome(False, "TOO LATE", "a label is printed: one carrier per order")
        try:
            choice = self.boxing.carrier.change(carrier, service, self._parcels())
        except ServiceError as refusal:
            return PackOutcome(False, "NOT THAT SERVICE", str(refusal))
        chosen = choice.chosen
        name = chosen.service.name if chosen else service
        late = ": it arrives after the promised date" if choice.late else ""
        asked = choice.requested
        instead = (
            f" instead of the asked {asked.service.name}"
            if asked is not None and chosen is not None and asked.service != chosen.service
            else ""
        )
        return PackOutcome(True, "CARRIER CHANGED", f"{name}{instead}{late}")

    def close(self) -> None:
        """Back to the home screen: the next scan opens another order."""
        self.reference = None
        self.boxing = None
