"""Reads a warehouse layout file (TOML) into a domain Layout; errors name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from toteflow.domain.layout import Layout, LayoutError, parse_layout


def load_layout(path: Path | str) -> Layout:
    """The layout in a TOML file; LayoutError names the file and the bad key."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise LayoutError(f"layout file not found: {path}") from None
    except IsADirectoryError:
        raise LayoutError(f"layout file {path} is a directory") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise LayoutError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        return parse_layout(data)
    except LayoutError as exc:
        raise LayoutError(f"{path}: {exc}") from None
