"""The picker's guided walk: totes for the slots, then each stop's location, item and tote."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from toteflow.contracts.tasks import Task, TaskLine
from toteflow.domain.layout import Layout
from toteflow.domain.pick_estimate import Estimator
from toteflow.domain.scan import DEFAULT_FORMATS, CodeFormats, ScanResult
from toteflow.station.ports.store import Notice
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import Person
from toteflow.station.services.picker import demo, views
from toteflow.station.services.picker.finish import Completion, Finishing
from toteflow.station.services.picker.outcome import Outcome
from toteflow.station.services.picker.scans import ScanRules
from toteflow.station.services.picker.state import Phase, SlotView, WalkState
from toteflow.station.services.picker.totes import Totes
from toteflow.station.services.picker.undo import Undo
from toteflow.station.services.picker.views import Progress, StopAhead, StopView


class PickWalk:
    """One task being worked at this station by one person: what to scan next, and the scans.

    The object the walk screens hold. What the person is doing now is `state`
    (`WalkState`); the parts act on it: `rules` (each scan, by the pure pick checks),
    `totes` (cart and tote set-up, a full tote), `undo`, and `finishing` (short, skip,
    pause, finish). Durable state lives in the station store.
    """

    def __init__(
        self,
        person: Person,
        task_id: int,
        floor: FloorActions,
        view: StationView,
        *,
        layout: Layout | None = None,
        formats: CodeFormats | None = None,
        today: Callable[[], date] = date.today,
        allow_keyed: bool = False,
    ) -> None:
        self.person = person
        self.task_id = task_id
        self.floor = floor
        self.view = view
        self.layout = layout
        self.formats = formats or DEFAULT_FORMATS
        self.today = today
        self._estimate = Estimator(layout)
        user = person.user_id
        self.state = state = WalkState(task_id, view)
        self.totes = Totes(state, floor, user)
        self.rules = ScanRules(state, floor, user, self.totes, today, allow_keyed=allow_keyed)
        self.undoing = Undo(state, floor, user)
        self.finishing = Finishing(state, floor, user)
        self._told_last = False

    # -- what the screens read ------------------------------------------------------------

    @property
    def task(self) -> Task:
        return self.state.task

    @property
    def kind(self) -> str:
        return self.state.task.kind

    @property
    def cart(self) -> str | None:
        return self.state.cart

    @property
    def setup_slot(self) -> int | None:
        return self.state.setup_slot

    @property
    def at_location(self) -> str | None:
        return self.state.at_location

    @property
    def in_hand(self) -> int:
        return self.state.in_hand

    @property
    def notices_due(self) -> bool:
        return self.state.notices_due

    @property
    def phase(self) -> Phase:
        return self.state.phase

    @property
    def setting_up(self) -> bool:
        return self.state.setting_up

    def refresh(self) -> None:
        """Re-read the task (after a recorded change, or when the change feed brought one)."""
        self.state.refresh()

    def slots(self) -> list[SlotView]:
        """Each slot with its order and tote, and whether it still needs a tote scanned."""
        return self.state.slots()

    def current_line(self) -> TaskLine | None:
        """The stop being worked: the one in hand, else the next open one in route order."""
        return self.state.current_line()

    def stop(self) -> StopView | None:
        return views.stop_view(self.state)

    def stops_ahead(self, count: int) -> list[StopAhead]:
        """The stops after the current one, next first (a large terminal lists them)."""
        return views.stops_ahead(self.state, count)

    def progress(self) -> Progress:
        return views.progress(self.state, self._estimate)

    def resumed_words(self) -> str:
        """Once per walk: what this station last committed for the task ('' when nothing).

        A walk opened on a task with picks recorded (after a restart, a crash, a log-out)
        shows it, so that a pick committed just before is not scanned a second time.
        """
        if self._told_last:
            return ""
        self._told_last = True
        return views.last_pick_words(self.view.last_pick(self.task_id), self.state)

    def prompt(self) -> str:
        """The instruction for the next scan, in a few words."""
        return views.prompt(self.state)

    # -- scans ----------------------------------------------------------------------------

    def pending_notices(self) -> tuple[Notice, ...]:
        return self.rules.pending_notices()

    def hand_words(self) -> str:
        """Units in hand for a line the feed cancelled, to tell with the notices; or ''."""
        return self.rules.hand_words()

    def acknowledge(self, notices: tuple[Notice, ...]) -> str:
        """The picker read these notices; returns what else to do (units in hand go back)."""
        return self.rules.acknowledge(notices)

    def scan(self, result: ScanResult) -> Outcome:
        """Act on one scan for the current phase; a bad outcome recorded nothing."""
        return self.rules.scan(result)

    # -- keys -----------------------------------------------------------------------------

    def set_quantity(self, quantity: int) -> Outcome:
        """Bulk: after one scan of the item, the number of units taken (counted by hand)."""
        return self.rules.set_quantity(quantity)

    def short_refusal(self) -> Outcome | None:
        """Why F2 (short) makes no sense now, or None: every unit still needed is in hand."""
        return self.finishing.short_refusal()

    def short(self, found: int, reason: str) -> Outcome:
        """Not all there: `found` units go into the tote now, the rest is reported missing."""
        return self.finishing.short(found, reason)

    def skip(self) -> Outcome:
        """Leave this stop for later: it comes back after every other open stop."""
        return self.finishing.skip()

    def undo(self) -> Outcome:
        """Take back the units in hand, else the last recorded pick (a compensating event)."""
        return self.undoing.undo()

    def tote_full(self) -> Outcome:
        """The current stop's tote is full: close it, then a new tote takes its slot."""
        return self.totes.tote_full()

    # -- the task as a whole --------------------------------------------------------------

    def start(self) -> None:
        """Record that work on the task began (or resumed after a pause)."""
        self.finishing.start()

    def pause(self) -> Outcome:
        return self.finishing.pause()

    def resume(self) -> Outcome:
        return self.finishing.resume()

    def finish(self) -> Completion:
        """Close every tote that holds units, then complete the task (only when all is done)."""
        return self.finishing.finish()

    # -- the demo scanner -----------------------------------------------------------------

    def expected_scan(self) -> str | None:
        """The label the screen asks for now, for the demo key (no hardware, no labels)."""
        return demo.expected_scan(self.state, self.formats)
