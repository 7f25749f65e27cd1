"""`toteflow scan-check` in a real terminal (tmux): raw scanner bytes in, the screen read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

GS = 0x1D


class Tmux:
    """One tmux server on a private socket, so a developer's own sessions are never touched."""

    def __init__(self) -> None:
        self.socket = f"toteflow-test-{uuid.uuid4().hex[:8]}"
        self.session = "scan"

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def send_bytes(self, data: bytes) -> None:
        # -H: each argument is one byte in hex, written to the pane's terminal as typed.
        self.run("send-keys", "-t", self.session, "-H", *(f"{b:02x}" for b in data))

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Capture the pane until `condition` holds (bounded wait); return the last capture."""
        deadline = time.monotonic() + timeout
        text = self.screen()
        while not condition(text):
            if time.monotonic() > deadline:
                pytest.fail(f"the terminal never showed what was expected; it shows:\n{text}")
            time.sleep(0.1)
            text = self.screen()
        return text

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    yield server
    server.kill()


def test_scan_check_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    toteflow = Path(sys.executable).with_name("toteflow")
    assert toteflow.exists(), "the toteflow console script is not installed in this venv"
    env_args = []
    for name in ("PATH", "HOME", "VIRTUAL_ENV"):
        if name in os.environ:
            env_args += ["-e", f"{name}={os.environ[name]}"]
    tmux.run(
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "24",
        "-s",
        tmux.session,
        *env_args,
        "-e",
        "LANG=C.UTF-8",
        "-e",
        "TERM=xterm-256color",
        f"{toteflow} scan-check",
    )
    tmux.wait_for(lambda text: "scan check" in text and "Scan a label" in text)

    good_gs1 = b"]C10109501101530003" + bytes([GS]) + b"10LOT42" + bytes([GS]) + b"21SER9\r"
    # Three scans in one write, as a wedge scanner's burst reaches the terminal.
    tmux.send_bytes(b"05-017-2\r" + good_gs1 + b"4006381333932\r")
    text = tmux.wait_for(lambda text: "check digit wrong: expected 1" in text)
    assert "NOT RECOGNISED" in text
    assert "✓ location: 05-017-2" in text
    # The GS1 string kept both separators (shown as ␝) and read its lot and serial.
    assert "]C10109501101530003␝10LOT42␝21S" in text
    assert "(01)09501101530003(10)LOT42(21)SER9" in text

    tmux.send_bytes(b"T000042\r")
    text = tmux.wait_for(lambda text: "TOTE LABEL" in text)
    assert "T000042" in text

    tmux.send_bytes(b"\x11")  # ctrl+q quits
    tmux.wait_for(lambda text: "scan check" not in text)
