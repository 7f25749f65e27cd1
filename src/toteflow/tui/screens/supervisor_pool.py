"""The order pool with filters, and the wave builder: a template and the filters into a preview."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.contracts import waves as wv
from toteflow.services.errors import ServiceError
from toteflow.services.wave_console import PROFILES, PoolFilter, WaveConsole, parse_ship_by
from toteflow.tui.screens.supervisor_base import SupervisorScreen
from toteflow.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.tui.widgets.scan_feedback import ScanFeedback
from toteflow.tui.widgets.status_bar import StatusBar

NO_TEMPLATE = "-"
IDLE = "Type filters, Enter applies · arrows choose a template · F5 builds the wave"


def profile_words(profile: wv.Profile | None) -> str:
    return profile.replace("_", " ") if profile else "any profile"


class PoolScreen(SupervisorScreen):
    """Filters on top, templates on the left, the pool's groups on the right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f2", "apply", "Apply filters"),
        Binding("f4", "profile", "Profile"),
        Binding("f5", "build", "Build wave"),
    ]

    def __init__(self, console: WaveConsole) -> None:
        super().__init__(console)
        self.profile_index = 0
        self.groups: list[wv.PoolGroup] = []

    @property
    def profile(self) -> wv.Profile | None:
        return PROFILES[self.profile_index]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Horizontal(id="pool-filters"):
            yield Input(id="pool-carrier", placeholder="carrier (any)", max_length=40)
            yield Input(id="pool-ship-by", placeholder="ship by YYYY-MM-DD", max_length=10)
            yield Static(f"F4: {profile_words(None)}", id="pool-profile")
        with Horizontal(id="pool-body"):
            yield OptionList(id="pool-templates")
            table: DataTable[str] = DataTable(id="pool-table", cursor_type="row")
            table.add_columns("Carrier", "Service", "Ship by", "Ord", "Lines", "1u", "1l", "Multi")
            yield table
        yield Static("", id="pool-totals")
        yield ScanFeedback(IDLE, id="sup-feedback")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#pool-carrier", Input).focus()
        self._load_templates()
        self.action_apply()

    @work(exclusive=True, group="pool-templates")
    async def _load_templates(self) -> None:
        templates = await self.ask(self.console.templates(), "NO TEMPLATES")
        options = self.query_one("#pool-templates", OptionList)
        options.clear_options()
        options.add_option(Option("No template: the filters", id=NO_TEMPLATE))
        for template in templates or []:
            options.add_option(Option(template.title, id=template.name))
        options.highlighted = 0

    def _filter(self) -> PoolFilter | None:
        try:
            ship_by = parse_ship_by(self.query_one("#pool-ship-by", Input).value)
            chosen = PoolFilter(
                carrier=self.query_one("#pool-carrier", Input).value.strip(),
                ship_by=ship_by,
                profile=self.profile,
            )
            chosen.filters()  # a carrier that is not a code is refused here, before a call
        except ServiceError as refusal:
            self.signal(False, "FILTER NOT USED", str(refusal))
            return None
        return chosen

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        chosen = self._filter()
        if chosen is not None:
            self._load_pool(chosen)

    def action_profile(self) -> None:
        self.profile_index = (self.profile_index + 1) % len(PROFILES)
        self.query_one("#pool-profile", Static).update(f"F4: {profile_words(self.profile)}")
        self.action_apply()

    @work(exclusive=True, group="pool")
    async def _load_pool(self, chosen: PoolFilter) -> None:
        groups = await self.ask(self.console.pool(chosen), "CANNOT READ THE POOL")
        if groups is None:
            return
        self.groups = groups
        table: DataTable[str] = self.query_one("#pool-table", DataTable)
        table.clear()
        for n, g in enumerate(groups):
            table.add_row(
                g.carrier,
                g.service,
                g.ship_by.isoformat(),
                str(g.orders),
                str(g.lines),
                str(g.single_unit),
                str(g.single_line),
                str(g.multi_line),
                key=str(n),
            )
        orders = sum(g.orders for g in groups)
        lines = sum(g.lines for g in groups)
        units = sum(g.units for g in groups)
        self.query_one("#pool-totals", Static).update(
            f"Pool: {orders} orders, {lines} lines, {units} units waiting"
            f" ({profile_words(chosen.profile)})"
        )
        self.say(IDLE)

    def _template(self) -> str | None:
        options = self.query_one("#pool-templates", OptionList)
        if options.highlighted is None or not options.option_count:
            return None
        chosen = options.get_option_at_index(options.highlighted).id
        return None if chosen in (None, NO_TEMPLATE) else chosen

    def action_build(self) -> None:
        chosen = self._filter()
        if chosen is not None:
            self._build(self._template(), chosen)

    @work(exclusive=True, group="pool-build")
    async def _build(self, template: str | None, chosen: PoolFilter) -> None:
        self.say("Building the wave and its preview…")
        built = await self.ask(self.console.build(template, chosen), "NO WAVE BUILT")
        if built is None:
            return
        wave, preview = built
        self.say(IDLE)
        self.app.push_screen(WavePreviewScreen(self.console, wave, preview))
