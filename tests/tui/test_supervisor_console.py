"""The supervisor's wave console driven with Pilot against a real server on a loopback port.

A supervisor logs in, filters the pool, builds a wave from a template, reads its preview,
releases it, follows progress while a picker works through the API, resolves the short the
picker reported, and reassigns and unassigns a task; refusals and a dead server change nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from textual.widgets import DataTable, Input, OptionList, Static

from tests.server.conftest import BADGES, PINS
from tests.support.wave_floor import (
    add_locations,
    add_orders,
    add_product,
    add_stock,
    order,
    order_states,
    rows,
)
from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    until,
    world_fixture,  # noqa: F401  (the fixture)
)
from toteflow.central.store import tables as t
from toteflow.contracts import waves as wv
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role
from toteflow.station.services.wave_filters import PoolFilter
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.help import HelpScreen
from toteflow.station.tui.screens.supervisor_console import SupervisorConsoleScreen
from toteflow.station.tui.screens.supervisor_dialogs import (
    ExceptionDetail,
    PickerDialog,
    ReasonDialog,
    ResolveDialog,
)
from toteflow.station.tui.screens.supervisor_exceptions import ExceptionsScreen
from toteflow.station.tui.screens.supervisor_filters import FilterDialog
from toteflow.station.tui.screens.supervisor_pool import PoolScreen
from toteflow.station.tui.screens.supervisor_preview import WavePreviewScreen
from toteflow.station.tui.screens.supervisor_progress import WaveProgressScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio
API = "/api/v1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def floor(world: World) -> World:
    """SO-1 (SKU-A, SKU-B) and SO-2 (SKU-E, short) are urgent UPS orders; SO-3 and SO-4 not."""
    services = world.parts.services
    add_locations(services, ["02-005-1", "05-030-1", "19-038-1"])
    for sku in ("SKU-A", "SKU-B", "SKU-E"):
        add_product(services, sku)
    add_stock(services, "02-005-1", "SKU-A", 20)
    add_stock(services, "05-030-1", "SKU-B", 10)
    add_stock(services, "19-038-1", "SKU-E", 2)
    add_orders(
        services,
        [
            order("SO-1", [("SKU-A", 1), ("SKU-B", 2)], priority=1),
            order("SO-2", [("SKU-E", 5)], priority=3),
            order("SO-3", [("SKU-A", 1)], carrier="FEDEX", service="HOME"),
            order("SO-4", [("SKU-A", 1)]),
        ],
    )
    return world


class ApiPicker:
    """A picker at another station (pick-02), working through the HTTP API."""

    def __init__(self, world: World, role: Role = Role.PICKER) -> None:
        station = world.parts.services.people.register_station(
            SYSTEM, StationCreate(name=f"api-{role.value}")
        )
        self.station_id = station.station.id
        self.http = httpx.Client(base_url=world.server.url + API, timeout=10)
        self.headers = {"Authorization": f"Bearer {station.token}"}
        reply = self.http.post(
            "/auth/login",
            json={"badge": BADGES[role], "pin": PINS[role]},
            headers=self.headers,
        )
        assert reply.status_code == 200, reply.text
        self.user_id = reply.json()["user"]["id"]
        self.headers["X-Toteflow-Session"] = reply.json()["token"]
        self.seq = 0

    def next_task(self) -> dict[str, Any]:
        reply = self.http.post("/tasks/next", headers=self.headers)
        assert reply.status_code == 200, reply.text
        task: dict[str, Any] = reply.json()
        return task

    def push(self, type_: str, payload: dict[str, Any]) -> None:
        self.seq += 1
        event = {
            "id": str(uuid.uuid4()),
            "seq": self.seq,
            "user_id": self.user_id,
            "type": type_,
            "payload": payload,
            "station_time": datetime.now(UTC).isoformat(),
        }
        reply = self.http.post(
            "/sync/push",
            json={"station_id": self.station_id, "events": [event]},
            headers=self.headers,
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["results"][0]["status"] == "applied", reply.text


def feedback(app: StationApp) -> str:
    return str(app.screen.query_one(ScanFeedback).render())


def tasks_of_wave(world: World) -> list[Any]:
    task = t.cols(t.Task)
    return rows(world.parts.engine, sa.select(task.id, task.status, task.user_id).order_by(task.id))


def open_exceptions(world: World) -> list[Any]:
    ex = t.cols(t.FloorException)
    return rows(
        world.parts.engine,
        sa.select(ex.id, ex.kind, ex.status, ex.resolution).where(ex.status == "open"),
    )


async def console(pilot: Any) -> SupervisorConsoleScreen:
    await log_in(pilot, Role.SUPERVISOR)
    screen: SupervisorConsoleScreen = await on_screen(pilot, SupervisorConsoleScreen)
    assert await until(pilot, lambda: screen.refreshes > 0)
    return screen


async def filter_dialog(pilot: Any, **typed: str) -> FilterDialog:
    """F2 on the pool, then the given fields typed over (by filter name); Enter is left to do."""
    await press(pilot, "f2")
    dialog: FilterDialog = await on_screen(pilot, FilterDialog)
    for field, text in typed.items():
        dialog.query_one(f"#filter-{field.replace('_', '-')}", Input).value = text
    return dialog


async def set_filters(pilot: Any, **typed: str) -> None:
    await filter_dialog(pilot, **typed)
    await press(pilot, "enter")
    await on_screen(pilot, PoolScreen)


def shown_filters(pool: PoolScreen) -> str:
    return str(pool.query_one("#pool-filters", Static).render())


async def test_build_release_follow_resolve_and_reassign(floor: World) -> None:
    app = await floor.station_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await console(pilot)
        # The pool, filtered to one carrier in the filter dialog (F2).
        await press(pilot, "f2")
        pool: PoolScreen = await on_screen(pilot, PoolScreen)
        assert await until(pilot, lambda: len(pool.groups) == 2)
        await set_filters(pilot, carrier="fedex")
        assert await until(pilot, lambda: [g.carrier for g in pool.groups] == ["FEDEX"])
        await set_filters(pilot, carrier="UPS")
        assert await until(pilot, lambda: [g.orders for g in pool.groups] == [3])
        assert (
            str(pool.query_one("#pool-totals", Static).render())
            == "Pool: 3 of 4 waiting orders, 4 lines, 9 units\nLeft out by carrier UPS: 1"
        )
        # The "express" template brings its filters (priorities 1 and 3) in place of UPS ...
        templates = pool.query_one("#pool-templates", OptionList)
        assert await until(pilot, lambda: templates.option_count > 1)
        templates.focus()
        ids = [templates.get_option_at_index(i).id for i in range(templates.option_count)]
        await press(pilot, *["down"] * ids.index("express"))
        assert templates.highlighted == ids.index("express")
        assert "(express) prio 1,3 (F2)" in shown_filters(pool)
        # ... which the dialog narrows to UPS: SO-1 and SO-2.
        dialog = await filter_dialog(pilot, carrier="ups")
        assert dialog.query_one("#filter-priorities", Input).value == "1,3"
        await press(pilot, "enter")
        await on_screen(pilot, PoolScreen)
        assert "(express) UPS · prio 1,3 (F2)" in shown_filters(pool)
        await press(pilot, "f5")
        preview: WavePreviewScreen = await on_screen(pilot, WavePreviewScreen)
        # The wave is built with exactly the filters shown, the template's strategy.
        assert preview.wave.filters == wv.WaveFilters(carrier="UPS", priorities=[1, 3])
        assert (preview.wave.template, preview.wave.strategy) == ("express", "discrete")
        figures = preview.preview
        assert (figures.orders, figures.lines, figures.units, figures.tasks) == (2, 3, 5, 2)
        assert [(s.order_reference, s.missing) for s in figures.shortages] == [("SO-2", 3)]
        words = str(preview.query_one("#preview-figures", Static).render())
        assert "Orders 2 · lines 3 · units 5" in words
        assert "SHORT 3 units" in words
        assert order_states(floor.parts.engine)["SO-1"] == "received"  # a preview moves nothing
        # Release.
        await press(pilot, "f5")
        assert await until(pilot, lambda: preview.released is not None)
        assert "RELEASED" in feedback(app)
        # Released: F5 and F8 would do nothing now, so they leave the footer.
        await pilot.pause()
        footer = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert not {"f5", "f8"} & footer
        assert "escape" in footer
        states = order_states(floor.parts.engine)
        assert (states["SO-1"], states["SO-2"], states["SO-4"]) == ("released",) * 2 + ("received",)
        wave_id = preview.wave.id
        await press(pilot, "escape")
        await press(pilot, "escape")
        home: SupervisorConsoleScreen = await on_screen(pilot, SupervisorConsoleScreen)
        assert await until(pilot, lambda: home.lines.get(str(wave_id)) is not None)
        assert home.lines[str(wave_id)].wave.status == "released"
        # Progress, then a picker works: one line picked, one short.
        await press(pilot, "f4")
        progress: WaveProgressScreen = await on_screen(pilot, WaveProgressScreen)
        assert await until(pilot, lambda: progress.progress is not None)
        assert progress.progress is not None
        assert (progress.progress.lines_done, progress.progress.lines) == (0, 3)
        picker = ApiPicker(floor)
        task = picker.next_task()
        by_sku = {line["sku"]: line for line in task["lines"]}
        picker.push("task.started", {"task_id": task["id"]})
        picker.push("pick.confirmed", {"task_line_id": by_sku["SKU-B"]["id"], "quantity": 2})
        picker.push(
            "pick.shorted",
            {"task_line_id": by_sku["SKU-A"]["id"], "missing": 1, "reason": "empty"},
        )
        before = progress.refreshes
        progress.reload()  # the 5-second timer does the same; the test does not wait for it
        assert await until(pilot, lambda: progress.refreshes > before)
        moved = progress.progress
        assert moved is not None
        assert (moved.lines_done, moved.lines_short) == (2, 1)
        assert [(p.name, p.lines_done) for p in moved.pickers] == [("Picker One", 2)]
        assert "2/3 lines" in str(progress.query_one("#sup-title", Static).render())
        # Reassign the other task: to someone not logged in anywhere (refused), then the picker.
        other = next(t_ for t_ in moved.open_tasks if t_.id != task["id"])
        tasks = progress.query_one("#progress-tasks", DataTable)
        tasks.move_cursor(row=tasks.get_row_index(str(other.id)))
        await press(pilot, "f6")
        dialog: PickerDialog = await on_screen(pilot, PickerDialog)
        # Only who is logged in at a station: not Admin One (nowhere), nor the supervisor
        # asking, whose station is this console.
        assert [(p.name, p.station) for p in dialog.pickers.values()] == [
            ("Picker One", "api-picker")
        ]
        await press(pilot, "enter")
        await on_screen(pilot, WaveProgressScreen)
        assert await until(pilot, lambda: "GIVEN TO PICKER ONE" in feedback(app))
        assert {r.id: (r.status, r.user_id) for r in tasks_of_wave(floor)}[other.id] == (
            "assigned",
            picker.user_id,
        )
        assert await until(
            pilot,
            lambda: (
                progress.progress is not None
                and any(
                    t_.user_id == picker.user_id
                    for t_ in progress.progress.open_tasks
                    if t_.id == other.id
                )
            ),
        )
        tasks.move_cursor(row=tasks.get_row_index(str(other.id)))
        await press(pilot, "f7")
        assert await until(pilot, lambda: "UNASSIGNED" in feedback(app))
        assert {r.id: (r.status, r.user_id) for r in tasks_of_wave(floor)}[other.id] == (
            "ready",
            None,
        )
        # The picker's short is an open exception: resolve it with a note.
        await press(pilot, "escape")
        await on_screen(pilot, SupervisorConsoleScreen)
        await press(pilot, "f5")
        exceptions: ExceptionsScreen = await on_screen(pilot, ExceptionsScreen)
        assert await until(pilot, lambda: exceptions.refreshes > 0)
        short = next(e for e in exceptions.found.values() if e.kind == "short")
        assert {e.kind for e in exceptions.found.values()} == {"short", "shortage"}
        table = exceptions.query_one("#exceptions", DataTable)
        table.move_cursor(row=table.get_row_index(str(short.id)))
        # Enter: the exception in full (the list cuts its sentence); F5 from there resolves.
        await press(pilot, "enter")
        detail: ExceptionDetail = await on_screen(pilot, ExceptionDetail)
        whole = str(detail.query_one("#exception-text", Static).render())
        assert whole.startswith(short.reason + "\n")
        assert "1 short at 02-005-1 for order SO-1" in whole
        assert "Station api-picker · by Picker One" in whole
        await press(pilot, "f5")
        await on_screen(pilot, ResolveDialog)
        await press(pilot, "enter")  # "close", the first choice; then the note
        app.screen.query_one("#resolve-note", Input).value = "bin was empty, counted"
        await press(pilot, "enter")
        await on_screen(pilot, ExceptionsScreen)
        assert await until(pilot, lambda: f"EXCEPTION {short.id} RESOLVED" in feedback(app))
        assert await until(pilot, lambda: str(short.id) not in exceptions.found)
        assert [r.kind for r in open_exceptions(floor)] == ["shortage"]
        ex = t.cols(t.FloorException)
        (resolution,) = rows(floor.parts.engine, sa.select(ex.resolution).where(ex.id == short.id))
        assert resolution.resolution == "bin was empty, counted"
    picker.http.close()


async def test_priority_zone_and_caps_from_the_filter_dialog(floor: World) -> None:
    app = await floor.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await console(pilot)
        await press(pilot, "f2")
        pool: PoolScreen = await on_screen(pilot, PoolScreen)
        assert await until(pilot, lambda: len(pool.groups) == 2)
        # Priorities 1 and 5 of UPS (SO-1, SO-4), picked in zone A only, at most one order
        # and three lines; the pool's groups cannot show these, the preview counts them.
        dialog = await filter_dialog(
            pilot,
            carrier="ups",
            priorities="5 1",
            zones="A",
            max_orders="1",
            max_lines="3",
            cutoff="9:30",
        )
        dialog.query_one("#filter-max-lines", Input).focus()
        await press(pilot, "enter")
        await on_screen(pilot, PoolScreen)
        assert pool.chosen == PoolFilter(
            carrier="UPS",
            priorities=(1, 5),
            zones=("A",),
            max_orders=1,
            max_lines=3,
            cutoff="09:30",
        )
        assert "UPS · cut-off 09:30 · prio 1,5 · zones A · ≤1 orders" in shown_filters(pool)
        # The server applies every filter to the pool as to the preview: SO-1 alone is left
        # (SO-4 would make four lines), and the totals say which filter left out the rest.
        totals = pool.query_one("#pool-totals", Static)
        assert await until(pilot, lambda: pool.pool is not None and pool.pool.orders == 1)
        words = str(totals.render())
        assert "Pool: 1 of 4 waiting orders, 2 lines, 3 units" in words, words
        assert "carrier UPS: 1" in words, words
        assert "priority 1,5: 1" in words, words
        # The cut-off is left out again (its day depends on the clock), then F4 and F5.
        await set_filters(pilot, cutoff="")
        await press(pilot, "f4")  # the profile key: single-unit orders (SO-4)
        assert pool.chosen.profile == "single_unit"
        assert await until(pilot, lambda: [g.orders for g in pool.groups] == [1])
        assert pool.pool is not None
        assert [o.filter for o in pool.pool.left_out] == ["carrier", "priorities", "profile"]
        await press(pilot, "f4")  # single-line: SO-4 still; SO-1 has two lines
        await press(pilot, "f4")  # multi-line: SO-1, whose two lines fit the three allowed
        assert await until(
            pilot, lambda: pool.pool is not None and pool.pool.lines == 2 and pool.pool.orders == 1
        )
        await press(pilot, "f4")  # any profile again
        assert pool.chosen.profile is None
        await press(pilot, "f5")
        preview: WavePreviewScreen = await on_screen(pilot, WavePreviewScreen)
        assert preview.wave.filters == wv.WaveFilters(
            carrier="UPS", priorities=[1, 5], zones=["A"], max_orders=1, max_lines=3
        )
        assert preview.preview.orders == 1
        assert [z.zone for z in preview.preview.zones] == ["A"]
        # The preview takes what the pool showed, and names the filters that left the rest.
        assert (preview.preview.waiting, preview.preview.matched) == (4, 1)
        words = str(preview.query_one("#preview-figures", Static).render())
        assert "Filters take 1 of 4 waiting orders; left out by\n" in words
        assert "carrier UPS: 1 · priority 1,5: 1" in words
        assert "max orders 1: 1" in words


async def test_refusals_and_a_dead_server_change_nothing(floor: World) -> None:
    app = await floor.station_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = await console(pilot)
        await press(pilot, "f2")
        pool: PoolScreen = await on_screen(pilot, PoolScreen)
        assert await until(pilot, lambda: len(pool.groups) == 2)
        # Values that are not filters: the dialog says which and stays; nothing changes.
        for field, text, words in (
            ("ship_by", "tomorrow", "ship-by 'tomorrow' is not a date"),
            ("cutoff", "25:00", "cut-off '25:00' is not used: type the pick-up time as 15:00"),
            ("priorities", "1,0", "priority '1,0' is not used"),
            ("profile", "fragile", "profile 'fragile' is not used"),
            ("max_orders", "-3", "max orders '-3' is not used: type a whole number"),
            ("max_lines", "lots", "max lines 'lots' is not used"),
            ("carrier", "U P S", "carrier 'U P S' is not used: not a carrier code"),
        ):
            dialog = await filter_dialog(pilot, **{field: text})
            await press(pilot, "enter")
            assert app.screen is dialog
            error = str(dialog.query_one("#filter-error", Static).render())
            assert words in error, error
            await press(pilot, "escape")
            await on_screen(pilot, PoolScreen)
            assert pool.chosen == PoolFilter()
        assert "none: the whole pool" in shown_filters(pool)
        assert len(pool.groups) == 2
        # A template's filter cleared in the dialog is cleared in the wave too: "singles"
        # (single-unit orders, at most 480) with the profile set back to any.
        templates = pool.query_one("#pool-templates", OptionList)
        assert await until(pilot, lambda: templates.option_count > 1)
        ids = [templates.get_option_at_index(i).id for i in range(templates.option_count)]
        templates.highlighted = ids.index("singles")
        assert await until(
            pilot, lambda: "(singles) single unit · ≤480 orders" in shown_filters(pool)
        )
        await set_filters(pilot, profile="any", max_orders="2", carrier="FEDEX")
        assert "(singles) FEDEX · ≤2 orders (F2)" in shown_filters(pool)
        await press(pilot, "f5")
        singles: WavePreviewScreen = await on_screen(pilot, WavePreviewScreen)
        assert singles.wave.filters == wv.WaveFilters(carrier="FEDEX", max_orders=2)
        assert singles.preview.orders == 1  # SO-3, a one-line order of one unit
        await press(pilot, "f8")
        await on_screen(pilot, ReasonDialog)
        await press(pilot, "enter")
        await on_screen(pilot, WavePreviewScreen)
        assert await until(pilot, lambda: singles.wave.status == "cancelled")
        # Discarded: its keys leave the footer.
        assert not singles.check_action("release", ())
        assert "DISCARDED" in str(singles.query_one("#sup-title", Static).render())
        await press(pilot, "escape")
        await on_screen(pilot, PoolScreen)
        # A wave nothing matches is not made: said, with the filter that left everything out.
        templates.highlighted = 0  # no template: the filters stay as shown
        await set_filters(pilot, carrier="DHL", max_orders="")
        assert await until(pilot, lambda: pool.groups == [])
        assert "Left out by carrier DHL: 4" in str(pool.query_one("#pool-totals").render())
        await press(pilot, "f5")
        assert await until(pilot, lambda: "NO WAVE BUILT" in feedback(app))
        assert "carrier DHL leaves out 4" in feedback(app)
        assert "no wave was created" in feedback(app)
        assert app.screen is pool
        assert tasks_of_wave(floor) == []
        assert set(order_states(floor.parts.engine).values()) == {"received"}
        await press(pilot, "escape")
        await on_screen(pilot, SupervisorConsoleScreen)
        # The discarded wave is listed as discarded, not cancelled.
        assert await until(pilot, lambda: len(home.lines) == 1)
        table = home.query_one("#sup-waves", DataTable)
        assert table.get_row_at(0)[1] == "discarded"
        # The server goes away: the console says so and keeps what it showed.
        floor.server.stop()
        shown = dict(home.lines)
        home.reload()
        assert await until(pilot, lambda: home.offline)
        assert "SERVER UNREACHABLE" in str(home.query_one("#sup-title", Static).render())
        assert "SERVER UNREACHABLE" in feedback(app)
        assert home.lines == shown
        # The next timer reads say nothing more: no bells every five seconds while it is down.
        signals = home.signals
        await home._reload().wait()  # the worker a timer tick starts
        await pilot.pause()
        assert home.offline
        assert home.signals == signals
        await press(pilot, "f2")
        pool = await on_screen(pilot, PoolScreen)
        await set_filters(pilot, carrier="UPS")
        assert await until(pilot, lambda: "SERVER UNREACHABLE" in feedback(app))
        pool.query_one(ScanFeedback).idle("")
        await press(pilot, "f5")  # build: the server is needed, nothing is made
        assert await until(pilot, lambda: "SERVER UNREACHABLE" in feedback(app))
        assert "Nothing was changed" in feedback(app)
        await press(pilot, "escape")
        await on_screen(pilot, SupervisorConsoleScreen)
        floor.server.start()
        before = home.refreshes
        home.reload()
        assert await until(pilot, lambda: home.refreshes > before and not home.offline)
    wave = t.cols(t.Wave)
    assert [r.status for r in rows(floor.parts.engine, sa.select(wave.status))] == ["cancelled"]


async def test_hold_resume_and_cancel_a_released_wave(floor: World) -> None:
    boss = Actor(None, None, Role.SUPERVISOR, "supervisor")
    waves = floor.parts.services.waves
    made = waves.create(boss, wv.WaveCreate(name="ups-all", filters=wv.WaveFilters(carrier="UPS")))
    floor.parts.services.wave_release.release(boss, made.id)
    app = await floor.station_app()
    async with app.run_test(size=(100, 30)) as pilot:
        home = await console(pilot)
        assert list(home.lines) == [str(made.id)]
        await press(pilot, "f6")
        assert await until(pilot, lambda: "on hold" in feedback(app))
        assert waves.get(boss, made.id).status == "on_hold"
        await press(pilot, "f6")
        assert await until(pilot, lambda: "resumed" in feedback(app))
        assert waves.get(boss, made.id).status == "released"
        # A released wave has no preview: F3 leaves the footer; F4, F6 and F8 are there.
        assert not home.check_action("preview", ())
        footer = {b.binding.key for b in app.active_bindings.values()}
        assert {"f4", "f6", "f8"} <= footer
        assert "f3" not in footer
        await press(pilot, "f8")
        await on_screen(pilot, ReasonDialog)
        await press(pilot, "escape")  # changed their mind: nothing happens
        await on_screen(pilot, SupervisorConsoleScreen)
        assert waves.get(boss, made.id).status == "released"
        await press(pilot, "f8")
        await on_screen(pilot, ReasonDialog)
        app.screen.query_one("#reason", Input).value = "truck is late"
        await press(pilot, "enter")
        await on_screen(pilot, SupervisorConsoleScreen)
        assert await until(pilot, lambda: "CANCELLED" in feedback(app))
        assert "3 orders back in the pool" in feedback(app)
        assert waves.get(boss, made.id).status == "cancelled"
        states = order_states(floor.parts.engine)
        assert {states[r] for r in ("SO-1", "SO-2", "SO-4")} == {"received"}
        assert await until(pilot, lambda: home.lines[str(made.id)].wave.status == "cancelled")


async def test_the_pool_is_read_again_after_a_release(floor: World) -> None:
    app = await floor.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await console(pilot)
        await press(pilot, "f2")
        pool: PoolScreen = await on_screen(pilot, PoolScreen)
        await set_filters(pilot, carrier="UPS")
        assert await until(pilot, lambda: [g.orders for g in pool.groups] == [3])
        await press(pilot, "f5")
        preview: WavePreviewScreen = await on_screen(pilot, WavePreviewScreen)
        await press(pilot, "f5")
        assert await until(pilot, lambda: preview.released is not None)
        assert preview.released is not None
        left = 3 - preview.released.result.orders
        await press(pilot, "escape")
        await on_screen(pilot, PoolScreen)
        # The released orders are no longer shown as waiting.
        assert await until(pilot, lambda: sum(g.orders for g in pool.groups) == left)
        totals = str(pool.query_one("#pool-totals", Static).render())
        assert f"Pool: {left} of {left + 1} waiting orders" in totals  # and SO-3, for FEDEX


async def test_f1_on_the_console_lists_its_keys_not_the_tables_cursor_keys(floor: World) -> None:
    boss = Actor(None, None, Role.SUPERVISOR, "supervisor")
    made = floor.parts.services.waves.create(
        boss, wv.WaveCreate(name="ups-all", filters=wv.WaveFilters(carrier="UPS"))
    )
    floor.parts.services.wave_release.release(boss, made.id)
    app = await floor.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        home = await console(pilot)
        await press(pilot, "f1")
        help_screen: HelpScreen = await on_screen(pilot, HelpScreen)
        listed = dict(help_screen.keys)
        for key, words in (("f2", "Pool"), ("f4", "Progress"), ("f8", "Cancel")):
            assert listed[key] == words
        assert not {"ctrl+pagedown", "ctrl+home", "down", "end"} & set(listed)
        words = str(help_screen.query(Static).last().render())
        assert "Scan labels" not in words  # the console takes no scans
        assert "Ctrl+P opens the command palette" in words
        await press(pilot, "escape")
        assert await until(pilot, lambda: app.screen is home)
