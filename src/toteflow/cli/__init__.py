"""The `toteflow` command: one tree of sub-commands, each with --help."""

from __future__ import annotations

import sys

import typer

from toteflow.cli.common import app


def _register() -> None:
    # Sub-command modules attach themselves to `app`; importing them is the registration.
    import importlib
    import pkgutil

    import toteflow.cli as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("cmd_"):
            importlib.import_module(f"toteflow.cli.{module.name}")


def main() -> None:
    """Entry point of the console script."""
    _register()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main", "typer"]
