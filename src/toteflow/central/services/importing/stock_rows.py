"""Checking stock rows: one row is the quantity to set at one position."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from toteflow.central.services.importing.cells import Cells
from toteflow.central.services.importing.lookups import Lookups, ProductFacts
from toteflow.central.services.importing.plan import Checker, Plan, StockCount
from toteflow.contracts.common import MAX_QUANTITY


def parse_stock_row(values: Mapping[str, str], line: int) -> tuple[StockCount | None, list[str]]:
    """A count from one row, or what is wrong with the row."""
    cells = Cells(values, "stock")
    location = cells.required("location", 40)
    sku = cells.required("sku", 64)
    lot = cells.text("lot")
    if len(lot) > 40:
        cells.fail("lot", "lot is longer than 40 characters")
    expiry = cells.day("expiry", required=False)
    quantity = cells.whole("quantity", 0, MAX_QUANTITY)
    received_on = cells.day("received_on", required=False)
    if cells.bad or quantity is None:
        return None, cells.errors
    return StockCount(line, location, sku, lot, expiry, quantity, received_on), []


class StockChecker(Checker):
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        super().__init__(plan, lookups)
        self.positions: dict[tuple[str, str, str, date | None], int] = {}

    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan = self.plan
        count, problems = parse_stock_row(values, line)
        location, sku = values.get("location", ""), values.get("sku", "")
        # Looked up even when the row has other problems: all of them are said at once.
        active = self.lookups.location_active(location) if 0 < len(location) <= 40 else True
        if active is None:
            problems.append(f"unknown location {location}")
        elif not active:
            problems.append(f"location {location} is not in use (inactive)")
        facts = self.lookups.product(sku) if 0 < len(sku) <= 64 else None
        if facts is None and 0 < len(sku) <= 64:
            problems.append(f"unknown SKU {sku}")
        if count is None:
            plan.fail(line, problems)
            return
        if facts is not None:
            problems.extend(_tracking(count, facts))
        first = self.positions.get(count.position)
        if first is not None:
            problems.append(f"the same location, SKU, lot and expiry as line {first}")
        if not problems:
            on_hand = self.lookups.stock_at(count.location).get(
                (count.sku, count.lot, count.expiry)
            )
            if on_hand is not None and count.quantity < on_hand[1]:
                problems.append(
                    f"quantity {count.quantity} is below the {on_hand[1]} reserved for orders "
                    f"at {count.location}: pick or unreserve those first"
                )
        if problems:
            plan.fail(line, problems)
            return
        self.positions[count.position] = line
        plan.counts.append(count)


def _tracking(count: StockCount, facts: ProductFacts) -> list[str]:
    problems = []
    if facts.lot_tracked and not count.lot:
        problems.append(f"SKU {count.sku} is lot-tracked: lot is empty")
    if not facts.lot_tracked and count.lot:
        problems.append(f"SKU {count.sku} does not track lots: leave lot empty")
    if facts.expiry_tracked and count.expiry is None:
        problems.append(f"SKU {count.sku} is expiry-tracked: expiry is empty")
    if not facts.expiry_tracked and count.expiry is not None:
        problems.append(f"SKU {count.sku} does not track expiry: leave expiry empty")
    return problems
