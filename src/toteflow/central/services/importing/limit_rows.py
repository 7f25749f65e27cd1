"""Checking face-limit rows: one row is a pick face's minimum and maximum of one SKU."""

from __future__ import annotations

from collections.abc import Mapping

from toteflow.central.services.importing.cells import Cells
from toteflow.central.services.importing.lookups import Lookups
from toteflow.central.services.importing.plan import Checker, LimitSetting, Plan
from toteflow.contracts.common import MAX_QUANTITY
from toteflow.domain.replenishment import FaceLimit, LimitRefused, check_limit


class FaceLimitsChecker(Checker):
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        super().__init__(plan, lookups)
        self.faces: dict[tuple[str, str], int] = {}

    def row(self, line: int, values: Mapping[str, str]) -> None:
        cells = Cells(values, "face-limits")
        location = cells.required("location", 40)
        sku = cells.required("sku", 64)
        minimum = cells.whole("minimum", 0, MAX_QUANTITY)
        maximum = cells.whole("maximum", 1, MAX_QUANTITY)
        problems = list(cells.errors)
        if location and "location" not in cells.bad:
            kind = self.lookups.location_kind(location)
            if kind is None:
                problems.append(f"unknown location {location}")
            elif kind != "pick_face":
                problems.append(f"{location} is a {kind}, not a pick face")
        if sku and "sku" not in cells.bad and self.lookups.product(sku) is None:
            problems.append(f"unknown SKU {sku}")
        if not problems and minimum is not None and maximum is not None:
            try:
                check_limit(
                    FaceLimit(minimum, maximum),
                    self.lookups.location_capacity(location),
                    face=location,
                )
            except LimitRefused as refusal:
                problems.append(str(refusal))
        first = self.faces.get((location, sku))
        if first is not None:
            problems.append(f"the same location and SKU as line {first}")
        if problems or minimum is None or maximum is None:
            self.plan.fail(line, problems)
            return
        self.faces[(location, sku)] = line
        self.plan.limits.append(LimitSetting(line, location, sku, minimum, maximum))
