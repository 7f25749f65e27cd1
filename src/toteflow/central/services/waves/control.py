"""Floor control: a wave held, resumed or cancelled; a task taken back or given to another."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.ports.waves import WaveOrder
from toteflow.central.services import container_events
from toteflow.central.services.waves.common import (
    Clock,
    announce,
    existing,
    retrying,
    say,
    utc_now,
    wave_view,
)
from toteflow.contracts import tasks as tk
from toteflow.contracts import waves as wv
from toteflow.domain import orders as rules
from toteflow.domain.actor import Actor
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.orders import OrderStatus
from toteflow.domain.roles import Permission, Role, allows
from toteflow.domain.tasks import WORKABLE, FloorRefusal, TaskStatus, move_task


class FloorControlService:
    """A supervisor steering the floor: waves held, resumed, cancelled; tasks taken, given on."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock = utc_now) -> None:
        self.uow = uow
        self.clock = clock

    # cancel, hold, resume ---------------------------------------------------------------

    def cancel(self, actor: Actor, wave_id: int, reason: str) -> wv.WaveCancelled:
        """Stop a wave: orders not yet picked go back to the pool, their stock is freed.

        Orders already being picked keep their lines (the goods are in totes) and finish.
        """
        actor.require(Permission.MANAGE_WAVES)
        return retrying(self.uow, lambda uow: self._cancel(uow, actor, wave_id, reason))

    def _cancel(self, uow: UnitOfWork, actor: Actor, wave_id: int, reason: str) -> wv.WaveCancelled:
        row = existing(uow, wave_id, lock=True)
        if row.status not in ("planned", "released", "on_hold"):
            raise Refused(f"wave {row.name} is {say(row.status)}: it cannot be cancelled")
        returned: list[str] = []
        kept: list[str] = []
        cancelled_tasks = 0
        if row.status != "planned":
            orders = uow.wave_pool.wave_orders(wave_id, lock=True)
            back = [o for o in orders if _returnable(o)]
            kept = [o.reference for o in orders if not _returnable(o)]
            before = {t.id: t for t in uow.wave_tasks.wave_tasks(wave_id)}
            uow.wave_tasks.free_orders_work([o.id for o in back])
            # Back along the state machine: released -> allocated -> received. An order on
            # hold stays on hold, to come back received when its hold is released.
            unallocated = rules.advance(OrderStatus.RELEASED, OrderStatus.ALLOCATED).status
            received = rules.advance(unallocated, OrderStatus.RECEIVED).status
            uow.wave_pool.set_order_status(
                [o.id for o in back if o.status == OrderStatus.RELEASED],
                received.value,
                expect=("released",),
            )
            uow.wave_pool.set_order_status(
                [o.id for o in back if o.status == OrderStatus.ON_HOLD],
                "on_hold",
                expect=("on_hold",),
                held_from=received.value,
            )
            settled = uow.wave_tasks.settle_tasks(wave_id)
            # A cancelled task held no picks: its cart and totes are free for other work.
            freed = uow.containers.free_of_tasks(task.id for task in settled)
            container_events.announce(uow, freed)
            for task in settled:
                cancelled_tasks += 1
                if task.station_id is not None:
                    uow.feed.add_change(
                        "task.cancelled",
                        "task",
                        str(task.id),
                        {"task_id": task.id, "reason": f"wave {row.name} cancelled: {reason}"},
                        station_id=task.station_id,
                    )
                before.pop(task.id, None)
            # Tasks that go on without some of their lines: their stations are sent the task
            # again, and mark those lines cancelled.
            for task in before.values():
                if task.station_id is not None and task.status in WORKABLE:
                    announce(uow, task.id, task.station_id)
            returned = [o.reference for o in back]
            for reference in returned:
                uow.audit.record(
                    actor, "order.returned_to_pool", "order", reference, {"wave": row.name}
                )
        uow.waves.update(wave_id, status="cancelled")
        uow.audit.record(
            actor,
            "wave.cancelled",
            "wave",
            row.name,
            {"reason": reason, "returned": len(returned), "kept": len(kept)},
        )
        uow.commit()
        return wv.WaveCancelled(
            wave=wave_view(existing(uow, wave_id)),
            orders_returned=returned,
            orders_kept=kept,
            tasks_cancelled=cancelled_tasks,
        )

    def hold(self, actor: Actor, wave_id: int, reason: str) -> wv.Wave:
        """No more of the wave's tasks are handed out; tasks already in hand carry on."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = existing(uow, wave_id, lock=True)
            if row.status != "released":
                raise Refused(f"wave {row.name} is {say(row.status)}: only a released wave is held")
            # Paused with no one on it: next-task hand-out takes only ready tasks.
            held = uow.wave_tasks.set_wave_tasks(wave_id, "paused", where="ready", unassigned=True)
            uow.waves.update(wave_id, status="on_hold")
            uow.audit.record(
                actor, "wave.held", "wave", row.name, {"reason": reason, "tasks": held}
            )
            uow.commit()
            return wave_view(existing(uow, wave_id))

    def resume(self, actor: Actor, wave_id: int) -> wv.Wave:
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = existing(uow, wave_id, lock=True)
            if row.status != "on_hold":
                raise Refused(f"wave {row.name} is {say(row.status)}, not on hold")
            freed = uow.wave_tasks.set_wave_tasks(wave_id, "ready", where="paused", unassigned=True)
            uow.waves.update(wave_id, status="released")
            uow.audit.record(actor, "wave.resumed", "wave", row.name, {"tasks": freed})
            uow.commit()
            return wave_view(existing(uow, wave_id))

    # tasks ------------------------------------------------------------------------------

    def pickers(self, actor: Actor) -> list[wv.LoggedInPicker]:
        """Whom a task can be given to: active people who may pick, logged in at a station."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            found = uow.wave_tasks.logged_in(self.clock())
        return sorted(
            (
                wv.LoggedInPicker(
                    user_id=p.user_id,
                    name=p.name,
                    badge=p.badge,
                    station_id=p.station_id,
                    station=p.station,
                    since=p.since,
                )
                for p in found
                if p.active and allows(Role(p.role), Permission.PICK)
            ),
            key=lambda p: (p.name.lower(), p.user_id),
        )

    def unassign(self, actor: Actor, task_id: int, reason: str) -> tk.Task:
        """Take a task back from its picker: it goes back to the queue (or waits, if held)."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            task = uow.wave_tasks.task(task_id, lock=True)
            if task is None:
                raise NotFound(f"no task {task_id}")
            if task.user_id is None:
                raise Refused(f"task {task_id} is not assigned to anyone")
            _move(task.status, TaskStatus.READY, task_id)
            held = task.wave_id is not None and _wave_status(uow, task.wave_id) == "on_hold"
            uow.wave_tasks.set_task(task_id, "paused" if held else "ready", None, None, None)
            if task.station_id is not None:
                uow.feed.add_change(
                    "task.unassigned",
                    "task",
                    str(task_id),
                    {"task_id": task_id, "reason": reason},
                    station_id=task.station_id,
                )
            uow.audit.record(
                actor,
                "task.unassigned",
                "task",
                str(task_id),
                {"from": task.user_id, "reason": reason},
            )
            uow.commit()
            found = uow.tasks.get(task_id)
        assert found is not None
        return found

    def reassign(self, actor: Actor, task_id: int, user_id: int, reason: str) -> tk.Task:
        """Give a task to another person, at the station they are logged in at."""
        actor.require(Permission.MANAGE_WAVES)
        now = self.clock()
        with self.uow() as uow:
            task = uow.wave_tasks.task(task_id, lock=True)
            if task is None:
                raise NotFound(f"no task {task_id}")
            person = uow.people.get_user(user_id)
            if person is None:
                raise NotFound(f"no user {user_id}")
            if not person.active or not allows(person.role, Permission.PICK):
                raise Refused(f"{person.name} cannot take pick tasks")
            station_id = uow.wave_tasks.user_station(user_id, now)
            if station_id is None:
                raise Refused(f"{person.name} is not logged in at any station")
            if task.status != TaskStatus.READY:
                _move(task.status, TaskStatus.READY, task_id)
            if task.status == TaskStatus.PAUSED and task.user_id is None:
                raise Refused(f"task {task_id} waits for its wave to be resumed")
            _move(TaskStatus.READY, TaskStatus.ASSIGNED, task_id)
            uow.wave_tasks.set_task(task_id, "assigned", user_id, station_id, now)
            if task.station_id is not None:
                uow.feed.add_change(
                    "task.unassigned",
                    "task",
                    str(task_id),
                    {"task_id": task_id, "reason": reason or f"given to {person.name}"},
                    station_id=task.station_id,
                )
            found = announce(uow, task_id, station_id)
            uow.audit.record(
                actor,
                "task.reassigned",
                "task",
                str(task_id),
                {"from": task.user_id, "to": user_id, "station_id": station_id, "reason": reason},
            )
            uow.commit()
        return found


def _wave_status(uow: UnitOfWork, wave_id: int) -> str | None:
    row = uow.waves.get(wave_id)
    return row.status if row else None


def _move(current: str, target: TaskStatus, task_id: int) -> None:
    try:
        move_task(TaskStatus(current), target)
    except FloorRefusal as refusal:
        raise Refused(f"task {task_id}: {refusal}") from None


def _returnable(order: WaveOrder) -> bool:
    """An order of a cancelled wave goes back to the pool while nothing of it is picked."""
    return order.status == OrderStatus.RELEASED or (
        order.status == OrderStatus.ON_HOLD and order.held_from == OrderStatus.RELEASED
    )
