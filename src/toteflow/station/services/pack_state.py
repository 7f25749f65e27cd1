"""What the pack desk keeps about the order being boxed: its cartons, carrier, prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from toteflow.domain.cartonize import Box
from toteflow.domain.packing import WeightCheck, WeightOverride
from toteflow.station.services.pack_carrier import CarrierChoice
from toteflow.station.services.packing.printing import PrintResult


@dataclass(frozen=True)
class PackOutcome:
    """What a scan or key did: good or refused, a headline and why; `boxing` once all is checked."""

    ok: bool
    headline: str
    detail: str = ""
    boxing: bool = False
    done: bool = False


@dataclass
class Carton:
    """One box of the plan: the suggested box, the one used, what goes in, how it weighed."""

    suggested: Box
    box: Box
    contents: dict[str, int]
    box_scanned: bool = False
    # False when cartonization could not suggest one: the packer chooses by scanning.
    suggested_by_rules: bool = True
    weight_g: int | None = None
    check: WeightCheck | None = None
    # A weight outside tolerance accepted: the packer's reason, a supervisor's approval.
    override: WeightOverride | None = None
    closed: bool = False
    label_job: int | None = None
    sscc: str = ""
    tracking: str = ""

    @property
    def confirmed(self) -> bool:
        """The weight stands though out of tolerance: accepted with a reason."""
        return self.override is not None


@dataclass
class Boxing:
    cartons: list[Carton]
    carrier: CarrierChoice
    prints: list[PrintResult] = field(default_factory=list)
