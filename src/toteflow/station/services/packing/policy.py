"""The site's packing settings: box catalogue, carrier rules, tolerances, printers."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.carriers import CarrierRules
from toteflow.domain.cartonize import Box
from toteflow.domain.labels import Address


@dataclass(frozen=True)
class PackingPolicy:
    boxes: tuple[Box, ...]
    carriers: CarrierRules
    ship_from: Address
    weight_tolerance_pct: float = 5.0
    weight_tolerance_g: int = 50
    # Beyond the tolerance a packer accepts a weight with a reason; beyond this second limit
    # (the larger of the two) a supervisor's badge must approve it too.
    weight_supervisor_pct: float = 15.0
    weight_supervisor_g: int = 250
    # The SKU typed from the screen stands for a unit whose barcode will not scan.
    allow_keyed_items: bool = False
    short_policy: str = "ship_partial"  # or "wait"
    label_printer: str = ""
    slip_printer: str = ""
    sscc_block_size: int = 50
