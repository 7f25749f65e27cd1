"""A private tmux server for tests that run the real app in a real terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


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


@pytest.fixture(name="tmux")
def tmux_fixture() -> Iterator[Tmux]:
    server = Tmux()
    yield server
    server.kill()


def toteflow_command() -> Path:
    """The venv's `toteflow` console script (the real entry point a site runs)."""
    toteflow = Path(sys.executable).with_name("toteflow")
    assert toteflow.exists(), "the toteflow console script is not installed in this venv"
    return toteflow


def start_in_tmux(tmux: Tmux, command: str, env: dict[str, str] | None = None) -> None:
    """Run `command` in a new 80x24 session, with the venv's PATH and a UTF-8 xterm."""
    env_args = []
    for name in ("PATH", "HOME", "VIRTUAL_ENV"):
        if name in os.environ:
            env_args += ["-e", f"{name}={os.environ[name]}"]
    for name, value in (env or {}).items():
        env_args += ["-e", f"{name}={value}"]
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
        command,
    )
