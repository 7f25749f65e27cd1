"""`toteflow route`: the pick path through a list of locations, printed as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.layout import Layout, LayoutError, LocationError
from toteflow.domain.routing import METHODS, Route, RoutingError, route
from toteflow.shared.layout_file import load_layout


def _as_json(result: Route) -> str:
    # Millimetres are plenty, and rounding hides float noise such as 123.00000000000001.
    return json.dumps(
        {
            "method": result.method,
            "distance_m": round(result.distance_m, 3),
            "sequence": list(result.sequence),
        }
    )


def _route_lines(layout: Layout, method: str) -> None:
    """Route each JSON array on standard input; stop at the first bad line, naming it."""
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            locations: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            fail(f"line {number}: not JSON: {exc.msg}")
        if not isinstance(locations, list) or not all(isinstance(x, str) for x in locations):
            fail(f'line {number}: expected a JSON array of location codes, e.g. ["05-017-2"]')
        try:
            result = route(layout, locations, method)
        except LocationError as exc:
            fail(f"line {number}: {exc}")
        # One flushed line per list, so a pipeline can consume results as they come.
        typer.echo(_as_json(result))
        sys.stdout.flush()


@app.command(
    "route",
    help="Print the pick path through the locations, from the depot and back, as one JSON "
    'object: {"method": ..., "distance_m": ..., "sequence": \\[locations in visiting order]}. '
    "Several picks at one location, or at levels of one bay, are one stop. The optimal "
    "method is exact for layouts of up to four blocks; s-shape, largest-gap, return and "
    "midpoint are the classic policies, for comparison.",
)
def route_command(
    locations: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="LOCATION",
            help="location codes AA-BBB-L (aisle, bay, level), e.g. 05-017-2",
            show_default=False,
        ),
    ] = None,
    layout: Annotated[
        Path | None,
        typer.Option(
            "--layout",
            metavar="FILE",
            help="warehouse layout file (TOML); default: the one the configuration names "
            "(layout.file, relative to the config folder)",
            show_default=False,
        ),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", metavar="NAME", help=f"one of: {', '.join(METHODS)}")
    ] = "optimal",
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="read one JSON array of locations per line on standard input and write one "
            "JSON object per line",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Route one list of locations, or (--jsonl) one per line of standard input."""
    if method not in METHODS:
        fail(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    if jsonl and locations:
        fail("give locations as arguments or, with --jsonl, on standard input; not both")
    if not jsonl and not locations:
        fail("give at least one location, e.g. toteflow route 05-017-2 12-003-1")
    if layout is None:
        settings = settings_or_exit(config)
        layout = settings.resolve(settings.layout.file)
    try:
        warehouse = load_layout(layout)
    except LayoutError as exc:
        fail(f"layout: {exc}")
    if jsonl:
        _route_lines(warehouse, method)
        return
    try:
        result = route(warehouse, locations or [], method)
    except (LocationError, RoutingError) as exc:
        fail(str(exc))
    typer.echo(_as_json(result))
