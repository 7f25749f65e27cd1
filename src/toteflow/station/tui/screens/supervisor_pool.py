"""The order pool with filters, and the wave builder: a template and the filters into a preview."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from toteflow.contracts import waves as wv
from toteflow.station.services.wave_console import WaveConsole, pool_words
from toteflow.station.services.wave_filters import PROFILES, PoolFilter
from toteflow.station.tui.screens.supervisor_base import SupervisorScreen
from toteflow.station.tui.screens.supervisor_filters import FilterDialog
from toteflow.station.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

NO_TEMPLATE = "-"
IDLE = "F2 filters · arrows: a template and its filters · F5 builds the wave"


class PoolScreen(SupervisorScreen):
    """The filters on one line, templates on the left, the pool's groups on the right.

    The filters shown are the ones a wave is built with: choosing a template puts its
    filters there (F2 then changes them), and building sends every one of them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f2", "filters", "Filters"),
        Binding("f4", "profile", "Profile"),
        Binding("f5", "build", "Build wave"),
    ]

    def __init__(self, console: WaveConsole) -> None:
        super().__init__(console)
        self.chosen = PoolFilter()
        self.template: str | None = None
        self.templates: dict[str, wv.WaveTemplate] = {}
        self.groups: list[wv.PoolGroup] = []
        self.pool: wv.Pool | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="pool-filters", markup=False)
        with Horizontal(id="pool-body"):
            yield OptionList(id="pool-templates")
            table: DataTable[str] = DataTable(id="pool-table", cursor_type="row")
            table.add_columns("Carrier", "Service", "Ship by", "Ord", "Lines", "1u", "1l", "Multi")
            yield table
        yield Static("", id="pool-totals", markup=False)
        yield ScanFeedback(IDLE, id="sup-feedback")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#pool-templates", OptionList).focus()
        self._show_filters()
        self._load_templates()
        self.action_apply()

    @work(exclusive=True, group="pool-templates")
    async def _load_templates(self) -> None:
        templates = await self.ask(self.console.templates(), "NO TEMPLATES")
        self.templates = {t.name: t for t in templates or []}
        options = self.query_one("#pool-templates", OptionList)
        options.clear_options()
        options.add_option(Option("No template: the filters", id=NO_TEMPLATE))
        for template in templates or []:
            options.add_option(Option(template.title, id=template.name))
        options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#pool-templates")
    def template_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A template brings its filters; "no template" keeps the filters as they are."""
        template = self.templates.get(event.option.id or NO_TEMPLATE)
        if template is None:
            self.template = None
        else:
            self.template = template.name
            self.chosen = PoolFilter.of(template.filters)
        self._show_filters()
        self.action_apply()

    def _show_filters(self) -> None:
        said = f"({self.template}) " if self.template else ""
        self.query_one("#pool-filters", Static).update(
            f"Filters {said}{self.chosen.summary()} (F2)"
        )

    def action_apply(self) -> None:
        self._load_pool(self.chosen)

    def action_filters(self) -> None:
        def chosen(new: PoolFilter | None) -> None:
            if new is not None:
                self.chosen = new
                self._show_filters()
                self.action_apply()

        self.app.push_screen(FilterDialog(self.chosen, self.template), chosen)

    def action_profile(self) -> None:
        index = (PROFILES.index(self.chosen.profile) + 1) % len(PROFILES)
        self.chosen = replace(self.chosen, profile=PROFILES[index])
        self._show_filters()
        self.action_apply()

    @work(exclusive=True, group="pool")
    async def _load_pool(self, chosen: PoolFilter) -> None:
        pool = await self.ask(self.console.pool(chosen), "CANNOT READ THE POOL")
        if pool is None:
            return
        self.pool = pool
        self.groups = pool.groups
        table: DataTable[str] = self.query_one("#pool-table", DataTable)
        table.clear()
        for n, g in enumerate(pool.groups):
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
        # Every filter is applied by the server, as for the preview: these are its orders.
        self.query_one("#pool-totals", Static).update(pool_words(pool))
        self.say(IDLE)

    def action_build(self) -> None:
        self._build(self.template, self.chosen)

    @work(exclusive=True, group="pool-build")
    async def _build(self, template: str | None, chosen: PoolFilter) -> None:
        self.say("Building the wave and its preview…")
        built = await self.ask(self.console.build(template, chosen), "NO WAVE BUILT")
        if built is None:
            return
        wave, preview = built
        self.say(IDLE)
        # Back from the preview the pool is read again: a release took orders out of it.
        self.app.push_screen(
            WavePreviewScreen(self.console, wave, preview), lambda _: self.action_apply()
        )
