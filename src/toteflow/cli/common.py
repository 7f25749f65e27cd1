"""The root Typer app and the helpers every sub-command shares."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer import rich_utils
from typer.core import TyperOption

from toteflow.config import ConfigError, Settings, load_settings


def _tidy_help() -> None:
    """Help that reads as prose: no `<bool>` after a flag, no line broken where the source was.

    Typer's rich help names the value type of every option, a flag's too (`--demo <bool>`),
    though a flag takes no value; and it keeps the single line breaks of a docstring's later
    paragraphs, so a sentence wrapped in the source breaks mid-line on the screen. Both
    are fixed here, once, for every command (tests/unit/test_cli_help.py checks them all).
    """
    typed = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else typed(self, ctx)

    def fix_linebreaks(paragraphs: list[str], markup_mode: Any) -> str:
        # A paragraph starting with \b keeps its lines (a list, an example), as in click.
        return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)

    command_help = rich_utils._make_command_help

    def make_command_help(*, help_text: str, markup_mode: Any) -> Any:
        # A group's list of commands: each command's first paragraph, on as many lines as
        # the terminal needs, not as the source had them.
        first = inspect.cleandoc(help_text).split("\n\n")[0]
        first = first if first.startswith("\b") else " ".join(first.split())
        return command_help(help_text=first, markup_mode=markup_mode)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    rich_utils._fix_linebreaks = fix_linebreaks
    rich_utils._make_command_help = make_command_help


_tidy_help()

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
