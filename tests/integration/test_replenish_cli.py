"""`toteflow replenish sweep|list` on a SQLite server database: one replenishment, not two."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.support.replenishment import face_with_picks
from toteflow.central import bootstrap
from toteflow.cli import _register, app
from toteflow.config import load_settings


def test_the_sweep_makes_one_replenishment_and_the_next_none(tmp_path: Path) -> None:
    _register()
    env = {"TOTEFLOW_SERVER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}
    settings = load_settings(environ=env)
    engine = bootstrap.open_database(bootstrap.database_url(settings.server))
    try:
        face_with_picks(engine, picks=0, on_face=5, in_reserve=100, minimum=20, maximum=60)
    finally:
        engine.dispose()
    runner = CliRunner(env=env)
    first = runner.invoke(app, ["replenish", "sweep"])
    assert first.exit_code == 0, first.output
    assert "checked 1 face: 1 below minimum, 1 replenishment made" in first.output
    second = runner.invoke(app, ["replenish", "sweep"])
    assert "checked 1 face: 1 below minimum, 0 replenishments made" in second.output
    listed = runner.invoke(app, ["replenish", "list"])
    assert "open   01-001-3     -> 01-001-1     SKU-R1 x 55 [schedule]" in listed.output
