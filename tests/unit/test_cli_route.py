"""`toteflow route`: one JSON object per list, messages and exit status 2 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toteflow.cli import _register, app

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "config" / "warehouse.toml")
ONE = str(ROOT / "tests" / "layouts" / "one_block.toml")

# The whole command tree, as the console script builds it: with `route` alone, Typer would
# make it the root command and take "route" for a location.
_register()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_route_prints_one_json_object(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["route", "--layout", DEMO, "12-003-1", "05-017-2", "01-001-1", "05-017-1"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "method": "optimal",
        "distance_m": 146.5,
        "sequence": ["01-001-1", "05-017-1", "05-017-2", "12-003-1"],
    }


def test_layout_defaults_to_the_configured_file(runner: CliRunner, tmp_path: Path) -> None:
    settings = tmp_path / "site.toml"
    settings.write_text(f'[layout]\nfile = "{ONE}"\n')
    result = runner.invoke(app, ["route", "--config", str(settings), "01-030-1", "02-030-1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["distance_m"] == 90.0
    # Without --config: the shipped demo warehouse.
    result = runner.invoke(app, ["route", "01-001-1"])
    assert json.loads(result.stdout)["distance_m"] == 1.5


@pytest.mark.parametrize("method", ["s-shape", "largest-gap", "return", "midpoint"])
def test_methods_by_name(runner: CliRunner, method: str) -> None:
    result = runner.invoke(
        app, ["route", "--layout", ONE, "--method", method, "01-010-1", "03-020-1", "05-005-1"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["method"] == method
    assert out["sequence"] == ["05-005-1", "03-020-1", "01-010-1"]


def test_jsonl_routes_each_line(runner: CliRunner) -> None:
    lines = '["05-017-2", "12-003-1"]\n\n["01-001-1"]\n[]\n'
    result = runner.invoke(app, ["route", "--layout", DEMO, "--jsonl"], input=lines)
    assert result.exit_code == 0, result.output
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["sequence"] for o in outputs] == [["05-017-2", "12-003-1"], ["01-001-1"], []]
    assert [o["distance_m"] for o in outputs] == [145.0, 1.5, 0.0]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["05-017-2", "21-001-1"], None, "location 21-001-1: aisle 21 is outside the layout"),
        (["5-17-2"], None, "bad location code '5-17-2': expected AA-BBB-L"),
        (["--method", "fast", "01-001-1"], None, "unknown method 'fast'; choose from optimal"),
        ([], None, "give at least one location"),
        (["--jsonl", "01-001-1"], "", "not both"),
        (["--jsonl"], '["01-001-1"]\n{"a": 1}\n', "line 2: expected a JSON array of location"),
        (["--jsonl"], '["01-001-1"]\n[1, 2\n', "line 2: not JSON"),
        (["--jsonl"], '["01-001-1"]\n["01-001-1", "1-1-1"]\n', "line 2: bad location code"),
    ],
)
def test_bad_input_is_named_with_status_2(
    runner: CliRunner, args: list[str], stdin: str | None, message: str
) -> None:
    result = runner.invoke(app, ["route", "--layout", DEMO, *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.stderr


def test_jsonl_keeps_the_lines_before_a_bad_one(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["route", "--layout", DEMO, "--jsonl"], input='["01-001-1"]\n["99-001-1"]\n'
    )
    assert result.exit_code == 2
    assert json.loads(result.stdout)["sequence"] == ["01-001-1"]


def test_bad_layout_files_are_named_with_status_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    result = runner.invoke(app, ["route", "--layout", str(missing), "01-001-1"])
    assert result.exit_code == 2
    assert f"layout file not found: {missing}" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(DEMO).read_text().replace("depot_aisle = 1", "depot_aisle = 21"))
    result = runner.invoke(app, ["route", "--layout", str(bad), "01-001-1"])
    assert result.exit_code == 2
    assert "layout.depot_aisle must be a whole number from 1 to 20, got 21" in result.stderr
    assert str(bad) in result.stderr
