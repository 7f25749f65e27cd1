"""Which box and which carrier: cartonization, a scanned box's fit, the weight check, service.

Pure over the policy (box catalogue, carrier rules, tolerances) and the order in hand: nothing
here reads or writes the station store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from toteflow.contracts.shipping import PackOrder
from toteflow.domain import packing as rules
from toteflow.domain.carriers import Parcel, ServiceChoice, ShipmentRequest, choose_service
from toteflow.domain.cartonize import (
    Box,
    Cartonization,
    CartonizeError,
    Item,
    cartonize,
    fits_alone,
)
from toteflow.domain.errors import Refused
from toteflow.station.services.events import Clock, utcnow
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.views import PackView


class BoxAndCarrier:
    def __init__(self, policy: PackingPolicy, *, clock: Clock = utcnow) -> None:
        self.policy = policy
        self.clock = clock

    def box_for_barcode(self, code: str) -> Box:
        for box in self.policy.boxes:
            if code in (box.barcode, box.code):
                return box
        raise Refused(f"{code} is not a box in the catalogue")

    def suggest(self, view: PackView) -> Cartonization:
        """The cheapest box set for the units checked and not yet in a closed carton."""
        items = _items(view.order, {line.sku: line.to_box for line in view.lines})
        if not items:
            raise Refused("nothing is checked and waiting for a box: scan the items first")
        try:
            return cartonize(items, self.policy.boxes)
        except CartonizeError as exc:
            raise Refused(str(exc)) from None

    def expected_weight(self, order: PackOrder, box: Box, contents: Mapping[str, int]) -> int:
        """The box's tare and its contents' weight, in grams."""
        return box.tare_g + sum(i.weight_g for i in _items(order, contents, check_dimensions=False))

    def box_problem(self, order: PackOrder, box: Box, contents: Mapping[str, int]) -> str:
        """Why `box` will not do for `contents` (too heavy, an item too big), or ""."""
        contents_g = self.expected_weight(order, box, contents) - box.tare_g
        if contents_g > box.max_weight_g:
            return (
                f"{box.name} carries {box.max_weight_g / 1000:.1f} kg; "
                f"the items weigh {contents_g / 1000:.2f} kg"
            )
        for line in order.lines:
            if line.sku not in contents:
                continue
            each = next((u for u in line.units if u.units == 1), None)
            if each is None or not each.length_mm:
                continue
            item = Item(
                line.sku,
                each.length_mm,
                each.width_mm,
                each.height_mm,
                each.weight_g,
                upright=line.upright,
            )
            if not fits_alone(item, box):
                return f"{line.sku} does not fit in {box.name}"
        return ""

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
        order: PackOrder,
        parcels: Sequence[Parcel],
        override: tuple[str, str] | None = None,
        ship_on: date | None = None,
    ) -> ServiceChoice:
        """Every candidate service with its price, delivery date or reason; the choice."""
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


def _items(
    order: PackOrder, counts: Mapping[str, int], *, check_dimensions: bool = True
) -> list[Item]:
    """One cartonization item per unit counted; without dimensions, Refused or left out."""
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
