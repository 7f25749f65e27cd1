"""`toteflow import orders|products|stock|notices|face-limits|containers FILE.csv`: bulk-load."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from toteflow.central import bootstrap
from toteflow.central.services.importing.columns import COLUMNS, Kind, counted
from toteflow.central.services.importing.container_rows import read_containers
from toteflow.central.services.importing.reading import ImportFileError
from toteflow.central.services.importing.service import ImportInterrupted, ImportReport
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import ServiceError
from toteflow.domain.words import plural

imports = typer.Typer(
    help="Import orders, products, stock counts, inbound notices, pick faces' min/max or carts "
    "and totes from CSV "
    "files (UTF-8, "
    "header line first). "
    "Every row is checked first; nothing is imported if any row is bad, unless --skip-bad "
    "names a file for the bad rows. Running an import twice creates no duplicates.",
    no_args_is_help=True,
)
app.add_typer(imports, name="import")

# Above this many lines a progress bar is worth its screen space.
PROGRESS_FROM_LINES = 1_000

CsvArgument = Annotated[
    Path, typer.Argument(metavar="FILE.csv", help="the CSV file to import", show_default=False)
]
SkipBadOption = Annotated[
    Path | None,
    typer.Option(
        "--skip-bad",
        metavar="BADFILE",
        help="import the good rows and write the bad ones, with an 'error' column, to BADFILE",
        dir_okay=False,
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL of the server's database; default: from the configuration",
    ),
]


def _columns_help(kind: Kind) -> str:
    columns = COLUMNS[kind]
    optional = [name for name in columns.names if name in columns.optional]
    return f"Columns: {', '.join(columns.names)} (may be left out: {', '.join(optional)})."


@imports.command(
    "orders",
    help="Import orders: one row per order line; the rows of one order share its reference "
    "and repeat its fields. Orders whose reference exists are left as they are. "
    + _columns_help("orders"),
)
def import_orders(
    file: CsvArgument,
    skip_bad: SkipBadOption = None,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    _import("orders", file, skip_bad, config, database_url)


@imports.command(
    "products",
    help="Import products: one row per unit of measure (each with its own barcode); the "
    "rows of one product share its SKU. Products whose SKU exists are left as they are. "
    + _columns_help("products"),
)
def import_products(
    file: CsvArgument,
    skip_bad: SkipBadOption = None,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    _import("products", file, skip_bad, config, database_url)


@imports.command(
    "stock",
    help="Import stock counts: each row sets the quantity on hand of a SKU (lot, expiry) at "
    "a location, adjusting by the difference with reason 'count'. Locations and products "
    "must exist. " + _columns_help("stock"),
)
def import_stock(
    file: CsvArgument,
    skip_bad: SkipBadOption = None,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    _import("stock", file, skip_bad, config, database_url)


@imports.command(
    "face-limits",
    help="Import pick faces' minimum and maximum per SKU: each row sets them for a SKU at a "
    "pick face (minimum <= maximum, maximum within the face's max_quantity when it has one); "
    "below the minimum the face is replenished up to the maximum. Locations and products "
    "must exist. " + _columns_help("face-limits"),
)
def import_face_limits(
    file: CsvArgument,
    skip_bad: SkipBadOption = None,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    _import("face-limits", file, skip_bad, config, database_url)


@imports.command(
    "notices",
    help="Import inbound notices (purchase orders, kind po, and ASNs, kind asn): one row per "
    "notice line, or per part of a line on one pallet or case (sscc, with parent_sscc for a "
    "case on a pallet); the rows of one notice share its reference and repeat its fields. "
    "quantity is counted in uom (default EA). Notices whose reference exists are left as "
    "they are. " + _columns_help("notices"),
)
def import_notices(
    file: CsvArgument,
    skip_bad: SkipBadOption = None,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    _import("notices", file, skip_bad, config, database_url)


@imports.command(
    "containers",
    help="Register carts and totes: one row per label or range of labels "
    "(T000001-T000200). Columns: kind (cart or tote), labels; optional: slots, "
    "max_volume_l, max_weight_kg (carts), volume_l (totes). Labels already registered are "
    "left as they are; a bad row imports nothing.",
)
def import_containers(
    file: CsvArgument,
    config: ConfigOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    try:
        carts, totes = read_containers(file)
    except ImportFileError as exc:
        fail(str(exc))
    settings = settings_or_exit(config)
    url = database_url or bootstrap.database_url(settings.server)
    try:
        engine = bootstrap.open_database(url)
    except Exception as exc:
        fail(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    try:
        added = bootstrap.build_container_service(engine).register(SYSTEM, carts, totes)
    except ServiceError as exc:
        fail(str(exc), code=1)
    finally:
        engine.dispose()
    typer.echo(
        f"registered {added.carts_added} of {len(carts)} carts and {added.totes_added} of "
        f"{len(totes)} totes (the others were registered already)"
    )


def _import(
    kind: Kind, file: Path, skip_bad: Path | None, config: Path | None, database_url: str | None
) -> None:
    # Before opening (and perhaps migrating) a database: a mistyped file name is the
    # likelier mistake.
    if not file.is_file():
        fail(f"{file}: no such file" if not file.exists() else f"{file} is not a file")
    settings = settings_or_exit(config)
    url = database_url or bootstrap.database_url(settings.server)
    try:
        engine = bootstrap.open_database(url)
    except Exception as exc:
        fail(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    console = Console(stderr=True)
    show_progress = console.is_terminal and _line_count(file) > PROGRESS_FROM_LINES
    try:
        with _progress(console, show_progress) as progress:
            report = bootstrap.build_importer(engine).run(
                SYSTEM, kind, file, skip_bad=skip_bad, progress=progress
            )
    except ImportFileError as exc:
        fail(str(exc))
    except ImportInterrupted as exc:
        fail(str(exc), code=1)
    except ServiceError as exc:
        fail(str(exc), code=1)
    except Exception as exc:
        fail(f"the import failed: {exc.__class__.__name__}: {exc}", code=1)
    finally:
        engine.dispose()
    _report(report)


def _report(report: ImportReport) -> None:
    if not report.written:
        for problem in report.problems:
            typer.echo(str(problem))
        units = (
            ""
            if report.kind in ("stock", "face-limits")
            else f" ({counted(report.bad, report.kind)})"
        )
        fail(
            f"{plural(report.bad_lines, 'bad row')} in "
            f"{report.path}{units}: nothing imported. Fix them and run the import again, or "
            "add --skip-bad BADFILE to import the good rows and set the bad ones aside."
        )
    if report.rows == 0:
        typer.echo(f"nothing to import: {report.path} has no rows after the header")
    summary = report.summary()
    if report.bad_rows_file is not None:
        summary += f"; bad rows written to {report.bad_rows_file}"
    typer.echo(summary)


def _line_count(file: Path) -> int:
    lines = 0
    with file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return lines


class _Bar:
    """The import's progress callback, drawing one bar per phase."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        task = self.tasks.get(phase)
        if task is None:
            task = self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(task, completed=done, total=total)


@contextmanager
def _progress(console: Console, show: bool) -> Iterator[_Bar | None]:
    if not show:
        yield None
        return
    columns = (
        TextColumn("{task.description:>9}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield _Bar(progress)
