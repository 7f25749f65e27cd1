"""Every command's --help reads as prose: no `<bool>` after a flag, no sentence broken where the
source line ended (checked at a width where nothing needs wrapping)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from toteflow.cli import _register, app


def command_paths() -> Iterator[list[str]]:
    _register()
    root: Any = typer.main.get_command(app)

    def walk(command: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(root, [])


PATHS = list(command_paths())


def test_the_user_commands_are_there() -> None:
    assert {"add", "list", "set-pin", "deactivate"} <= {
        p[-1] for p in PATHS if len(p) == 2 and p[0] == "user"
    }


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "toteflow")
def test_help_reads_as_prose(path: list[str]) -> None:
    result = CliRunner(env={"COLUMNS": "2000"}).invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    boxed = [line for line in lines if line.startswith("│")]
    prose = [line for line in lines if not line or line[0] not in "│╭╰"]
    # At 2000 columns a paragraph is one line: two prose lines in a row are a broken sentence.
    for before, after in pairwise(prose):
        if before.strip() and after.strip():
            assert before.strip().startswith("Usage:"), f"broken: {before!r} / {after!r}"
    # And each row of a table starts with its option, argument or command, never with the
    # rest of the row above.
    for row in boxed:
        assert len(row[1:]) - len(row[1:].lstrip()) < 8, f"broken row: {row!r}"
