"""`toteflow station`: registered with the other commands; refuses --server without --token."""

from __future__ import annotations

from typer.testing import CliRunner

from toteflow.cli import _register, app


def test_station_command_is_there_and_explains_itself() -> None:
    _register()
    result = CliRunner().invoke(app, ["station", "--help"])
    assert result.exit_code == 0
    assert "--demo" in result.output
    assert "--token" in result.output


def test_server_without_token_is_refused() -> None:
    _register()
    result = CliRunner().invoke(app, ["station", "--server", "http://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "--server needs --token" in result.output


def test_demo_can_open_the_station() -> None:
    from toteflow.cli.cmd_station import run_station

    assert callable(run_station)
