"""Discrete, cart (4 orders) and zone (with a hand-off) tasks walked end to end at the station.

The station app is built by the real bootstrap and talks to a real server over HTTP on a
loopback port; afterwards the server's database shows exactly what was picked.
"""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.support.tasks import (
    Item,
    Pick,
    containers,
    make_task,
    order_state,
    stock_row,
    task_state,
    zone_tasks,
)
from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    scan,
    synced,
    until,
)
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.screens.zone_start import ZoneStartScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


async def test_a_discrete_task_end_to_end(world: World) -> None:
    mug, lamp = Item("MUG-1"), Item("LAMP-2")
    planned = make_task(
        world.parts.engine,
        "discrete",
        {"SO-100": [Pick("02-010-1", mug, 2, on_hand=10), Pick("03-004-2", lamp, 1, on_hand=5)]},
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        await on_screen(pilot, CartSetupScreen)
        await scan(pilot, "T000101")
        stop = await on_screen(pilot, NextStopScreen)
        assert stop.walk.stop().location == "02-010-1"
        await scan(pilot, "02-010-1")
        await scan(pilot, mug.barcode)
        await scan(pilot, mug.barcode)
        await scan(pilot, "T000101")
        assert stop.walk.stop().location == "03-004-2"
        await scan(pilot, "03-004-2")
        await scan(pilot, lamp.barcode)
        await scan(pilot, "T000101")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert [(t.tote, t.destination) for t in done.done.totes] == [("T000101", "pack")]
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    status, lines = task_state(engine, planned.task_id)
    assert status == "done"
    assert sorted(lines.values()) == [(1, 0, "picked"), (2, 0, "picked")]
    assert [stock_row(engine, s) for s in planned.stock_ids] == [(8, 0), (4, 0)]
    assert order_state(engine, "SO-100") == ("picked", [(2, 2, 2), (1, 1, 1)])
    assert containers(engine, planned.task_id) == {1: ("T000101", "closed", "pack")}


async def test_a_cart_task_with_four_orders_end_to_end(world: World) -> None:
    items = [Item(f"CART-{n}") for n in range(6)]
    orders = {
        "SO-201": [Pick("01-005-1", items[0], 2), Pick("04-012-1", items[1], 1)],
        "SO-202": [Pick("01-005-1", items[0], 1)],
        "SO-203": [Pick("02-020-2", items[2], 3), Pick("05-001-1", items[3], 1)],
        "SO-204": [Pick("03-007-1", items[4], 1), Pick("04-012-1", items[1], 2)],
    }
    planned = make_task(world.parts.engine, "cart", orders, cart="C0007")
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        setup = await on_screen(pilot, CartSetupScreen)
        await scan(pilot, "C0007")
        for slot in range(1, 5):
            await scan(pilot, f"C0007-S{slot:02d}")
            await scan(pilot, f"T0003{slot:02d}")
        assert all(s.tote for s in setup.walk.slots())
        stop = await on_screen(pilot, NextStopScreen)
        walk = stop.walk
        visited = []
        while (line := walk.current_line()) is not None:
            if walk.at_location != line.location:
                await scan(pilot, line.location)
            visited.append(line.location)
            item = next(i for i in items if i.sku == line.sku)
            for _ in range(line.quantity - line.picked):
                await scan(pilot, item.barcode)
            await scan(pilot, f"C0007-S{line.slot:02d}")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert sorted((t.slot, t.tote, t.units) for t in done.done.totes) == [
            (1, "T000301", 3),
            (2, "T000302", 1),
            (3, "T000303", 4),
            (4, "T000304", 3),
        ]
        # Stops come in route order (up odd aisles, down even ones).
        assert visited == sorted(visited, key=lambda c: (c[:2], c[3:6] if int(c[:2]) % 2 else ""))
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    status, lines = task_state(engine, planned.task_id)
    assert status == "done"
    assert all(
        picked == planned_qty and shorted == 0 and st == "picked"
        for (picked, shorted, st), planned_qty in zip(
            (lines[p.task_line_id] for p in planned.lines),
            (p.quantity for p in planned.lines),
            strict=True,
        )
    )
    # Stock moved exactly: 20 on hand at each position, minus what the orders took.
    taken: dict[int, int] = {}
    for line in planned.lines:
        taken[line.stock_id] = taken.get(line.stock_id, 0) + line.quantity
    for stock_id, quantity in taken.items():
        assert stock_row(engine, stock_id) == (20 - quantity, 0)
    for reference, picks in orders.items():
        state, order_lines = order_state(engine, reference)
        assert state == "picked"
        assert [ln[2] for ln in order_lines] == [p.quantity for p in picks]
    assert containers(engine, planned.task_id) == {
        slot: (f"T0003{slot:02d}", "closed", "pack") for slot in range(1, 5)
    }


async def test_a_zone_task_hands_its_tote_to_the_next_zone(world: World) -> None:
    pen, ink, pad = Item("PEN-1"), Item("INK-2"), Item("PAD-3")
    first, second = zone_tasks(
        world.parts.engine,
        "SO-300",
        [Pick("02-003-1", pen, 2), Pick("04-006-1", ink, 1)],
        [Pick("07-010-1", pad, 4)],
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        # Zone A: a new tote, the two stops, then the tote goes on to zone B.
        await press(pilot, "f2")
        start = await on_screen(pilot, ZoneStartScreen)
        assert start.walk.task_id == first.task_id
        await scan(pilot, "T000400")
        await on_screen(pilot, NextStopScreen)
        for location, item, count in (("02-003-1", pen, 2), ("04-006-1", ink, 1)):
            await scan(pilot, location)
            for _ in range(count):
                await scan(pilot, item.barcode)
            await scan(pilot, "T000400")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert [(t.tote, t.where) for t in done.done.totes] == [("T000400", "zone B")]
        assert "ZONE B" in str(done.query_one("#done-totes", Static).render())
        await press(pilot, "enter")
        await on_screen(pilot, PickerHomeScreen)
        # Zone B's task is handed out once zone A's finish reached the server.
        assert await until(pilot, lambda: synced(app))
        await press(pilot, "f2")
        start = await on_screen(pilot, ZoneStartScreen)
        assert start.walk.task_id == second.task_id
        assert (
            start.walk.prompt()
            == "Take tote T000400 arriving from zone A for order SO-300: scan it"
        )
        assert "tote T000400 from zone A" in str(start.query_one("#setup-title", Static).render())
        await scan(pilot, "T000400")
        await on_screen(pilot, NextStopScreen)
        await scan(pilot, "07-010-1")
        for _ in range(4):
            await scan(pilot, pad.barcode)
        await scan(pilot, "T000400")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert [(t.tote, t.where) for t in done.done.totes] == [("T000400", "the pack stations")]
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    assert task_state(engine, first.task_id)[0] == "done"
    assert task_state(engine, second.task_id)[0] == "done"
    assert containers(engine, first.task_id) == {1: ("T000400", "closed", "zone:B")}
    assert containers(engine, second.task_id) == {1: ("T000400", "closed", "pack")}
    assert order_state(engine, "SO-300") == ("picked", [(2, 2, 2), (1, 1, 1), (4, 4, 4)])
    stocks = [stock_row(engine, s) for s in (*first.stock_ids, *second.stock_ids)]
    assert stocks == [(18, 0), (19, 0), (16, 0)]


async def test_a_wrong_pin_says_what_to_do_next_and_the_right_one_logs_in(world: World) -> None:
    from textual.widgets import Input

    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        login = await on_screen(pilot, LoginScreen)
        await scan(pilot, "B00101")
        assert "Type your PIN" in login.query_one(ScanPrompt).hint
        pin = login.query_one("#login-pin", Input)
        pin.value = "0000"
        await press(pilot, "enter")
        feedback = login.query_one(ScanFeedback)
        assert await until(pilot, lambda: feedback.last_signal == "bad")
        words = str(feedback.render())
        assert "type the PIN again, or Escape for another badge" in words
        assert pin.has_focus
        assert login.badge == "B00101"
        await press(pilot, "escape")  # another badge: back to the badge prompt
        assert login.badge is None
        assert login.query_one(ScanPrompt).hint.startswith("Scan your badge")
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
