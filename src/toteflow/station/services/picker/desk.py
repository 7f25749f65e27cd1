"""A logged-in picker's desk: their held tasks, asking the server for work, opening a walk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from toteflow.contracts.tasks import Task
from toteflow.domain.layout import Layout
from toteflow.domain.scan import CodeFormats
from toteflow.station.ports.store import TaskServer
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import Person
from toteflow.station.services.picker.walk import PickWalk
from toteflow.station.services.refusals import RefusalDesk


class PickerDesk:
    """A logged-in picker's use cases: their held tasks, asking for work, opening a walk."""

    def __init__(
        self,
        person: Person,
        floor: FloorActions,
        view: StationView,
        server: TaskServer,
        *,
        layout: Layout | None = None,
        formats: CodeFormats | None = None,
        today: Callable[[], date] = date.today,
        allow_keyed: bool = False,
    ) -> None:
        self.person = person
        self.floor = floor
        self.view = view
        self.server = server
        self.layout = layout
        self.formats = formats
        self.today = today
        self.allow_keyed = allow_keyed

    def held_tasks(self) -> list[Task]:
        """Tasks this station holds for this person, not done or cancelled, oldest first."""
        return self.view.tasks(self.person.user_id)

    async def ask_for_work(self) -> Task | None:
        """The next task from the server, kept locally before it is shown; None: no work."""
        task = await self.server.next_task(self.person.session_token)
        if task is not None:
            self.view.store_task(task)
        return task

    def refusals(self) -> RefusalDesk:
        """The events the server refused from this station, for a person to resolve."""
        return RefusalDesk(self.person.user_id, self.floor, self.view)

    def walk(self, task_id: int) -> PickWalk:
        return PickWalk(
            self.person,
            task_id,
            self.floor,
            self.view,
            layout=self.layout,
            formats=self.formats,
            today=self.today,
            allow_keyed=self.allow_keyed,
        )
