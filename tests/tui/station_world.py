"""A real server on a loopback port and station apps talking to it over HTTP, for Pilot tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from textual.pilot import Pilot

from tests.server.conftest import BADGES, PINS
from tests.tui.terminal_input import wait_until
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.config import Settings, load_settings
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.server_client.worker import Backoff
from toteflow.station.tui.app import StationApp
from toteflow.station.tui.screens.base import StationScreen


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LiveServer:
    """uvicorn serving the app on 127.0.0.1:port in a thread; stop() and start() again."""

    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"uvicorn-{self.port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on port {self.port}")
            time.sleep(0.01)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        """The network drops: the port stops answering (connections are refused)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=20)
        self._server = self._thread = None


@dataclass
class World:
    """The server (its engine for checking state), its live HTTP face and the station."""

    parts: ServerParts
    server: LiveServer
    settings: Settings
    station_token: str
    station_id: int
    apps: list[station_bootstrap.StationAppParts] = field(default_factory=list)

    async def station_app(self, *, demo: bool = True) -> StationApp:
        """A station app registered with the live server, built by the real bootstrap."""
        await station_bootstrap.register_with_token(
            self.settings.station, self.server.url, self.station_token
        )
        built = station_bootstrap.build_station_app(self.settings, demo=demo, tune_gc=False)
        # Retries in tenths of a second, so a healed network is noticed within the test.
        built.station.worker.backoff = Backoff(base=0.05, cap=0.3)
        self.apps.append(built)
        return built.app


@pytest.fixture(name="world")
def world_fixture(tmp_path: Path) -> Iterator[World]:
    """A fresh SQLite server with one user per role, served on a free loopback port."""
    env = {
        "TOTEFLOW_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "station"),
        "TOTEFLOW_STATION_SYNC_INTERVAL_SECONDS": "0.2",
    }
    settings = load_settings(environ=env)
    parts = build_server(settings)
    people = parts.services.people
    for role in Role:
        people.add_user(
            SYSTEM,
            UserCreate(
                name=f"{role.value.title()} One", badge=BADGES[role], pin=PINS[role], role=role
            ),
        )
    registered = people.register_station(SYSTEM, StationCreate(name="pick-01"))
    server = LiveServer(parts.app, free_port())
    server.start()
    world = World(parts, server, settings, registered.token, registered.station.id)
    try:
        yield world
    finally:
        server.stop()
        for built in world.apps:
            built.close()
        parts.engine.dispose()


# -- driving the app ------------------------------------------------------------------------


async def scan(pilot: Pilot[Any], raw: str) -> None:
    """One scan through the app's wedge capture; returns once the screen has answered it."""
    app = pilot.app
    assert isinstance(app, StationApp)
    screen = app.screen
    before = screen.signals if isinstance(screen, StationScreen) else 0
    app.deliver_scan(raw, "wedge")
    assert await wait_until(
        pilot,
        lambda: (
            app.screen is not screen
            or (isinstance(screen, StationScreen) and screen.signals > before)
        ),
    ), f"no answer to the scan {raw!r} on {type(screen).__name__}"
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()


async def on_screen(pilot: Pilot[Any], kind: type, timeout: float = 20.0) -> Any:
    """Wait until the app shows a screen of this type; return it."""
    app = pilot.app
    assert await wait_until(pilot, lambda: isinstance(app.screen, kind), timeout), (
        f"expected {kind.__name__}, the app shows {type(app.screen).__name__}"
    )
    await pilot.pause()
    return app.screen


async def log_in(pilot: Pilot[Any], role: Role = Role.PICKER) -> None:
    from textual.widgets import Input

    from toteflow.station.tui.screens.login import LoginScreen

    login = await on_screen(pilot, LoginScreen)
    await scan(pilot, BADGES[role])
    pin = login.query_one("#login-pin", Input)
    assert pin.has_focus
    pin.value = PINS[role]
    await press(pilot, "enter")


def synced(app: StationApp) -> bool:
    """The station is online and has sent every event it recorded."""
    status = app.sync_status
    return status is not None and status.state == "online" and status.waiting == 0


def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 30.0) -> Any:
    return wait_until(pilot, condition, timeout)
