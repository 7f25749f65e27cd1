"""What a picker meets besides the happy path, each at the station against a real server:
refused scans, short picks, skip and come back, pause, undo, tote full, lots, bulk
quantities, an order cancelled mid-pick, and the network dropping mid-task."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.support.tasks import (
    Item,
    Pick,
    PlannedTask,
    containers,
    make_task,
    order_state,
    stock_row,
    task_state,
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
from toteflow.central.store import tables as t
from toteflow.domain.actor import SYSTEM
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.help import HelpScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.notice import NoticeScreen
from toteflow.station.tui.screens.paused import PausedScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.quantity import QuantityScreen
from toteflow.station.tui.screens.short_pick import ShortPickScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.widgets.scan_feedback import BAD_BELLS, ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

pytestmark = pytest.mark.anyio


def events_recorded(app: StationApp) -> int:
    return app.services.view.sync_state().next_seq - 1


async def start_discrete(pilot: Pilot[Any], tote: str = "T000500") -> NextStopScreen:
    await log_in(pilot)
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    await scan(pilot, tote)
    screen: NextStopScreen = await on_screen(pilot, NextStopScreen)
    return screen


async def pick_stop(pilot: Pilot[Any], location: str, barcode: str, count: int, tote: str) -> None:
    await scan(pilot, location)
    for _ in range(count):
        await scan(pilot, barcode)
    await scan(pilot, tote)


def feedback_text(screen: Any) -> str:
    return str(screen.query_one(ScanFeedback).render())


async def test_wrong_location_item_and_tote_are_refused_and_record_nothing(world: World) -> None:
    mug = Item("MUG-9")
    make_task(world.parts.engine, "discrete", {"SO-500": [Pick("02-010-1", mug, 2)]})
    app = await world.station_app()
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        before = events_recorded(app)
        for raw, reason in (
            ("02-011-1", "wrong location 02-011-1: go to 02-010-1"),
            (Item("OTHER").barcode, "scan the location label first"),
        ):
            bells.clear()
            await scan(pilot, raw)
            assert stop.query_one(ScanFeedback).last_signal == "bad"
            assert reason in feedback_text(stop)
            assert await until(pilot, lambda: len(bells) == len(BAD_BELLS))
        await scan(pilot, "02-010-1")
        await scan(pilot, Item("OTHER").barcode)
        assert "wrong item: this is not MUG-9" in feedback_text(stop)
        await scan(pilot, mug.barcode)
        await scan(pilot, "T000999")
        assert "wrong tote T000999: put it in slot 1 (tote T000500)" in feedback_text(stop)
        await scan(pilot, "C0001-S02")
        assert "wrong slot 2" in feedback_text(stop)
        await scan(pilot, "4006381333932")  # a bad check digit
        assert "check digit wrong" in feedback_text(stop)
        # Nothing was recorded by any refused scan; the unit in hand is still in hand.
        assert events_recorded(app) == before
        assert stop.walk.in_hand == 1
        bells.clear()
        await scan(pilot, "T000500")
        assert stop.query_one(ScanFeedback).last_signal == "good"
        assert bells == [1]
        assert events_recorded(app) == before + 1


async def test_short_pick_records_what_was_found_and_why(world: World) -> None:
    soap = Item("SOAP-1")
    planned = make_task(
        world.parts.engine, "discrete", {"SO-510": [Pick("01-002-1", soap, 5, on_hand=5)]}
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        await scan(pilot, "01-002-1")
        await scan(pilot, soap.barcode)
        await press(pilot, "f2")
        dialog = await on_screen(pilot, ShortPickScreen)
        found = dialog.query_one("#short-found", Input)
        assert found.value == "1"  # the unit in hand
        found.value = "2"
        await press(pilot, "enter")
        reasons = dialog.query_one("#short-reason", OptionList)
        assert reasons.has_focus
        await press(pilot, "down", "enter")  # damaged
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert done.done.lines_short == 1
        assert stop.walk.task.lines[0].picked == 2
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    _, lines = task_state(engine, planned.task_id)
    assert list(lines.values()) == [(2, 3, "short")]
    # 2 left the shelf; the 3 missing are no longer reserved for the order.
    assert stock_row(engine, planned.stock_ids[0]) == (3, 0)
    with engine.connect() as connection:
        shorts = connection.execute(
            sa.select(t.cols(t.FloorException).reason).where(
                t.cols(t.FloorException).kind == "short"
            )
        ).all()
    assert [row.reason for row in shorts] == ["3 short at 01-002-1 for order SO-510 (damaged)"]


async def test_a_skipped_stop_comes_back_after_the_others(world: World) -> None:
    items = [Item(f"SKIP-{n}") for n in range(3)]
    picks = [Pick(f"0{n + 1}-001-1", items[n], 1) for n in range(3)]
    planned = make_task(world.parts.engine, "discrete", {"SO-520": picks})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        assert stop.walk.stop().location == "01-001-1"
        await press(pilot, "f4")
        assert "STOP SKIPPED" in feedback_text(stop)
        seen = []
        while (line := stop.walk.current_line()) is not None:
            seen.append(line.location)
            item = next(i for i in items if i.sku == line.sku)
            await pick_stop(pilot, line.location, item.barcode, 1, "T000500")
        assert seen == ["02-001-1", "03-001-1", "01-001-1"]
        await on_screen(pilot, TaskCompleteScreen)
        assert await until(pilot, lambda: synced(app))
    assert task_state(world.parts.engine, planned.task_id)[0] == "done"


async def test_pause_and_resume(world: World) -> None:
    cup = Item("CUP-1")
    planned = make_task(world.parts.engine, "discrete", {"SO-530": [Pick("01-003-1", cup, 1)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        await scan(pilot, "01-003-1")
        await press(pilot, "f7")
        paused = await on_screen(pilot, PausedScreen)
        await scan(pilot, cup.barcode)
        assert paused.query_one(ScanFeedback).last_signal == "bad"  # nothing while paused
        assert await until(pilot, lambda: synced(app))
        assert task_state(world.parts.engine, planned.task_id)[0] == "paused"
        await press(pilot, "enter")
        await on_screen(pilot, NextStopScreen)
        # After a break the location is scanned again.
        assert stop.walk.phase == "location"
        await pick_stop(pilot, "01-003-1", cup.barcode, 1, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        assert await until(pilot, lambda: synced(app))
    assert task_state(world.parts.engine, planned.task_id)[0] == "done"


async def test_a_paused_task_waits_for_the_picker_after_logging_out(world: World) -> None:
    cup = Item("CUP-2")
    planned = make_task(world.parts.engine, "discrete", {"SO-531": [Pick("01-004-1", cup, 1)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_discrete(pilot)
        await press(pilot, "f7")
        await on_screen(pilot, PausedScreen)
        await press(pilot, "ctrl+l")
        await log_in(pilot)
        home = await on_screen(pilot, PickerHomeScreen)
        assert [t.id for t in home.desk.held_tasks()] == [planned.task_id]
        await press(pilot, "enter")  # resumes the highlighted held task
        stop = await on_screen(pilot, NextStopScreen)
        await pick_stop(pilot, "01-004-1", cup.barcode, 1, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        assert stop.walk.task.status == "done"
        assert await until(pilot, lambda: synced(app))
    assert task_state(world.parts.engine, planned.task_id)[0] == "done"


async def test_undo_takes_back_the_last_pick_with_a_compensating_event(world: World) -> None:
    nut, bolt = Item("NUT-1"), Item("BOLT-1")
    planned = make_task(
        world.parts.engine,
        "discrete",
        {"SO-540": [Pick("01-005-1", nut, 2, on_hand=10), Pick("02-005-1", bolt, 1)]},
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        await pick_stop(pilot, "01-005-1", nut.barcode, 2, "T000500")
        assert stop.walk.stop().location == "02-005-1"
        assert await until(pilot, lambda: synced(app))
        assert stock_row(world.parts.engine, planned.stock_ids[0]) == (8, 0)
        await press(pilot, "f6")
        assert "PICK UNDONE" in feedback_text(stop)
        assert "put them back at 01-005-1" in feedback_text(stop)
        # The undone stop is the one to do now, from its location again.
        assert stop.walk.stop().location == "01-005-1"
        assert stop.walk.phase == "location"
        assert await until(pilot, lambda: synced(app))
        assert stock_row(world.parts.engine, planned.stock_ids[0]) == (10, 2)
        await pick_stop(pilot, "01-005-1", nut.barcode, 2, "T000500")
        await pick_stop(pilot, "02-005-1", bolt.barcode, 1, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        assert await until(pilot, lambda: synced(app))
        with app.services.view.uow() as unit:
            kinds = [event.type for event in unit.outbox.after(0, 50)]
    assert kinds.count("pick.undone") == 1
    assert stock_row(world.parts.engine, planned.stock_ids[0]) == (8, 0)
    assert order_state(world.parts.engine, "SO-540") == ("picked", [(2, 2, 2), (1, 1, 1)])


async def test_a_full_tote_is_closed_and_another_takes_its_slot(world: World) -> None:
    rice = Item("RICE-5")
    planned = make_task(
        world.parts.engine, "discrete", {"SO-550": [Pick("03-001-1", rice, 3, on_hand=10)]}
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot, "T000601")
        await pick_stop(pilot, "03-001-1", rice.barcode, 1, "T000601")
        await scan(pilot, rice.barcode)
        await press(pilot, "f5")
        assert stop.walk.phase == "new_tote"
        await scan(pilot, "T000601")  # the full one is not a new tote
        assert stop.query_one(ScanFeedback).last_signal == "bad"
        await scan(pilot, "T000602")
        assert "tote T000601 closed: take it to the pack stations" in feedback_text(stop)
        await scan(pilot, rice.barcode)
        await scan(pilot, "T000601")
        assert "wrong tote T000601" in feedback_text(stop)
        await scan(pilot, "T000602")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert [(x.tote, x.units, x.full) for x in done.done.totes] == [
            ("T000601", 1, True),
            ("T000602", 2, False),
        ]
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    assert containers(engine, planned.task_id) == {1: ("T000602", "closed", "pack")}
    assert order_state(engine, "SO-550") == ("picked", [(3, 3, 3)])
    with engine.connect() as connection:
        closed = connection.execute(
            sa.select(t.cols(t.AuditEntry).detail).where(
                t.cols(t.AuditEntry).action == "tote.closed"
            )
        ).all()
    assert [row.detail["payload"]["tote"] for row in closed] == ["T000601", "T000602"]


async def test_lots_are_checked_and_a_substitute_is_recorded(world: World) -> None:
    strict = Item("VITC-1", lot_tracked=True, expiry_tracked=True)
    loose = Item("TEA-1", lot_tracked=True, lot_substitution=True)
    expiry = date(2030, 5, 31)
    make_task(
        world.parts.engine,
        "discrete",
        {
            "SO-560": [
                Pick("01-001-1", strict, 1, lot="L100", expiry=expiry),
                Pick("02-001-1", loose, 1, lot="T7"),
            ]
        },
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        gtin = strict.barcode.zfill(14)
        await scan(pilot, "01-001-1")
        await scan(pilot, strict.barcode)
        assert "lot-tracked: scan the label that carries the lot (L100)" in feedback_text(stop)
        await scan(pilot, f"]C101{gtin}17300531\x1d10L999")
        assert "wrong lot L999: take lot L100" in feedback_text(stop)
        await scan(pilot, f"]C101{gtin}17200101\x1d10L100")
        assert "expired on 2020-01-01" in feedback_text(stop)
        await scan(pilot, f"]C101{gtin}17300531\x1d10L100")
        assert stop.walk.in_hand == 1
        await scan(pilot, "T000500")
        await scan(pilot, "02-001-1")
        await scan(pilot, f"]C101{loose.barcode.zfill(14)}10T8")
        assert "instead of T7: recorded" in feedback_text(stop)
        await scan(pilot, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        assert await until(pilot, lambda: synced(app))
    with world.parts.engine.connect() as connection:
        picks = connection.execute(
            sa.select(t.cols(t.AuditEntry).detail)
            .where(t.cols(t.AuditEntry).action == "pick.confirmed")
            .order_by(t.cols(t.AuditEntry).id)
        ).all()
    payloads = [row.detail["payload"] for row in picks]
    assert [(p["lot"], p["expiry"]) for p in payloads] == [("L100", "2030-05-31"), ("T8", None)]


async def test_bulk_quantity_after_one_scan(world: World) -> None:
    clip = Item("CLIP-1", case_units=10)
    planned = make_task(
        world.parts.engine, "discrete", {"SO-570": [Pick("01-009-1", clip, 25, on_hand=40)]}
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        await scan(pilot, "01-009-1")
        await scan(pilot, clip.case_barcode)  # a case of 10
        await scan(pilot, clip.case_barcode)
        assert stop.walk.in_hand == 20
        await scan(pilot, clip.case_barcode)
        assert "too many: that is 10 units, only 5 needed here" in feedback_text(stop)
        await scan(pilot, "T000500")
        await scan(pilot, clip.barcode)
        await press(pilot, "f3")
        dialog = await on_screen(pilot, QuantityScreen)
        dialog.query_one(Input).value = "5"
        await press(pilot, "enter")
        await on_screen(pilot, NextStopScreen)
        assert stop.walk.in_hand == 5
        await scan(pilot, "T000500")
        await on_screen(pilot, TaskCompleteScreen)
        assert await until(pilot, lambda: synced(app))
    assert stock_row(world.parts.engine, planned.stock_ids[0]) == (15, 0)


async def cart_of_two(pilot: Pilot[Any], cart: str) -> NextStopScreen:
    await log_in(pilot)
    await on_screen(pilot, PickerHomeScreen)
    await press(pilot, "f2")
    await on_screen(pilot, CartSetupScreen)
    await scan(pilot, cart)
    for slot in (1, 2):
        await scan(pilot, f"{cart}-S{slot:02d}")
        await scan(pilot, f"T0007{slot:02d}")
    screen: NextStopScreen = await on_screen(pilot, NextStopScreen)
    return screen


async def test_an_order_cancelled_while_picking_is_told_at_the_next_scan(world: World) -> None:
    a1, a2, b1 = Item("A-1"), Item("A-2"), Item("B-1")
    planned: PlannedTask = make_task(
        world.parts.engine,
        "cart",
        {
            "SO-580": [Pick("01-001-1", a1, 2), Pick("03-001-1", a2, 1)],
            "SO-581": [Pick("02-001-1", b1, 1)],
        },
        cart="C0002",
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await cart_of_two(pilot, "C0002")
        await pick_stop(pilot, "01-001-1", a1.barcode, 2, "C0002-S01")
        assert await until(pilot, lambda: synced(app))
        world.parts.services.orders.cancel(SYSTEM, "SO-580", "customer called")
        # The change feed brings the cancellation; the picker learns it at the next scan.
        assert await until(pilot, lambda: bool(app.services.view.notices(planned.task_id)))
        # The screen takes in the feed's change when the sync status reports it.
        assert await until(pilot, lambda: stop.walk.notices_due)
        await scan(pilot, "02-001-1")
        notice = await on_screen(pilot, NoticeScreen)
        words = " ".join(n.message for n in notice.notices)
        assert (
            "order SO-580 was cancelled (customer called): put the 2 units of A-1 back at 01-001-1"
            in words
        )
        assert stop.walk.at_location != "02-001-1"  # the scan was not acted on
        await press(pilot, "enter")
        await on_screen(pilot, NextStopScreen)
        await pick_stop(pilot, "02-001-1", b1.barcode, 1, "C0002-S02")
        # SO-580's other stop (03-001-1) is gone: the task is done.
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        assert [x.tote for x in done.done.totes] == ["T000702"]
        assert done.done.empty_totes == ("T000701",)
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    assert order_state(engine, "SO-580")[0] == "cancelled"
    assert order_state(engine, "SO-581") == ("picked", [(1, 1, 1)])
    assert task_state(engine, planned.task_id)[0] == "done"


async def test_the_network_drops_mid_task_and_the_outbox_drains_when_it_heals(
    world: World,
) -> None:
    items = [Item(f"NET-{n}") for n in range(3)]
    picks = [Pick(f"0{n + 1}-002-1", items[n], 2, on_hand=9) for n in range(3)]
    planned = make_task(world.parts.engine, "discrete", {"SO-590": picks})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_discrete(pilot)
        await pick_stop(pilot, "01-002-1", items[0].barcode, 2, "T000500")
        assert await until(pilot, lambda: synced(app))
        world.server.stop()
        # Offline: every scan is still acknowledged once its commit returns.
        await pick_stop(pilot, "02-002-1", items[1].barcode, 2, "T000500")
        assert await until(
            pilot, lambda: app.sync_status is not None and app.sync_status.state == "offline"
        )
        await pick_stop(pilot, "03-002-1", items[2].barcode, 2, "T000500")
        done = await on_screen(pilot, TaskCompleteScreen)
        assert done.done is not None
        status = app.sync_status
        assert status is not None
        assert status.state == "offline"
        # Two picks, the tote closed and the task completed wait; the worker refreshes its
        # count on its own (backed-off) rounds, so the figure shown may lag behind by a few.
        assert status.waiting >= 1
        # The picker sees it: the status line says offline and how many events wait.
        line = str(done.query_one(StatusBar).render())
        assert f"OFFLINE · {status.waiting} waiting" in line
        assert task_state(world.parts.engine, planned.task_id)[0] == "in_progress"
        world.server.start()
        assert await until(pilot, lambda: synced(app))
    engine = world.parts.engine
    status_now, lines = task_state(engine, planned.task_id)
    assert status_now == "done"
    assert sorted(lines.values()) == [(2, 0, "picked")] * 3
    assert [stock_row(engine, s) for s in planned.stock_ids] == [(7, 0)] * 3
    assert order_state(engine, "SO-590") == ("picked", [(2, 2, 2)] * 3)
    assert containers(engine, planned.task_id) == {1: ("T000500", "closed", "pack")}


async def test_short_with_every_unit_in_hand_is_refused_and_opens_no_dialog(world: World) -> None:
    soap = Item("SOAP-2")
    make_task(world.parts.engine, "discrete", {"SO-511": [Pick("01-002-1", soap, 1, on_hand=5)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stop = await start_discrete(pilot)
        await scan(pilot, "01-002-1")
        await scan(pilot, soap.barcode)
        before = events_recorded(app)
        await press(pilot, "f2")
        assert app.screen is stop  # no dialog that accepts only "0 to 0"
        assert stop.query_one(ScanFeedback).last_signal == "bad"
        assert "the 1 unit needed is in hand: scan slot 1 to put it" in feedback_text(stop)
        assert events_recorded(app) == before
        assert stop.walk.in_hand == 1
        await scan(pilot, "T000500")
        await on_screen(pilot, TaskCompleteScreen)


async def test_f1_in_the_quantity_dialog_lists_its_keys_and_escape_closes_it(world: World) -> None:
    soap = Item("SOAP-3")
    make_task(world.parts.engine, "discrete", {"SO-512": [Pick("01-002-1", soap, 3, on_hand=5)]})
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_discrete(pilot)
        await scan(pilot, "01-002-1")
        await scan(pilot, soap.barcode)
        await press(pilot, "f3")
        dialog = await on_screen(pilot, QuantityScreen)
        await press(pilot, "f1")
        help_screen = await on_screen(pilot, HelpScreen)
        listed = dict(help_screen.keys)
        assert listed["escape"] == "Back"
        assert "ctrl+l" not in listed  # a dialog shuts the log-out key out: not offered
        await press(pilot, "escape")
        assert await until(pilot, lambda: app.screen is dialog)


async def test_another_cart_scanned_before_any_tote_replaces_the_first(world: World) -> None:
    mug = Item("MUG-7")
    make_task(
        world.parts.engine,
        "cart",
        {"SO-530": [Pick("02-010-1", mug, 1)], "SO-531": [Pick("02-011-1", mug, 1)]},
    )
    app = await world.station_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        await press(pilot, "f2")
        setup = await on_screen(pilot, CartSetupScreen)
        title = str(setup.query_one("#setup-title").render())
        assert " · any cart · " in title  # not "cart any cart"
        await scan(pilot, "C0009")  # the wrong cart
        await scan(pilot, "C0002")  # the right one: nothing was put on C0009
        assert setup.walk.cart == "C0002"
        assert setup.query_one(ScanFeedback).last_signal == "good"
        await scan(pilot, "C0009-S01")
        assert "wrong cart C0009" in feedback_text(setup)
        await scan(pilot, "C0002-S01")
        await scan(pilot, "C0004")  # slot 1 chosen, no tote yet: still free to change
        assert setup.walk.cart == "C0004"
        await scan(pilot, "C0002")
        await scan(pilot, "C0002-S01")
        await scan(pilot, "T000501")
        await scan(pilot, "C0003")  # a tote is on C0002 now: the cart stays
        assert setup.walk.cart == "C0002"
        assert "totes are on cart C0002 already" in feedback_text(setup)
