"""The short-pick dialog's keys do what it says: the arrows choose the reason from the
quantity field too, and Enter takes the reason under the cursor; a bad quantity is said."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from tests.support.tasks import Item, Pick, make_task, task_state
from tests.tui.station_world import World, on_screen, press, scan, synced, until
from tests.tui.test_picker_exceptions import start_discrete
from toteflow.station.services.picker import SHORT_REASONS
from toteflow.station.tui.screens.short_pick import ShortPickScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen

pytestmark = pytest.mark.anyio


async def test_the_arrows_choose_the_reason_from_the_quantity_field(world: World) -> None:
    soap = Item("SOAP-2")
    planned = make_task(
        world.parts.engine, "discrete", {"SO-530": [Pick("01-002-1", soap, 5, on_hand=5)]}
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_discrete(pilot)
        await scan(pilot, "01-002-1")
        await press(pilot, "f2")
        dialog = await on_screen(pilot, ShortPickScreen)
        found = dialog.query_one("#short-found", Input)
        reasons = dialog.query_one("#short-reason", OptionList)
        assert found.has_focus
        # A quantity that cannot be: the arrows stay and the dialog says what to type.
        found.value = "9"
        await press(pilot, "down")
        assert found.has_focus
        error = str(dialog.query_one("#short-error", Static).render())
        assert error == "Type a number from 0 to 4"
        # Two found; down from the quantity: from the first reason (shown under the cursor)
        # to the second, in the list, whose own arrows go on from there; Enter takes it.
        assert reasons.highlighted == 0
        found.value = "2"
        await press(pilot, "down")
        assert reasons.has_focus
        assert reasons.highlighted == 1
        await press(pilot, "down", "up")
        assert reasons.highlighted == 1
        await press(pilot, "enter")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert done.done.lines_short == 1
        assert await until(pilot, lambda: synced(app))
    _, lines = task_state(world.parts.engine, planned.task_id)
    assert list(lines.values()) == [(2, 3, "short")]
    assert list(SHORT_REASONS)[1] == "damaged"
