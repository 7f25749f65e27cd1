"""An order as the packer sees it: each line's checked, short and boxed units; its cartons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toteflow.contracts.shipping import PackOrder
from toteflow.station.ports.packing import CartonRecord, PackState


@dataclass(frozen=True)
class LineView:
    sku: str
    description: str
    expected: int
    verified: int
    shorted: int
    packed: int

    @property
    def to_verify(self) -> int:
        return self.expected - self.verified - self.shorted

    @property
    def to_box(self) -> int:
        return self.verified - self.packed


@dataclass(frozen=True)
class PackView:
    reference: str
    order: PackOrder
    status: str
    lines: tuple[LineView, ...]
    cartons: tuple[CartonRecord, ...]

    @property
    def all_checked(self) -> bool:
        return all(line.to_verify == 0 for line in self.lines)

    @property
    def all_boxed(self) -> bool:
        return all(line.to_box == 0 for line in self.lines)

    @property
    def any_short(self) -> bool:
        return any(line.shorted for line in self.lines)


def pack_view(state: PackState, cartons: Sequence[CartonRecord]) -> PackView:
    packed: dict[str, int] = {}
    for carton in cartons:
        for sku, quantity in carton.contents.items():
            packed[sku] = packed.get(sku, 0) + quantity
    lines = tuple(
        LineView(
            sku=line.sku,
            description=line.description,
            expected=line.picked,
            verified=state.verified.get(line.sku, 0),
            shorted=state.shorted.get(line.sku, 0),
            packed=packed.get(line.sku, 0),
        )
        for line in state.order.lines
    )
    return PackView(state.reference, state.order, state.status, lines, tuple(cartons))
