"""A closed terminal window ends the station and the demo's server, not leaves them running."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toteflow.station.tui.terminal_hangup import hung_up


def test_a_pty_is_not_hung_up_until_its_window_closes() -> None:
    master, slave = pty.openpty()
    try:
        assert not hung_up(slave)
        os.close(master)
        assert hung_up(slave)
    finally:
        os.close(slave)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_demo_server_dies_with_the_demo_process() -> None:
    # A stand-in demo process starts a long-lived child the way `toteflow demo` starts its
    # server, prints the child's pid and dies without any clean-up.
    script = (
        "import subprocess, sys, os\n"
        "from toteflow.cli.cmd_demo import _stop_with_parent\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " preexec_fn=_stop_with_parent)\n"
        "print(child.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    pid = int(out.stdout.strip())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not _running(pid):
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    pytest.fail("the child outlived the process that started it")


def _running(pid: int) -> bool:
    # A dead child whose new parent has not reaped it yet is a zombie: it runs no more.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status
