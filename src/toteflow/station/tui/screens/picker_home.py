"""The picker's home: ask the server for work, or resume a task this station holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.contracts.tasks import Task
from toteflow.domain.errors import ServiceError
from toteflow.domain.words import plural
from toteflow.station.ports.store import SyncStatus
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.services.picker import PickerDesk
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def task_words(task: Task) -> str:
    """One line about a task: kind, cart or zone, stops and units, how far along."""
    lines = [ln for ln in task.lines if ln.status != "cancelled"]
    done = sum(1 for ln in lines if ln.status != "open")
    units = sum(ln.quantity for ln in lines)
    where = f" cart {task.cart}" if task.cart else f" zone {task.zone}" if task.zone else ""
    orders = len({c.order_reference for c in task.containers})
    status = task.status.replace("_", " ")
    return (
        f"Task {task.id} · {task.kind}{where} · {plural(orders, 'order')} · "
        f"{plural(len(lines), 'stop')}, {plural(units, 'unit')} · {done} done · {status}"
    )


def _held_words(held: list[Task]) -> str:
    """'Task 42 is paused', 'Task 42 is waiting for you' (the first held, the one F3 takes)."""
    task = held[0]
    state = "is paused" if task.status == "paused" else "is waiting for you"
    more = f" (and {plural(len(held) - 1, 'other')})" if len(held) > 1 else ""
    return f"Task {task.id} {state}{more}"


class PickerHomeScreen(StationScreen[None]):
    """The base of the picker mode: every task starts and ends here."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "ask_work", "Ask for work"),
        Binding("enter", "resume_or_ask", "Start", show=False),
        Binding("f3", "resume", "Resume task"),
        Binding("f4", "stock", "Stock"),
        # Shown only while something waits for a person: a refused event, or units picked
        # for an order cancelled since, to put back.
        Binding("f8", "refusals", "To resolve"),
        # Only where the site lets pickers replenish ([station] pickers_replenish).
        Binding("f6", "replenish", "Replenish"),
        # Only where the site lets anyone count ([counts] anyone_may_count).
        Binding("f7", "count", "Count"),
    ]

    def __init__(self, services: StationServices, person: Person) -> None:
        super().__init__()
        self.desk: PickerDesk = services.picker(person)
        self.person = person
        self.asking = False
        self._cursor = -1
        self._refused = 0
        # The task F2 pointed to instead of asking for more work; F2 again asks anyway.
        self._pointed: int | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static(self._hello(), id="home-hello")
        yield Static("Tasks held at this station for you", id="home-held-title")
        yield OptionList(id="home-held")
        yield ScanFeedback("Press F2 (or Enter) to ask for work", id="feedback")
        yield ScanPrompt("F2: ask for work · F3: resume the task picked above")
        yield Footer(compact=True)

    def _hello(self, held: list[Task] | None = None) -> str:
        if held:
            return f"Hello {self.person.first_name}. {_held_words(held)}: F3 resumes it."
        return f"Hello {self.person.first_name}. Press F2 to ask for work."

    def on_mount(self) -> None:
        self.station.task_label = ""
        self.refresh_tasks()
        self.refresh_refused()
        self.watch(self.app, "sync_status", self._sync_changed, init=False)

    def on_screen_resume(self) -> None:
        self.station.task_label = ""
        self._pointed = None
        self.refresh_tasks()
        self.refresh_refused()

    def _sync_changed(self, status: SyncStatus | None) -> None:
        # A task pushed by a supervisor arrives through the change feed.
        if status is not None and status.cursor != self._cursor:
            self._cursor = status.cursor
            self.refresh_tasks()
        if status is not None and status.exceptions_open != self._refused:
            self.refresh_refused()

    def refresh_refused(self) -> None:
        """Say on the home screen what waits for a person: refused events, units to put back."""
        waiting = self.desk.refusals().waiting()
        if waiting.total == self._refused:
            return
        self._refused = waiting.total
        self.refresh_bindings()
        feedback = self.query_one(ScanFeedback)
        if waiting.total:
            feedback.bad(f"{waiting.words}: press F8", headline=waiting.headline)
        else:
            feedback.idle("Press F2 (or Enter) to ask for work")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refusals":
            return self._refused > 0
        if action == "count":
            return self.services.anyone_may_count
        if action == "replenish":
            return self.services.pickers_replenish
        return True

    def action_stock(self) -> None:
        from toteflow.station.tui.screens.stock_inquiry import open_stock_inquiry

        open_stock_inquiry(self.app, self.services, self.person)

    def action_count(self) -> None:
        from toteflow.station.tui.screens.count_home import CountHomeScreen

        self.app.push_screen(CountHomeScreen(self.services, self.person))

    def action_replenish(self) -> None:
        from toteflow.station.tui.screens.replenish import ReplenishScreen

        self.app.push_screen(ReplenishScreen(self.services, self.person))

    def action_refusals(self) -> None:
        from toteflow.station.tui.screens.station_exceptions import StationExceptionsScreen

        self.app.push_screen(StationExceptionsScreen(self.desk.refusals()))

    def refresh_tasks(self) -> None:
        held = self.desk.held_tasks()
        options = self.query_one("#home-held", OptionList)
        options.clear_options()
        options.add_options([Option(task_words(t), id=str(t.id)) for t in held])
        if held:
            options.highlighted = 0
            options.focus()
            self.query_one("#home-held-title", Static).update(
                f"Tasks held at this station for you ({len(held)}): F3 resumes the highlighted one"
            )
        else:
            self.query_one("#home-held-title", Static).update("No task held for you")
        options.display = bool(held)
        self.query_one("#home-hello", Static).update(self._hello(held))

    def on_scan_received(self, message: ScanReceived) -> None:
        self.signal(False, "NO SCAN NEEDED HERE", "press F2 to ask for work")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A person's Enter on the list (a scanner's Enter never reaches a widget).
        if event.option.id is not None:
            self._open(int(event.option.id))

    def action_resume_or_ask(self) -> None:
        if self.desk.held_tasks():
            self.action_resume()
        else:
            self.action_ask_work()

    def action_resume(self) -> None:
        options = self.query_one("#home-held", OptionList)
        if options.highlighted is None or not options.option_count:
            self.signal(False, "NOTHING TO RESUME", "press F2 to ask for work")
            return
        option = options.get_option_at_index(options.highlighted)
        assert option.id is not None
        self._open(int(option.id))

    def action_ask_work(self) -> None:
        if self.asking:
            return
        held = self.desk.held_tasks()
        if held and self._pointed != held[0].id:
            # A picker with a task paused here most likely means to go on with it: say so
            # first; F2 again asks for new work all the same.
            self._pointed = held[0].id
            self.signal(
                False,
                f"{_held_words(held).upper()}",
                "F3 resumes it · F2 again asks for new work all the same",
            )
            return
        self._pointed = None
        self.asking = True
        # Scans right after F2 (the cart, the first tote) wait for the task's screen.
        self._ask(self.station.hold_input(self).release)

    @work(exclusive=True, group="ask-work")
    async def _ask(self, done: Callable[[], None]) -> None:
        try:
            await self._ask_and_open()
        finally:
            self.asking = False
            done()

    async def _ask_and_open(self) -> None:
        self.query_one(ScanFeedback).idle("Asking the server for work…")
        try:
            task = await self.desk.ask_for_work()
        except ServiceError as refusal:
            self.signal(False, "NO NEW WORK", str(refusal))
            return
        if task is None:
            self.signal(False, "NO WORK WAITING", "no task is released for picking: try later")
            self.refresh_tasks()
            return
        self._open(task.id)

    def _open(self, task_id: int) -> None:
        try:
            walk = self.desk.walk(task_id)
            walk.start()
        except ServiceError as refusal:
            self.signal(False, "CANNOT OPEN THE TASK", str(refusal))
            self.refresh_tasks()
            return
        self.query_one(ScanFeedback).idle("Press F2 (or Enter) to ask for work")
        self.station.open_walk(walk)
