"""The demo as a newcomer meets it: seeded warehouse, released work, the demo picker and F9."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from textual.widgets import Input

from tests.tui.station_world import LiveServer, free_port, on_screen, press, until
from toteflow.central import bootstrap
from toteflow.central.api.deps import Services
from toteflow.central.services import demo
from toteflow.central.store import tables as t
from toteflow.config import Settings, default_config_dir, load_settings
from toteflow.shared.layout_file import load_layout
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.screens.cart_setup import CartSetupScreen
from toteflow.station.tui.screens.login import LoginScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.task_complete import TaskCompleteScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class DemoSite:
    def __init__(
        self,
        settings: Settings,
        engine: sa.Engine,
        token: str,
        task_ids: list[int],
        delivery: demo.DemoDelivery | None = None,
        services: Services | None = None,
    ):
        self.settings = settings
        self.engine = engine
        self.token = token
        self.task_ids = task_ids
        self.delivery = delivery  # today's notice and its labels, as `toteflow demo` seeds
        self.services = services


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[tuple[DemoSite, LiveServer]]:
    env = {
        "TOTEFLOW_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "station"),
        "TOTEFLOW_STATION_SYNC_INTERVAL_SECONDS": "0.2",
    }
    settings = load_settings(environ=env)
    layout = load_layout(default_config_dir() / "warehouse.toml")
    parts = bootstrap.build_server(settings)
    services = parts.services
    plan = demo.plan(layout, seed=3, products=80, orders=60, today=date(2026, 11, 22))
    seeded = demo.seed(
        services.catalogue,
        services.orders,
        services.people,
        services.containers,
        plan,
        services.notices,
    )
    task_ids = demo.release_work(services.waves, services.wave_release)
    server = LiveServer(parts.app, free_port())
    server.start()
    try:
        site = DemoSite(
            settings, parts.engine, seeded.station_token, task_ids, plan.delivery, services
        )
        yield site, server
    finally:
        server.stop()
        parts.engine.dispose()


def test_the_demo_releases_a_cart_of_four_orders_first(
    demo_site: tuple[DemoSite, LiveServer],
) -> None:
    site, _ = demo_site
    with site.engine.connect() as connection:
        tasks = connection.execute(
            sa.select(t.cols(t.Task).id, t.cols(t.Task).kind, t.cols(t.Task).slots)
            .where(t.cols(t.Task).status == "ready")
            .order_by(t.cols(t.Task).priority, t.cols(t.Task).id)
        ).all()
        over = connection.execute(
            sa.select(sa.func.count()).where(t.cols(t.Stock).reserved > t.cols(t.Stock).quantity)
        ).scalar_one()
    # tasks/next hands out by priority, then age: the cart comes first.
    assert (tasks[0].kind, tasks[0].slots) == ("cart", 4)
    assert [task.kind for task in tasks[1:]] == ["discrete", "discrete"]
    assert sorted(task.id for task in tasks) == sorted(site.task_ids)
    assert over == 0


async def test_a_newcomer_picks_the_demo_cart_with_the_demo_key(
    demo_site: tuple[DemoSite, LiveServer],
) -> None:
    site, server = demo_site
    await station_bootstrap.register_with_token(site.settings.station, server.url, site.token)
    built = station_bootstrap.build_station_app(site.settings, demo=True, tune_gc=False)
    app = built.app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            login = await on_screen(pilot, LoginScreen)
            await press(pilot, "f9")  # the demo key scans the demo picker's badge
            pin = login.query_one("#login-pin", Input)
            assert await until(pilot, lambda: pin.has_focus)
            pin.value = "1111"
            await press(pilot, "enter")
            await on_screen(pilot, PickerHomeScreen)
            await press(pilot, "f2")
            await on_screen(pilot, CartSetupScreen)
            # F9 until the task is done: the cart, its slots and totes, every stop.
            for _ in range(400):
                screen = app.screen
                if isinstance(screen, TaskCompleteScreen):
                    break
                before = screen.signals if isinstance(screen, StationScreen) else 0
                await press(pilot, "f9")
                assert await until(
                    pilot,
                    lambda s=screen, b=before: (
                        app.screen is not s  # type: ignore[misc]
                        or (isinstance(s, StationScreen) and s.signals > b)
                    ),
                )
                if app.screen is screen:
                    assert screen.query_one(ScanFeedback).last_signal == "good"
            done = await on_screen(pilot, TaskCompleteScreen)
            assert done.done is not None
            assert len(done.done.totes) == 4
            assert await until(
                pilot,
                lambda: (
                    app.sync_status is not None
                    and app.sync_status.state == "online"
                    and app.sync_status.waiting == 0
                ),
            )
    finally:
        built.close()
    with site.engine.connect() as connection:
        cart_task = connection.execute(
            sa.select(t.cols(t.Task).id, t.cols(t.Task).status).where(t.cols(t.Task).kind == "cart")
        ).one()
        status = cart_task.status
        orders = connection.execute(
            sa.select(t.cols(t.Order).status)
            .join(t.TaskContainer, t.cols(t.TaskContainer).order_id == t.cols(t.Order).id)
            .where(t.cols(t.TaskContainer).task_id == cart_task.id)
        ).all()
    assert status == "done"
    assert [row.status for row in orders] == ["picked"] * 4
