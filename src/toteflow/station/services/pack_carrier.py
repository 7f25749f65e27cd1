"""The carrier for the order being boxed: the rules' choice, or the packer's override.

`CarrierChoice` is the pack desk's: it follows the parcels as they change (another box, a
weight), so the price is always that of the boxes and weights actually used, and keeps the
packer's override for as long as it suits them. Once a box's label is printed the service
on it is the order's (one carrier per order): later boxes are priced on it, never moved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
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
        # The service on a printed label, and whether that was the packer's override.
        self.pinned: tuple[str, str] | None = None
        self.pinned_overridden = False
        # Why there is no choice, or why the override was dropped: shown, never raised.
        self.problem = ""

    def pin(self, carrier: str, service: str) -> None:
        """A label is printed with this service: the order's other boxes go the same way."""
        if self.pinned is None:
            self.pinned = (carrier, service)
            self.pinned_overridden = bool(self.choice and self.choice.overridden)

    def follow(self, parcels: Sequence[Parcel]) -> None:
        """The choice for the parcels as they are now: the override while it suits them."""
        self.problem = ""
        if self.pinned is not None:
            try:
                choice = self._choose(parcels, self.pinned)
            except ServiceError as refusal:
                carrier, service = self.pinned
                self.choice = None
                self.problem = f"{refusal}; the labels printed say {carrier}/{service}"
                return
            why = "the service on the labels already printed"
            self.choice = replace(choice, overridden=self.pinned_overridden, why=why)
            return
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
