"""Checking order rows: one row is one order line; the rows of one reference make one order."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pydantic import ValidationError

from toteflow.central.services.importing.cells import Cells, shown, validated
from toteflow.central.services.importing.columns import COLUMNS
from toteflow.central.services.importing.plan import Checker, OrderDraft
from toteflow.contracts import orders as ords
from toteflow.contracts.common import MAX_QUANTITY

MAX_ORDER_LINES = 500
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_ORDER_FIELDS: dict[tuple[str | int, ...], str] = {
    ("reference",): "reference",
    ("customer_name",): "customer_name",
    ("ship_to", "name"): "ship_name",
    ("ship_to", "line1"): "ship_line1",
    ("ship_to", "line2"): "ship_line2",
    ("ship_to", "city"): "ship_city",
    ("ship_to", "region"): "ship_region",
    ("ship_to", "postal_code"): "ship_postal_code",
    ("ship_to", "country"): "ship_country",
    ("carrier",): "carrier",
    ("service",): "service",
    ("priority",): "priority",
    ("ship_by",): "ship_by",
    ("lines", 0, "sku"): "sku",
    ("lines", 0, "quantity"): "quantity",
}
# The columns every row of one order repeats.
ORDER_HEADER_COLUMNS = tuple(c for c in COLUMNS["orders"].names if c not in ("sku", "quantity"))


def parse_order_row(values: Mapping[str, str]) -> tuple[ords.OrderCreate | None, list[str]]:
    """A one-line order from one row, or what is wrong with the row."""
    # The usual row first, without a Cells: a bad one is read again the careful way, for
    # every problem in plain words.
    if "".join(values.values()).isprintable() and (data := _plain_row(values)) is not None:
        try:
            return ords.OrderCreate.model_validate(data), []
        except ValidationError:
            pass
    cells = Cells(values, "orders")
    return validated(ords.OrderCreate, _row(cells), _ORDER_FIELDS, cells), cells.errors


def _row(cells: Cells) -> dict[str, Any]:
    priority = cells.whole("priority", 1, 9, default=5)
    ship_by = cells.day("ship_by", required=True)
    quantity = cells.whole("quantity", 1, MAX_QUANTITY)

    def text(column: str, _default: str = "") -> str:
        return cells.text(column)

    return _data(text, priority, ship_by, quantity)


def _plain_row(values: Mapping[str, str]) -> dict[str, Any] | None:
    """The usual row, read without a word for each value: printable, a priority of one digit
    (or none), a whole quantity in range and a date. None: read it the careful way."""
    priority_text, quantity_text = values.get("priority", ""), values.get("quantity", "")
    if priority_text:
        if len(priority_text) != 1 or not "1" <= priority_text <= "9":
            return None
        priority = int(priority_text)
    else:
        priority = 5
    if not (quantity_text.isascii() and quantity_text.isdigit()):
        return None
    quantity = int(quantity_text)
    ship_by_text = values.get("ship_by", "")
    if not 1 <= quantity <= MAX_QUANTITY or not _DATE.fullmatch(ship_by_text):
        return None
    try:
        ship_by = date.fromisoformat(ship_by_text)
    except ValueError:
        return None
    return _data(values.get, priority, ship_by, quantity)


def _data(
    get: Callable[[str, str], str],
    priority: int | None,
    ship_by: date | None,
    quantity: int | None,
) -> dict[str, Any]:
    # get(column, "") is the row's dict.get (no Python call per value) or Cells.text.
    return {
        "reference": get("reference", ""),
        "customer_name": get("customer_name", ""),
        "ship_to": {
            "name": get("ship_name", ""),
            "line1": get("ship_line1", ""),
            "line2": get("ship_line2", ""),
            "city": get("ship_city", ""),
            "region": get("ship_region", ""),
            "postal_code": get("ship_postal_code", ""),
            # Lower-case codes are unambiguous: accept them rather than reject the row.
            "country": get("ship_country", "").upper(),
        },
        "carrier": get("carrier", ""),
        "service": get("service", ""),
        "priority": priority,
        "ship_by": ship_by,
        "lines": [{"sku": get("sku", ""), "quantity": quantity}],
    }


def order_header(order: ords.OrderCreate) -> dict[str, Any]:
    """The order fields of a row, by column name."""
    to = order.ship_to
    return {
        "reference": order.reference,
        "customer_name": order.customer_name,
        "ship_name": to.name,
        "ship_line1": to.line1,
        "ship_line2": to.line2,
        "ship_city": to.city,
        "ship_region": to.region,
        "ship_postal_code": to.postal_code,
        "ship_country": to.country,
        "carrier": order.carrier,
        "service": order.service,
        "priority": order.priority,
        "ship_by": order.ship_by,
    }


class OrdersChecker(Checker):
    def row(self, line: int, values: Mapping[str, str]) -> None:
        plan, reference = self.plan, values.get("reference", "")
        order, errors = parse_order_row(values)
        sku = values.get("sku", "")
        # Looked up even when the row has other problems: all of them are said at once.
        if sku and len(sku) <= 64 and self.lookups.product(sku) is None:
            errors.append(f"unknown SKU {sku}")
            order = None
        if order is None:
            plan.fail(line, errors, reference)
            return
        quantity = order.lines[0].quantity
        draft = plan.orders.get(reference)
        if draft is None:
            plan.orders[reference] = OrderDraft(line, order, {sku: (line, quantity)})
            return
        header, first = order_header(order), order_header(draft.first)
        differ = [
            f"{column} {shown(header[column])} differs from line {draft.line} "
            f"({shown(first[column])})"
            for column in ORDER_HEADER_COLUMNS
            if header[column] != first[column]
        ]
        if differ:
            plan.fail(
                line,
                [
                    f"order {reference}: {'; '.join(differ)}: the rows of one order repeat "
                    "the same order fields"
                ],
                reference,
            )
        elif sku in draft.lines:
            plan.fail(
                line,
                [
                    f"SKU {sku} is already on line {draft.lines[sku][0]} of order {reference}: "
                    "put the quantities on one line"
                ],
                reference,
            )
        elif len(draft.lines) >= MAX_ORDER_LINES:
            plan.fail(
                line,
                [f"order {reference} has more than {MAX_ORDER_LINES} lines: split it"],
                reference,
            )
        else:
            draft.lines[sku] = (line, quantity)

    def finish(self) -> None:
        for reference in self.plan.bad_keys:
            self.plan.orders.pop(reference, None)
