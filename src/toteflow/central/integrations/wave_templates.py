"""Reads the wave templates file (TOML) into contract models; errors name the file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from toteflow.contracts.waves import WaveTemplate


class WaveTemplateError(ValueError):
    """The templates file is missing or invalid; the message names the file and the entry."""


def load_templates(path: Path | str) -> list[WaveTemplate]:
    """The `[[templates]]` of a TOML file, checked: names unique, filters known."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise WaveTemplateError(f"wave templates file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WaveTemplateError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise WaveTemplateError(f"{path}: cannot be read: {exc.strerror}") from None
    extra = sorted(set(data) - {"templates"})
    if extra:
        raise WaveTemplateError(f"{path}: unknown key {', '.join(extra)} (known: templates)")
    raw = data.get("templates", [])
    if not isinstance(raw, list):
        raise WaveTemplateError(f"{path}: templates must be a list of [[templates]] tables")
    templates: list[WaveTemplate] = []
    for index, entry in enumerate(raw):
        try:
            template = WaveTemplate.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise WaveTemplateError(f"{path}: templates[{index}].{where}: {first['msg']}") from None
        if any(t.name == template.name for t in templates):
            raise WaveTemplateError(f"{path}: templates[{index}]: name {template.name!r} repeats")
        templates.append(template)
    return templates
