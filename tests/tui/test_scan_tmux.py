"""`toteflow scan-check` in a real terminal (tmux): raw scanner bytes in, the screen read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tui.tmux import Tmux, start_in_tmux, toteflow_command

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

GS = 0x1D


def test_scan_check_in_a_real_terminal(tmux: Tmux, tmp_path: Path) -> None:
    start_in_tmux(tmux, f"{toteflow_command()} scan-check")
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
