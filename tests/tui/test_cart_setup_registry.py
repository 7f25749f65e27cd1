"""Tote set-up at a real station against a real server's registry: a tote that is not
registered or that holds another order is refused with the reason, an empty one goes in, and
F5 (tote full) on a tote with nothing in it is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.tasks import Item, Pick, make_task
from tests.tui.station_world import World, log_in, on_screen, press, scan, until
from toteflow.central.services import container_events
from toteflow.central.store import tables as t
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.contracts.containers import ContainersCreate, ToteRangeCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.containers import ContainerState, Holding
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.next_stop import NextStopScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


def waiting_at_packing(world: World, tote: str, reference: str, task_id: int) -> None:
    """The tote closed with one unit of `reference`, as a push from another station leaves it."""
    with SqlUnitOfWorkFactory(world.parts.engine)() as uow:
        holding = Holding(
            ContainerState.TRAVELLING,
            task_id=task_id,
            slot=1,
            order_reference=reference,
            destination="pack",
            units=1,
        )
        uow.containers.save_totes({tote: holding})
        container_events.announce(uow, uow.containers.records("tote", [tote]))
        uow.commit()


async def test_set_up_refuses_unknown_and_busy_totes_and_f5_refuses_an_empty_tote(
    world: World,
) -> None:
    world.parts.services.containers.add(
        SYSTEM, ContainersCreate(tote_ranges=[ToteRangeCreate(labels="T000001-T000020")])
    )
    mug = Item("MUG-9")
    earlier = make_task(world.parts.engine, "discrete", {"SO-100013": [Pick("02-010-1", mug, 1)]})
    with world.parts.engine.begin() as connection:
        connection.execute(
            sa.update(t.table(t.Task))
            .where(t.cols(t.Task).id == earlier.task_id)
            .values(status="done")
        )
    waiting_at_packing(world, "T000014", "SO-100013", earlier.task_id)
    make_task(world.parts.engine, "discrete", {"SO-100030": [Pick("02-011-1", mug, 2)]})

    app = await world.station_app()
    station = world.apps[-1].station

    def knows_the_registry() -> bool:
        with station.uow() as uow:
            return uow.containers.get("tote", "T000014") is not None

    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await on_screen(pilot, PickerHomeScreen)
        assert await until(pilot, knows_the_registry)
        await press(pilot, "f2")
        setup = await on_screen(pilot, CartSetupScreen)
        feedback = setup.query_one(ScanFeedback)

        await scan(pilot, "T999999")
        assert feedback.last_signal == "bad"
        assert "tote T999999 is not registered" in str(feedback.render())
        await scan(pilot, "T000014")
        assert feedback.last_signal == "bad"
        words = " ".join(str(feedback.render()).split())
        assert (
            "tote T000014 holds order SO-100013 (1 unit), waiting at packing: take an empty tote"
            in words
        )
        assert setup.walk.slots()[0].tote is None

        await scan(pilot, "T000015")
        stop = await on_screen(pilot, NextStopScreen)
        assert stop.walk.slots()[0].tote == "T000015"
        signals = stop.signals
        await press(pilot, "f5")
        assert await until(pilot, lambda: stop.signals > signals)
        stop_feedback = stop.query_one(ScanFeedback)
        assert stop_feedback.last_signal == "bad"
        assert "tote T000015 has nothing in it yet" in " ".join(str(stop_feedback.render()).split())
