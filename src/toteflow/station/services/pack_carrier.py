"""The carrier for the order being boxed: the rules' choice, or the packer's override.

`CarrierChoice` is the pack desk's: it follows the parcels as they change (another box, a
weight) and keeps the packer's override for as long as it suits them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from toteflow.contracts.shipping import PackOrder
from toteflow.domain.carriers import Parcel, ServiceChoice
from toteflow.domain.errors import ServiceError
from toteflow.station.ports.packing import CartonRecord
from toteflow.station.services.packing.boxes import BoxAndCarrier


class CarrierChoice:
    def __init__(self, boxes: BoxAndCarrier, order: PackOrder, today: Callable[[], date]) -> None:
        self.boxes = boxes
        self.order = order
        self.today = today
        self.choice: ServiceChoice | None = None
        self.override: tuple[str, str] | None = None
        # Why there is no choice, or why the override was dropped: shown, never raised.
        self.problem = ""

    def follow(self, parcels: Sequence[Parcel]) -> None:
        """The choice for the parcels as they are now: the override while it suits them."""
        self.problem = ""
        for override in dict.fromkeys((self.override, None)):
            try:
                self.choice = self._choose(parcels, override)
            except ServiceError as refusal:
                # An override that no longer suits the parcels: back to the rules' choice.
                self.choice, self.problem = None, str(refusal)
                continue
            self.override = override
            return

    def change(self, carrier: str, service: str, parcels: Sequence[Parcel]) -> ServiceChoice:
        """The packer's override; a service that will not do is refused (`ServiceError`)."""
        choice = self._choose(parcels, (carrier, service))
        self.choice, self.override = choice, (carrier, service)
        return choice

    def of_labels(self, cartons: Sequence[CartonRecord]) -> None:
        """Every box is closed: the service on their labels, with the others beside it."""
        first = cartons[0]
        parcels = [Parcel(c.weight_g, c.length_mm, c.width_mm, c.height_mm) for c in cartons]
        try:
            self.choice = self._choose(parcels, (first.carrier, first.service))
        except ServiceError:
            self.choice = None  # the labels are printed; the choice is theirs

    def _choose(self, parcels: Sequence[Parcel], override: tuple[str, str] | None) -> ServiceChoice:
        return self.boxes.choose_service(self.order, parcels, override, ship_on=self.today())
