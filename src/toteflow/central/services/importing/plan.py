"""A checked file: the problems found, and the orders, products and counts a write would make."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toteflow.central.services.importing.columns import Kind
from toteflow.central.services.importing.lookups import Lookups
from toteflow.central.services.importing.reading import Header
from toteflow.contracts import catalogue as cat
from toteflow.contracts import notices as nts
from toteflow.contracts import orders as ords


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one row; str() reads `line 17: ship_by '2026-13-01' is not ...`."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class OrderDraft:
    line: int
    first: ords.OrderCreate  # the order as its first row made it, checked
    lines: dict[str, tuple[int, int]]  # sku -> (line, quantity); compact for big files

    def order(self) -> ords.OrderCreate:
        """The order with every line: its first row's checked order, with the lines of all
        its rows (each checked on its row, distinct and not too many) and nothing validated
        again: building the models anew cost more than writing them."""
        if len(self.lines) == 1:
            return self.first
        lines = [
            ords.OrderLineIn.model_construct(sku=sku, quantity=quantity)
            for sku, (_line, quantity) in self.lines.items()
        ]
        return self.first.model_copy(update={"lines": lines})


class Provenance:
    """Each imported order's audit detail, as JSON text: the file, the line of its first row,
    and its lines as received.

    Not the whole order, as an order created through the API records: its other fields are
    on its row and no change alters them, while its lines may change (audited with before
    and after). The same 100,000 copies of names and addresses cost the import a fifth of its
    time and the audit log its size.
    """

    def __init__(self, file_name: str) -> None:
        self._head = '{"file": ' + json.dumps(file_name) + ', "line": '
        self._skus: dict[str, str] = {}  # SKU -> as JSON: a file names few, again and again

    def detail(self, draft: OrderDraft) -> str:
        lines = ", ".join(
            f'{{"sku": {self._sku(sku)}, "quantity": {quantity}}}'
            for sku, (_line, quantity) in draft.lines.items()
        )
        return f'{self._head}{draft.line}, "lines": [{lines}]}}'

    def _sku(self, sku: str) -> str:
        encoded = self._skus.get(sku)
        if encoded is None:
            encoded = self._skus[sku] = json.dumps(sku)
        return encoded


@dataclass
class ProductDraft:
    line: int
    product: cat.ProductCreate  # with every unit seen so far
    uom_lines: dict[str, int]
    present: bool  # the SKU is in the database already


@dataclass(frozen=True, slots=True)
class StockCount:
    """How many of a SKU (lot, expiry) are at a location: the quantity to set, not a change."""

    line: int
    location: str
    sku: str
    lot: str
    expiry: date | None
    quantity: int
    received_on: date | None

    @property
    def position(self) -> tuple[str, str, str, date | None]:
        return (self.location, self.sku, self.lot, self.expiry)


@dataclass(frozen=True, slots=True)
class LimitSetting:
    """A pick face's min/max of a SKU, as one row sets it."""

    line: int
    location: str
    sku: str
    minimum: int
    maximum: int


@dataclass
class NoticeDraft:
    line: int
    notice: nts.NoticeCreate  # checked: built from all its rows once the file is read


@dataclass
class Plan:
    """A checked file: the problems found, and what a write would create or set."""

    kind: Kind
    path: Path
    header: Header | None = None
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    bad_lines: dict[int, list[str]] = field(default_factory=dict)
    bad_keys: dict[str, int] = field(default_factory=dict)  # reference/SKU -> first bad line
    bad_units: set[str] = field(default_factory=set)
    orders: dict[str, OrderDraft] = field(default_factory=dict)
    products: dict[str, ProductDraft] = field(default_factory=dict)
    counts: list[StockCount] = field(default_factory=list)
    notices: dict[str, NoticeDraft] = field(default_factory=dict)
    limits: list[LimitSetting] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, line: int, messages: Sequence[str], key: str | None = None) -> None:
        for message in messages:
            self.problems.append(Problem(line, message))
        self.bad_lines.setdefault(line, []).extend(messages)
        if key:
            self.bad_keys.setdefault(key, line)
        self.bad_units.add(key or f"line {line}")

    def to_write(self) -> int:
        """How many orders, products or stock positions a write goes through."""
        if self.kind == "orders":
            return len(self.orders)
        if self.kind == "products":
            return len(self.products)
        if self.kind == "notices":
            return len(self.notices)
        if self.kind == "face-limits":
            return len(self.limits)
        return len(self.counts)


class Checker:
    def __init__(self, plan: Plan, lookups: Lookups) -> None:
        self.plan = plan
        self.lookups = lookups

    def row(self, line: int, values: Mapping[str, str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Drop what bad rows spoiled: an order or product with any bad row goes as a whole."""
