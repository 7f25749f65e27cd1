"""Replenishing at the station against a real server: scans fed as terminal bursts, from
reserve to the pick face; and a replenishment finished offline, pushed once when back."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from textual.widgets import Input

from tests.support.wave_floor import add_locations, add_product, add_stock, stock_by_location
from tests.tui.station_world import World, on_screen, synced, until
from tests.tui.terminal_input import feed_terminal_bytes, wait_until
from toteflow.central.store import replenishment_tables as rt
from toteflow.central.store import tables as t
from toteflow.contracts import replenishment as rp
from toteflow.domain.actor import SYSTEM
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.replenish import CountDialog, ReplenishScreen

pytestmark = pytest.mark.anyio

FACE, RESERVE = "05-030-1", "05-030-3"
BARCODE = "BC-SKU-B"
F3 = b"\x1bOR"
LOGIN = b"B10008\r8888\r"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seed(world: World) -> int:
    """SKU-B: 3 on its face (min 10, max 40), 50 in reserve; the schedule makes one of 37."""
    services = world.parts.services
    add_locations(services, [FACE, RESERVE])
    add_product(services, "SKU-B")
    add_stock(services, FACE, "SKU-B", 3)
    add_stock(services, RESERVE, "SKU-B", 50)
    services.replenishment.set_limit(SYSTEM, FACE, "SKU-B", rp.FaceLimitIn(minimum=10, maximum=40))
    made = services.replenishment.sweep(SYSTEM)
    (replen_id,) = made.created
    return replen_id


def listed(app: StationApp) -> bool:
    screen = app.screen
    return isinstance(screen, ReplenishScreen) and bool(screen.desk.jobs())


def replenishment(world: World, replen_id: int) -> Any:
    r = t.cols(rt.Replenishment)
    with world.parts.engine.connect() as connection:
        return connection.execute(sa.select(rt.Replenishment).where(r.id == replen_id)).one()


def applied_events(world: World) -> list[tuple[str, str]]:
    e = t.cols(t.AppliedEvent)
    with world.parts.engine.connect() as connection:
        found = connection.execute(sa.select(e.type, e.status).order_by(e.seq))
        return [(row.type, row.status) for row in found]


async def _work_it(pilot: Any, app: StationApp) -> ReplenishScreen:
    """Source and two items in one read, the count typed, then the face: as a scanner sends."""
    screen = await on_screen(pilot, ReplenishScreen)
    assert await until(pilot, lambda: listed(app))
    before = screen.signals
    await feed_terminal_bytes(app, f"{RESERVE}\r{BARCODE}\r{BARCODE}\r".encode())
    assert await until(pilot, lambda: screen.signals >= before + 3)
    assert screen.desk.counted == 2
    await feed_terminal_bytes(app, F3)
    dialog = await on_screen(pilot, CountDialog)
    # The count is typed once its field has the keys (before that they would be scan text).
    assert await wait_until(pilot, lambda: dialog.query_one(Input).has_focus)
    await feed_terminal_bytes(app, b"\x15" + b"37\r")  # ctrl+u clears the field first
    await on_screen(pilot, ReplenishScreen)
    assert await wait_until(
        pilot, lambda: screen.desk.job is not None and screen.desk.job.step == "taken"
    )
    before = screen.signals
    await feed_terminal_bytes(app, f"{FACE}\r".encode())
    assert await until(pilot, lambda: screen.signals > before)
    assert screen.desk.job is None
    return screen


async def test_replenish_from_reserve_with_scans_in_bursts(world: World) -> None:
    replen_id = seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, LOGIN)
        await _work_it(pilot, app)
        # Until the server has it done: the station's sync status may still be the one from
        # before the last step was recorded (nothing waiting), for a moment.
        assert await until(pilot, lambda: replenishment(world, replen_id).status == "done")
        assert await until(pilot, lambda: synced(app))
    stock = stock_by_location(world.parts.engine)
    assert stock[(FACE, "")] == (40, 0)
    assert stock[(RESERVE, "")] == (13, 0)
    row = replenishment(world, replen_id)
    assert (row.status, row.moved) == ("done", 37)
    assert applied_events(world)[-2:] == [
        ("replenish.taken", "applied"),
        ("replenish.placed", "applied"),
    ]


async def test_a_replenishment_finished_offline_is_applied_once_when_back(world: World) -> None:
    replen_id = seed(world)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, LOGIN)
        await on_screen(pilot, ReplenishScreen)
        assert await until(pilot, lambda: listed(app))
        world.server.stop()
        await _work_it(pilot, app)
        assert await until(
            pilot, lambda: app.sync_status is not None and app.sync_status.waiting >= 2
        )
        assert replenishment(world, replen_id).status == "open"
        world.server.start()
        assert await until(pilot, lambda: replenishment(world, replen_id).status == "done")
        assert await until(pilot, lambda: synced(app))
    stock = stock_by_location(world.parts.engine)
    assert stock[(FACE, "")] == (40, 0)
    assert stock[(RESERVE, "")] == (13, 0)
    assert replenishment(world, replen_id).status == "done"
    replen = [e for e in applied_events(world) if e[0].startswith("replenish.")]
    assert replen == [("replenish.taken", "applied"), ("replenish.placed", "applied")]


async def test_pickers_get_f6_replenish_only_where_the_site_allows_it(world: World) -> None:
    from tests.tui.station_world import log_in, press
    from toteflow.domain.roles import Role
    from toteflow.station.tui.screens.picker_home import PickerHomeScreen

    seed(world)
    for allowed in (False, True):
        app = await world.station_app()
        app.services.pickers_replenish = allowed
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, Role.PICKER)
            await on_screen(pilot, PickerHomeScreen)
            assert ("f6" in app.active_bindings) is allowed
            if allowed:
                await press(pilot, "f6")
                await on_screen(pilot, ReplenishScreen)
                assert await until(pilot, lambda: listed(app))  # noqa: B023
                await press(pilot, "escape")
                await on_screen(pilot, PickerHomeScreen)


async def test_a_source_found_empty_is_re_sourced_by_the_server(world: World) -> None:
    other = "05-031-3"
    add_locations(world.parts.services, [other])
    replen_id = seed(world)
    add_stock(world.parts.services, other, "SKU-B", 30)
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await feed_terminal_bytes(app, LOGIN)
        screen = await on_screen(pilot, ReplenishScreen)
        assert await until(pilot, lambda: listed(app))
        before = screen.signals
        await feed_terminal_bytes(app, f"{RESERVE}\r".encode(), b"\x1b[18~")  # F7: short
        assert await until(pilot, lambda: screen.signals >= before + 2)
        # Nothing there: the server sends the replenishment from the other reserve.
        assert await until(
            pilot,
            lambda: [j.source for j in screen.desk.jobs()] == [other],
        )
    row = replenishment(world, replen_id)
    assert row.status == "open"
    stock = stock_by_location(world.parts.engine)
    assert stock[(RESERVE, "")] == (50, 0)
    assert stock[(other, "")] == (30, 30)
