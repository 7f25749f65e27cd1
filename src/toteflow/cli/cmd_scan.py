"""`toteflow scan explain|listen`: how toteflow reads a barcode, from text or a live scanner."""

from __future__ import annotations

import json
import queue
import re
import sys
from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.config import ConfigError, Settings
from toteflow.domain.scan import CodeFormats, ScanError, ScanResult, interpret, scan_fields
from toteflow.shared.codes import build_code_formats
from toteflow.station.devices.scanner.events import ScannerConnection, ScannerEvent, ScanRecord
from toteflow.station.devices.scanner.serial_reader import SUFFIXES, SerialScannerReader

scan_app = typer.Typer(
    name="scan",
    help="Check barcodes and scanners: how toteflow reads a label, and what a scanner sends.",
    no_args_is_help=True,
)
app.add_typer(scan_app, name="scan")

# "\x1d", "\u001d", "\t", "\r", "\n", "\\" and <GS>: a shell cannot easily pass a raw GS.
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|[\\trn])|<GS>|\{GS\}", re.IGNORECASE)
_SIMPLE = {"\\": "\\", "t": "\t", "r": "\r", "n": "\n"}


def unescape(text: str) -> str:
    r"""Turn \x1d, \u001d, \t, \r, \n, \\ and <GS> in command-line text into the characters."""

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code is None:
            return "\x1d"
        if code[0] in "xXuU":
            return chr(int(code[1:], 16))
        return _SIMPLE[code]

    return _ESCAPE.sub(replace, text)


def explain_json(raw: str, result: ScanResult) -> str:
    """One line of JSON: input, kind, symbology, fields, error and its technical detail."""
    error = result if isinstance(result, ScanError) else None
    fields = {} if error else scan_fields(result)
    return json.dumps(
        {
            "input": raw,
            "kind": None if error else str(result.kind),
            "symbology": result.symbology,
            "fields": fields,
            "error": error.reason if error else None,
            "detail": error.detail if error else None,
        },
        ensure_ascii=False,
    )


def _formats(settings: Settings) -> CodeFormats:
    try:
        return build_code_formats(settings.codes)
    except ConfigError as exc:
        fail(f"configuration: {exc}")


@scan_app.command("explain")
def explain(
    texts: Annotated[
        list[str],
        typer.Argument(
            help=r"Scanned texts; write GS as \x1d or <GS>. A single - reads lines from "
            "standard input (e.g. a wedge scanner typing into this terminal).",
            show_default=False,
        ),
    ],
    escapes: Annotated[
        bool,
        typer.Option(help=r"Read \x1d, \t, \\ and <GS> in TEXT as the characters they name."),
    ] = True,
    fnc1_replacement: Annotated[
        str | None,
        typer.Option(
            "--fnc1-replacement",
            help="Character that stands for FNC1/GS (default: [scanner] fnc1_replacement).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Print how each text reads, as one JSON object per line (kind, fields, error).

    Exit status 1 if any text is not a barcode toteflow can use.
    """
    settings = settings_or_exit(config)
    formats = _formats(settings)
    fnc1 = settings.scanner.fnc1_replacement if fnc1_replacement is None else fnc1_replacement
    if texts == ["-"]:
        # Keep GS and anything else the scanner typed: only the line end is the suffix.
        inputs: list[str] = [line.rstrip("\r\n") for line in sys.stdin if line.strip("\r\n")]
    else:
        inputs = [unescape(text) if escapes else text for text in texts]
    failed = False
    for raw in inputs:
        result = interpret(raw, formats, fnc1_replacement=fnc1 or None)
        failed |= isinstance(result, ScanError)
        typer.echo(explain_json(raw, result))
    if failed:
        raise typer.Exit(1)


@scan_app.command("listen")
def listen(
    device: Annotated[
        str | None,
        typer.Option(
            help="Serial scanner: device path or pyserial URL such as socket://host:port "
            "(default: [scanner] device).",
            show_default=False,
        ),
    ] = None,
    baudrate: Annotated[
        int | None,
        typer.Option(help="Baud rate (default: [scanner] baudrate).", show_default=False),
    ] = None,
    suffix: Annotated[
        str | None,
        typer.Option(
            help=f"What ends a scan: {', '.join(SUFFIXES)} (default: [scanner] suffix).",
            show_default=False,
        ),
    ] = None,
    count: Annotated[
        int, typer.Option(min=0, help="Stop after this many scans; 0: until Ctrl+C.")
    ] = 0,
    config: ConfigOption = None,
) -> None:
    """Print each scan from a serial scanner as JSON, like `explain`; status goes to stderr.

    The scanner may be unplugged and plugged back in: listening carries on. Ctrl+C ends it.
    """
    settings = settings_or_exit(config)
    formats = _formats(settings)
    scanner = settings.scanner
    updates: dict[str, object] = {}
    if baudrate is not None:
        updates["baudrate"] = baudrate
    if suffix is not None:
        if suffix.upper() not in SUFFIXES:
            fail(f"--suffix must be one of {', '.join(SUFFIXES)}, got {suffix!r}")
        updates["suffix"] = suffix.upper()
    scanner = scanner.model_copy(update=updates)
    chosen = device if device is not None else scanner.device
    if not chosen:
        fail(
            "no serial scanner: pass --device or set [scanner] device. A keyboard-wedge "
            "scanner types into the terminal: try `toteflow scan explain -` or "
            "`toteflow scan-check`."
        )
    events: queue.Queue[ScannerEvent] = queue.Queue()
    reader = SerialScannerReader.from_settings(scanner, events.put, device=chosen)
    reader.start()
    seen = 0
    try:
        while count == 0 or seen < count:
            try:
                # A timeout keeps the main thread waking up, so Ctrl+C is handled promptly.
                event = events.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(event, ScannerConnection):
                typer.echo(event.sentence, err=True)
                if not event.retrying:
                    raise typer.Exit(2)
                continue
            if isinstance(event, ScanRecord):
                seen += 1
                result = interpret(
                    event.raw, formats, fnc1_replacement=scanner.fnc1_replacement or None
                )
                typer.echo(explain_json(event.raw, result))
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        reader.stop()
