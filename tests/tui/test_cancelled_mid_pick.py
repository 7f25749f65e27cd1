"""An order cancelled while its units are in the picker's hand: the notice names those units
too, opens at its top at 80x24, and the units go back to the shelf."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.tasks import Item, Pick, make_task
from tests.tui.station_fakes import cart_task, offline_app
from tests.tui.station_world import World, log_in, on_screen, press, scan, synced, until
from tests.tui.test_station_snapshots import cart_ready
from toteflow.domain.actor import SYSTEM
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.notice import NoticeScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen

pytestmark = pytest.mark.anyio


def screen_text(app: StationApp) -> str:
    """The screen as a person reads it, one line per terminal row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_units_in_hand_for_a_cancelled_order_are_named_in_the_notice(world: World) -> None:
    a1, b1 = Item("A-1"), Item("B-1")
    planned = make_task(
        world.parts.engine,
        "discrete",
        {"SO-590": [Pick("01-001-1", a1, 3), Pick("02-001-1", b1, 1)]},
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        await scan(pilot, "T000500")
        stop: NextStopScreen = await on_screen(pilot, NextStopScreen)
        await scan(pilot, "01-001-1")
        await scan(pilot, a1.barcode)
        await scan(pilot, a1.barcode)
        assert stop.walk.in_hand == 2
        assert await until(pilot, lambda: synced(app))
        world.parts.services.orders.cancel(SYSTEM, "SO-590", "customer called")
        assert await until(pilot, lambda: bool(app.services.view.notices(planned.task_id)))
        assert await until(pilot, lambda: stop.walk.notices_due)
        await scan(pilot, a1.barcode)
        notice: NoticeScreen = await on_screen(pilot, NoticeScreen)
        # The server never counted the units in hand: the walk names them.
        assert notice.in_hand == "Also put the 2 units of A-1 in your hand back at 01-001-1."
        shown = screen_text(app)
        assert "STOP: READ THIS" in shown
        assert "Also put the 2 units of A-1 in your hand back at 01-001-1." in shown
        await press(pilot, "enter")
        # The only order is cancelled: the task ends, and the notice was the one place
        # that could name the units in hand.
        await on_screen(pilot, TaskCompleteScreen)
        assert stop.walk.in_hand == 0


async def test_many_notices_open_at_the_top_at_80x24(tmp_path: Path) -> None:
    app = offline_app(tmp_path, [cart_task()])
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await cart_ready(pilot)
        at = datetime(2026, 11, 22, 9, 15, tzinfo=UTC)
        with app.services.floor.uow() as uow:
            for n, ref in enumerate(["SO-1001", "SO-1002", "SO-1003", "SO-1004"], start=1):
                uow.notices.add(
                    f"c{n}",
                    f"order {ref} was cancelled (customer called): put the 2 units of "
                    f"MUG-BLU-350 back at 01-004-1, then scan that shelf on the "
                    "refused-events screen (F8)",
                    at,
                    task_id=42,
                    order_reference=ref,
                )
            uow.commit()
        stop.walk.refresh()
        await scan(pilot, "01-004-1")
        notice: NoticeScreen = await on_screen(pilot, NoticeScreen)
        await pilot.pause()
        dialog = notice.query_one("#dialog")
        assert dialog.scroll_y == 0
        rows = screen_text(app).splitlines()
        assert len(rows) == 24
        title = next(i for i, row in enumerate(rows) if "STOP: READ THIS" in row)
        # The title, and the first notice's first line right under it, are on screen.
        assert "Order SO-1001 was cancelled" in rows[title + 1] + rows[title + 2]
