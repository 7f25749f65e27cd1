"""The real station in a real terminal (tmux): log-in and pack home take whole bursts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.server.conftest import BADGES, PINS
from tests.support.packing import Measured, picked_into_tote
from tests.support.tasks import Item
from tests.tui.station_world import World
from tests.tui.tmux import Tmux, start_in_tmux, toteflow_command
from toteflow.domain.roles import Role

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_log_in_and_a_tote_with_its_items_each_in_one_burst(
    world: World, tmux: Tmux, tmp_path: Path
) -> None:
    mug = Measured(Item("PK-MUG"), 2, (100, 80, 90), 350)
    picked_into_tote(world.parts.engine, "SO-810", "T000810", [mug])
    env = {
        "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "tmux-station"),
        "TOTEFLOW_STATION_SYNC_INTERVAL_SECONDS": "0.2",
    }
    command = (
        f"{toteflow_command()} station --server {world.server.url} --token {world.station_token}"
    )
    start_in_tmux(tmux, command, env)
    tmux.wait_for(lambda text: "Scan your badge" in text)

    # Badge and PIN as one write: the PIN must reach the PIN field, not be read as a badge.
    tmux.send_bytes(f"{BADGES[Role.PACKER]}\r{PINS[Role.PACKER]}\r".encode())
    text = tmux.wait_for(lambda text: "Scan a tote" in text and "Hello" in text)
    assert "NOT A BADGE" not in text

    # The tote opens the order on the server; both items, sent with it, are checked there.
    barcode = mug.item.barcode
    tmux.send_bytes(f"T000810\r{barcode}\r{barcode}\r".encode())
    text = tmux.wait_for(lambda text: "BOX" in text and "SO-810" in text)
    assert "no order or picked tote" not in text

    tmux.send_bytes(b"\x0c")  # ctrl+l: log out
    tmux.wait_for(lambda text: "Scan your badge" in text)
