"""`toteflow station-setup register|status|sync` against the real server app, in-process."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.server.conftest import Site
from toteflow.cli import _register, app, cmd_station_setup
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.services.events import record
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

_register()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _env(folder: Path) -> dict[str, str]:
    return {"TOTEFLOW_STATION_DATA_DIR": str(folder)}


def _in_process(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def client(ca_file: str = "", *, timeout: float = 15.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.parts.app))

    monkeypatch.setattr(cmd_station_setup, "make_http_client", client)
    monkeypatch.setattr(station_bootstrap, "make_http_client", client)


def test_register_status_and_sync(
    site: Site,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _in_process(site, monkeypatch)
    folder = tmp_path / "st"
    args = ["station-setup", "register", "--station-id", str(site.station_id)]
    args += ["--token", site.station_token, "--server", "http://toteflow.test/", "--name", "p1"]
    result = runner.invoke(app, args, env=_env(folder))
    assert result.exit_code == 0, result.output
    assert f"this station is station {site.station_id} at http://toteflow.test" in result.output
    assert "checked with the server" in result.output

    engine = open_store(folder / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    with uow() as unit:
        record(unit, None, "task.paused", {"task_id": 424242})  # no such task: rejected
        unit.commit()
    engine.dispose()

    status = runner.invoke(app, ["station-setup", "status"], env=_env(folder))
    assert status.exit_code == 0, status.output
    assert "events waiting:    1" in status.output
    assert f"station:           {site.station_id} p1" in status.output

    synced = runner.invoke(app, ["station-setup", "sync", "--once"], env=_env(folder))
    assert synced.exit_code == 0, synced.output
    status = runner.invoke(app, ["station-setup", "status"], env=_env(folder))
    assert "events waiting:    0" in status.output
    assert "last acknowledged: 1" in status.output
    assert "open exceptions:   1" in status.output
    assert "task.paused: there is no task 424242" in status.output
    everything = result.output + status.output + synced.output + caplog.text
    assert site.station_token not in everything


def test_a_wrong_token_or_station_is_refused_before_anything_is_stored(
    site: Site, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_process(site, monkeypatch)
    folder = tmp_path / "st"
    base = ["station-setup", "register", "--server", "http://toteflow.test"]
    wrong = runner.invoke(
        app, [*base, "--station-id", str(site.station_id), "--token", "x" * 40], env=_env(folder)
    )
    assert wrong.exit_code == 2
    assert "refused this station's token" in wrong.output
    other = runner.invoke(
        app,
        [*base, "--station-id", str(site.station_id + 1), "--token", site.station_token],
        env=_env(folder),
    )
    assert other.exit_code == 2
    assert "refused this station" in other.output
    status = runner.invoke(app, ["station-setup", "status"], env=_env(folder))
    assert "registered:        no" in status.output


def test_offline_registration_and_an_unreachable_server(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(ca_file: str = "", *, timeout: float = 15.0) -> httpx.AsyncClient:
        def refuse(request: httpx.Request) -> Any:
            raise httpx.ConnectError("connection refused", request=request)

        return httpx.AsyncClient(transport=httpx.MockTransport(refuse))

    monkeypatch.setattr(cmd_station_setup, "make_http_client", unreachable)
    monkeypatch.setattr(station_bootstrap, "make_http_client", unreachable)
    folder = tmp_path / "st"
    base = ["station-setup", "register", "--station-id", "3", "--token", "t" * 40]
    refused = runner.invoke(app, base, env=_env(folder))
    assert refused.exit_code == 2
    assert "cannot reach the server" in refused.output
    assert "--offline with --station-id" in refused.output
    stored = runner.invoke(app, [*base, "--offline"], env=_env(folder))
    assert stored.exit_code == 0, stored.output
    assert "not checked (offline)" in stored.output
    synced = runner.invoke(app, ["station-setup", "sync", "--once"], env=_env(folder))
    assert synced.exit_code == 1
    assert "cannot reach the server" in synced.output
    status = runner.invoke(app, ["station-setup", "status"], env=_env(folder))
    assert "last error:        cannot reach the server: ConnectError" in status.output


def test_register_learns_the_station_id_and_name_from_the_token(
    site: Site, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_process(site, monkeypatch)
    folder = tmp_path / "st"
    args = ["station-setup", "register", "--token", site.station_token]
    result = runner.invoke(app, [*args, "--server", "http://toteflow.test"], env=_env(folder))
    assert result.exit_code == 0, result.output
    assert f"this station is station {site.station_id} at http://toteflow.test" in result.output
    status = runner.invoke(app, ["station-setup", "status"], env=_env(folder))
    assert f"station:           {site.station_id} pick-01" in status.output
    offline = runner.invoke(app, [*args, "--offline"], env=_env(folder))
    assert offline.exit_code == 2
    assert "--offline needs --station-id" in offline.output
