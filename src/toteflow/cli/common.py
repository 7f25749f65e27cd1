"""The root Typer app and the helpers every sub-command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from toteflow.config import ConfigError, Settings, load_settings

app = typer.Typer(
    name="toteflow",
    help="Warehouse floor software: the central server, the floor station, and tools.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="TOML file overriding the defaults (only the keys you change).",
        dir_okay=False,
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a message a person can act on and stop with an exit status."""
    typer.secho(f"toteflow: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def settings_or_exit(config: Path | None) -> Settings:
    """Load settings, turning a bad key into a one-line message and exit status 2."""
    try:
        return load_settings(config)
    except ConfigError as exc:
        fail(f"configuration: {exc}")
