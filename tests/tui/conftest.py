"""Fixtures of the station Pilot tests: the anyio backend and a live server with stations."""

from __future__ import annotations

import pytest

from tests.tui.station_world import world_fixture  # noqa: F401  (the `world` fixture)
from tests.tui.tmux import tmux_fixture  # noqa: F401  (the `tmux` fixture)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
