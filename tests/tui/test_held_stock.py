"""Held stock at the supervisor's console, with Pilot against a real server on a loopback
port: a quality-hold plate released, a damaged one scrapped; refusals and a dead server
change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import DataTable, Input

from tests.support.wave_floor import add_product, stock_by_location
from tests.tui.station_world import (
    World,
    log_in,
    on_screen,
    press,
    scan,
    until,
    world_fixture,  # noqa: F401  (the fixture)
)
from toteflow.central.services.putaway import Receipt
from toteflow.contracts import putaway as pa
from toteflow.contracts.catalogue import LocationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role
from toteflow.station.tui.screens.supervisor_console import SupervisorConsoleScreen
from toteflow.station.tui.screens.supervisor_held import HeldDialog, HeldStockScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio
QUALITY, DAMAGED = "LP0000700001", "LP0000700002"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def seed(world: World) -> None:
    """SKU-Q received onto a quality hold (inspection), SKU-D damaged into quarantine."""
    services = world.parts.services
    for code, kind in (("QUAL-1", "quality"), ("QUAR-1", "quarantine"), ("01-001-1", "reserve")):
        services.catalogue.add_location(SYSTEM, LocationCreate(code=code, kind=kind))
    add_product(services, "SKU-Q")
    add_product(services, "SKU-D")
    putaway = services.putaway
    putaway.receive_to_plate(SYSTEM, Receipt("SKU-Q", 6, "QUAL-1", plate=QUALITY))
    putaway.receive_to_plate(
        SYSTEM, Receipt("SKU-D", 2, "QUAR-1", plate=DAMAGED, hold="damaged on receipt")
    )


def said(app: Any) -> str:
    return str(app.screen.query_one(ScanFeedback).render())


def plate(world: World, code: str) -> pa.Plate:
    return world.parts.services.putaway.plate(SYSTEM, code)


async def test_a_supervisor_releases_quality_hold_and_scraps_damaged_stock(world: World) -> None:
    seed(world)
    with pytest.raises(Refused, match="is held"):  # held stock is not put away
        world.parts.services.putaway.suggest(SYSTEM, pa.SuggestRequest(plate=QUALITY))
    app = await world.station_app()
    async with app.run_test(size=(120, 34)) as pilot:
        await log_in(pilot, Role.SUPERVISOR)
        await on_screen(pilot, SupervisorConsoleScreen)
        await press(pilot, "f7")
        screen: HeldStockScreen = await on_screen(pilot, HeldStockScreen)
        assert await until(pilot, lambda: screen.refreshes > 0)
        table = screen.query_one("#held-plates", DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == [QUALITY, DAMAGED]
        assert table.get_row_at(0)[5] == "quality hold (inspection)"

        # The quality-hold plate scanned, a note typed and F2, in one burst: released.
        app.deliver_scan(QUALITY, "wedge")
        await pilot.press(*"checked ok", "f2")
        assert await until(pilot, lambda: plate(world, QUALITY).status == "received")
        assert await until(pilot, lambda: "RELEASED" in said(app)), said(app)
        assert await until(pilot, lambda: table.row_count == 1)
        people = world.parts.services.people
        released = people.audit(SYSTEM, "plate", QUALITY, "plate.released", 0, 5)
        assert released.items[0].detail["note"] == "checked ok"
        suggestion = world.parts.services.putaway.suggest(SYSTEM, pa.SuggestRequest(plate=QUALITY))
        assert [leg.location for leg in suggestion.legs] == ["01-001-1"]

        # A dead server: said, nothing changed, the plate still held.
        world.server.stop()
        await press(pilot, "enter")
        dialog = await on_screen(pilot, HeldDialog)
        dialog.query_one("#held-words", Input).value = "crushed, leaking"
        await press(pilot, "f3")
        assert await until(pilot, lambda: "SERVER UNREACHABLE" in said(app)), said(app)
        assert plate(world, DAMAGED).status == "held"
        world.server.start()

        # Rejected without a reason: the dialog asks for one and stays.
        await press(pilot, "f5")
        dialog = await on_screen(pilot, HeldDialog)
        await press(pilot, "f3")
        assert isinstance(app.screen, HeldDialog)
        dialog.query_one("#held-words", Input).value = "crushed, leaking"
        await press(pilot, "f3")
        assert await until(pilot, lambda: plate(world, DAMAGED).status == "rejected")
        assert await until(pilot, lambda: "SCRAPPED" in said(app)), said(app)
        assert plate(world, DAMAGED).remaining == 0
        assert stock_by_location(world.parts.engine).get(("QUAR-1", ""), (0, 0))[0] == 0
        audit = people.audit(SYSTEM, "plate", DAMAGED, "plate.rejected", 0, 5)
        assert audit.items[0].detail["disposition"] == "scrap"

        # A plate that is not held (any more): the server's list says so, nothing changes.
        await scan(pilot, DAMAGED)
        assert "not held" in said(app), said(app)
        assert not isinstance(app.screen, HeldDialog)

        # The server refuses a plate rejected elsewhere while the list showed it.
        putaway = world.parts.services.putaway
        putaway.receive_to_plate(SYSTEM, Receipt("SKU-Q", 1, "QUAL-1", plate="LP0000700003"))
        screen.reload()
        assert await until(pilot, lambda: table.row_count == 1)
        putaway.reject(SYSTEM, "LP0000700003", pa.RejectRequest(reason="gone", disposition="scrap"))
        await scan(pilot, "LP0000700003")
        dialog = await on_screen(pilot, HeldDialog)
        await press(pilot, "f2")
        assert await until(pilot, lambda: "NOT RELEASED" in said(app)), said(app)
        assert "is rejected, not held" in said(app)
        assert plate(world, "LP0000700003").status == "rejected"
