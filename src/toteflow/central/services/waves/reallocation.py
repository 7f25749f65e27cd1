"""Re-allocating short units: into the task they came from, or into a new task."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.ports.waves import LineInfo, NewLine, NewTask
from toteflow.central.services.waves.common import (
    Clock,
    announce,
    in_layout,
    site_layout,
    stock_candidate,
    utc_now,
)
from toteflow.domain.actor import Actor
from toteflow.domain.allocation import Demand, allocate
from toteflow.domain.batching import tour
from toteflow.domain.floor_batch import FloorBatch
from toteflow.domain.layout import Layout
from toteflow.domain.tasks import WORKABLE


class ReallocationService:
    """Short units reserved elsewhere, inside the caller's transaction (a push, a resolve)."""

    def __init__(self, layout: Callable[[], Layout], clock: Clock = utc_now) -> None:
        self._layout = layout
        self.clock = clock

    def layout(self) -> Layout:
        return site_layout(self._layout)

    def reallocate_shorts(self, uow: UnitOfWork, batch: FloorBatch) -> dict[int, int]:
        """Re-allocate the units a batch of floor events reported short; units per task line.

        Called inside the push transaction before its writes: the new lines are in place when
        the orders' progress is worked out, so an order stays "picking" rather than "picked".
        """
        covered: dict[int, int] = defaultdict(int)
        system = Actor(None, None, None, "server")
        for note in batch.shorts:
            state = batch.lines.get(note.task_line_id)
            if state is None or state.order_status not in ("released", "picking"):
                continue
            origin = uow.wave_tasks.task_line_origin(note.task_line_id)
            line = uow.wave_pool.line_info(state.order_line_id)
            if origin is None or line is None:
                continue
            status = batch.tasks.get(state.task_id, state.task_status)
            target = (state.task_id, origin.slot) if status in WORKABLE else None
            got, _ = self.reallocate(
                uow,
                system,
                line,
                note.missing,
                frozenset({origin.location_id}),
                origin.wave_id,
                target,
                batch=batch,
            )
            covered[note.task_line_id] += got
        return dict(covered)

    def reallocate(
        self,
        uow: UnitOfWork,
        actor: Actor,
        line: LineInfo,
        missing: int,
        exclude: frozenset[int],
        wave_id: int | None,
        target: tuple[int, int] | None,
        *,
        batch: FloorBatch | None = None,
    ) -> tuple[int, int | None]:
        """Reserve missing units of a line elsewhere; into the target task's slot, or a new task.

        Inside a push, the line's `allocated` goes up through the batch: its short has taken
        the units off in a delta not yet written, and writing ours first would overshoot.
        """
        if missing < 1:
            return 0, None
        layout = self.layout()
        rows = {
            row.id: row
            for row in uow.wave_pool.stock([line.product_id], lock=True, exclude_locations=exclude)
            if in_layout(row, layout)
        }
        found = allocate(
            [Demand(line.id, line.order_id, line.product_id, missing, line.expiry_tracked)],
            (stock_candidate(row) for row in rows.values()),
            today=self.clock().astimezone().date(),
        )
        if not found.reservations:
            return 0, None
        got = sum(r.quantity for r in found.reservations)
        uow.wave_pool.reserve(found.by_stock())
        if batch is not None:
            batch.order_line_deltas[line.id][1] += got
        else:
            uow.wave_pool.add_allocated({line.id: got})
        slot = target[1] if target else 1
        new = [
            NewLine(line.id, rows[r.stock_id], line.product_id, r.quantity, slot)
            for r in found.reservations
        ]
        if target is not None:
            task_id = target[0]
            new.sort(key=lambda n: n.stock.location)
            uow.wave_tasks.append_lines(task_id, new)
            task = uow.wave_tasks.task(task_id, lock=False)
            if task is not None and task.station_id is not None:
                announce(uow, task_id, task.station_id)
        else:
            walked = tour(layout, ((n.stock.aisle, n.stock.bay) for n in new))
            place = {stop: i for i, stop in enumerate(walked.stops)}
            new.sort(key=lambda n: (place[(n.stock.aisle, n.stock.bay)], n.stock.location))
            (task_id,) = uow.wave_tasks.add_tasks(
                wave_id,
                [
                    NewTask(
                        "discrete",
                        None,
                        line.priority,
                        walked.distance_m,
                        (line.order_id,),
                        tuple(new),
                    )
                ],
            )
        uow.audit.record(
            actor,
            "order_line.reallocated",
            "order",
            line.reference,
            {"line_no": line.line_no, "sku": line.sku, "units": got, "task_id": task_id},
        )
        return got, task_id
