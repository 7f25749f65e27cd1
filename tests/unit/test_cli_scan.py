"""`toteflow scan explain` and `toteflow scan listen`: JSON per scan, status on stderr, Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.integration.ptys import PtyDevice
from toteflow.cli import _register, app
from toteflow.cli.cmd_scan import unescape

# The whole command tree, as the console script builds it.
_register()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_explain_prints_one_object_per_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "explain", "05-017-2", "T000001", r"]E04006381333931"])
    assert result.exit_code == 0, result.output
    objects = lines(result.stdout)
    assert [o["kind"] for o in objects] == ["location", "tote", "gtin"]
    assert objects[0]["fields"] == {"code": "05-017-2", "aisle": 5, "bay": 17, "level": 2}
    assert objects[2]["symbology"] == "E0"
    assert objects[2]["error"] is None


def test_explain_errors_and_exit_status(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "explain", "4006381333932", "T000001"])
    assert result.exit_code == 1
    bad, good = lines(result.stdout)
    assert bad["kind"] is None
    assert bad["error"] == "check digit wrong: expected 1"
    assert bad["fields"] == {}
    assert good["kind"] == "tote"


def test_explain_gs_escapes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "explain", r"]C10104012345678901\x1d10LOT7<GS>17261231"])
    assert result.exit_code == 0, result.output
    (obj,) = lines(result.stdout)
    assert obj["input"] == "]C10104012345678901\x1d10LOT7\x1d17261231"
    fields = obj["fields"]
    assert isinstance(fields, dict)
    assert (fields["lot"], fields["expiry"]) == ("LOT7", "2026-12-31")


def test_explain_without_escapes_and_with_a_replacement(runner: CliRunner) -> None:
    raw = "]C10104012345678901~10A<GS>"
    result = runner.invoke(app, ["scan", "explain", "--no-escapes", "--fnc1-replacement", "~", raw])
    (obj,) = lines(result.stdout)
    assert obj["input"] == raw
    fields = obj["fields"]
    assert isinstance(fields, dict)
    assert fields["lot"] == "A<GS>"


def test_explain_reads_standard_input(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["scan", "explain", "-"], input="T000001\r\n\n0104012345678901\x1d10AB\n"
    )
    assert result.exit_code == 0, result.output
    assert [o["kind"] for o in lines(result.stdout)] == ["tote", "gs1"]


def test_explain_uses_the_sites_code_formats(runner: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text("[codes]\ntote = '^TOTE\\d{4}$'\ntote_template = \"TOTE{number:04d}\"\n")
    result = runner.invoke(app, ["scan", "explain", "--config", str(config), "TOTE0001"])
    assert lines(result.stdout)[0]["kind"] == "tote"
    config.write_text("[codes]\ntote = '^TOTE\\d{4}$'\n")
    result = runner.invoke(app, ["scan", "explain", "--config", str(config), "TOTE0001"])
    assert result.exit_code == 2
    assert "[codes] tote_template" in result.stderr


def test_unescape() -> None:
    assert unescape(r"a\x1db") == "a\x1db"
    assert unescape(r"\u001D<gs>{GS}\t\\x") == "\x1d\x1d\x1d\t\\x"
    assert unescape("plain") == "plain"


def test_listen_needs_a_device(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "listen"], env={"TOTEFLOW_SCANNER_DEVICE": ""})
    assert result.exit_code == 2
    assert "keyboard-wedge" in result.stderr
    result = runner.invoke(app, ["scan", "listen", "--device", "x", "--suffix", "ETX"])
    assert result.exit_code == 2
    assert "--suffix" in result.stderr


def test_listen_bad_url_stops(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "listen", "--device", "nosuch://x"])
    assert result.exit_code == 2
    assert "not retrying" in result.stderr


@pytest.fixture
def pty_device(tmp_path: Path) -> Iterator[PtyDevice]:
    device = PtyDevice(tmp_path / "scanner")
    yield device
    device.close()


class Listener:
    """`toteflow scan listen` in a child process, as a person runs it in a terminal.

    A child process (not CliRunner) because pyserial empties the input buffer when it opens
    the port: the test must see "scanner connected" on stderr before it scans anything.
    """

    def __init__(self, device: PtyDevice, *args: str) -> None:
        command = [sys.executable, "-m", "toteflow", "scan", "listen"]
        self.process = subprocess.Popen(
            [*command, "--device", str(device.path), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.stdout, self.stderr = self.process.stdout, self.process.stderr

    def status(self) -> str:
        return self.stderr.readline().strip()

    def scan(self) -> dict[str, object]:
        line = self.stdout.readline()
        assert line, "listen ended early"
        obj: dict[str, object] = json.loads(line)
        return obj

    def finish(self, timeout: float = 30) -> tuple[int, str, str]:
        try:
            out, err = self.process.communicate(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        return self.process.returncode, out, err


def test_listen_ends_cleanly_on_ctrl_c(pty_device: PtyDevice) -> None:
    listener = Listener(pty_device)
    assert listener.status().startswith("scanner connected")
    pty_device.write(b"T000001\r")
    assert listener.scan()["kind"] == "tote"
    listener.process.send_signal(signal.SIGINT)
    code, _, err = listener.finish()
    assert code == 0, err
    assert "Traceback" not in err
    assert "stopped" in err


def test_listen_prints_scans_and_survives_a_replug(pty_device: PtyDevice) -> None:
    listener = Listener(pty_device, "--count", "3")
    assert listener.status() == f"scanner connected: {pty_device.path}"
    pty_device.write(b"05-017-2\r4006381333932\r")
    assert listener.scan()["kind"] == "location"
    assert listener.scan()["error"] == "check digit wrong: expected 1"
    pty_device.unplug()
    assert listener.status().startswith(f"scanner disconnected: {pty_device.path}")
    pty_device.replug()
    assert listener.status().startswith("scanner connected")
    pty_device.write(b"T000002\r")
    assert listener.scan()["fields"] == {"code": "T000002"}
    code, out, err = listener.finish()  # --count 3 reached: it ends by itself
    assert code == 0, err
    assert out == ""
