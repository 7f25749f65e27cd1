"""Handing out pick tasks: each ready task goes to exactly one person at one station."""

from __future__ import annotations

from datetime import UTC, datetime

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.contracts import tasks as tk
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Forbidden, NotFound
from toteflow.domain.roles import Permission, Role


class TaskService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def next(self, actor: Actor) -> tk.Task | None:
        """Assign the next ready task to this person at this station, or None if none waits."""
        actor.require(Permission.PICK)
        if actor.user_id is None or actor.station_id is None:
            raise Forbidden("log in at a station to take pick tasks")
        with self.uow() as uow:
            task_id = uow.tasks.next_ready()
            if task_id is None:
                return None
            uow.tasks.assign(task_id, actor.user_id, actor.station_id, datetime.now(UTC))
            task = uow.tasks.get(task_id)
            assert task is not None
            # Also into the feed for this station: if this reply is lost, the pull delivers it.
            uow.feed.add_change(
                "task.assigned",
                "task",
                str(task_id),
                task.model_dump(mode="json"),
                station_id=actor.station_id,
            )
            uow.audit.record(
                actor, "task.assigned", "task", str(task_id), {"user_id": actor.user_id}
            )
            uow.commit()
        return task

    def get(self, actor: Actor, task_id: int) -> tk.Task:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            task = uow.tasks.get(task_id)
        if task is None:
            raise NotFound(f"no task {task_id}")
        if actor.role == Role.PICKER and task.user_id not in (None, actor.user_id):
            raise Forbidden("this task belongs to another picker")
        return task
