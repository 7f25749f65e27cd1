"""Test helpers: an order picked into a tote, ready at the pack station, straight into the DB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine

from tests.support.tasks import Item, Pick, make_task
from toteflow.central.store import tables as t


@dataclass(frozen=True)
class Measured:
    """An item with its single unit's size and weight, so cartonization can box it."""

    item: Item
    quantity: int
    size_mm: tuple[int, int, int] | None = (100, 80, 60)  # None: never measured
    weight_g: int = 400
    lot: str = ""  # the lot reserved and picked (a lot-tracked item)


def picked_into_tote(
    engine: Engine, reference: str, tote: str, lines: Sequence[Measured], *, first_aisle: int = 1
) -> None:
    """A released order, its discrete task done: every unit picked into `tote` for packing."""
    picks = [
        Pick(f"{first_aisle + n:02d}-001-1", line.item, line.quantity, lot=line.lot)
        for n, line in enumerate(lines)
    ]
    planned = make_task(engine, "discrete", {reference: picks}, destinations={reference: "pack"})
    with engine.begin() as connection:
        for line in lines:
            product_id = connection.execute(
                sa.select(t.cols(t.Product).id).where(t.cols(t.Product).sku == line.item.sku)
            ).scalar_one()
            if line.size_mm is None:
                continue
            length, width, height = line.size_mm
            connection.execute(
                sa.update(t.table(t.ProductUnit))
                .where(t.cols(t.ProductUnit).product_id == product_id)
                .values(length_mm=length, width_mm=width, height_mm=height, weight_g=line.weight_g)
            )
        order_line, task_line = t.cols(t.OrderLine), t.cols(t.TaskLine)
        for planned_line in planned.lines:
            connection.execute(
                sa.update(t.table(t.OrderLine))
                .where(order_line.id == planned_line.order_line_id)
                .values(picked=planned_line.quantity)
            )
            connection.execute(
                sa.update(t.table(t.TaskLine))
                .where(task_line.id == planned_line.task_line_id)
                .values(picked=planned_line.quantity, status="picked")
            )
        connection.execute(
            sa.update(t.table(t.Order))
            .where(t.cols(t.Order).reference == reference)
            .values(status="picked")
        )
        connection.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == planned.task_id)
            .values(status="done")
        )
        connection.execute(
            sa.update(t.table(t.TaskContainer))
            .where(t.cols(t.TaskContainer).task_id == planned.task_id)
            .values(tote_code=tote, status="closed", destination="pack")
        )
