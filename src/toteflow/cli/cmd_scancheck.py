"""`toteflow scan-check`: a terminal screen that reads scans and shows how each is understood."""

from __future__ import annotations

from typing import Annotated

import typer

from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.config import ConfigError
from toteflow.shared.codes import build_code_formats


@app.command("scan-check")
def scan_check(
    config: ConfigOption = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            help=r"Characters the wedge scanner sends before each scan, e.g. \x02 "
            "(default: [scanner] wedge_prefix).",
            show_default=False,
        ),
    ] = None,
    suffix: Annotated[
        str | None,
        typer.Option(
            help=r"Characters it sends after each scan, e.g. \t "
            "(default: [scanner] wedge_suffix, else Enter).",
            show_default=False,
        ),
    ] = None,
    device: Annotated[
        str | None,
        typer.Option(
            help="Also read a serial scanner: device path or pyserial URL "
            "(default: [scanner] device; empty: keyboard wedge only).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scan labels (or type a code and press Enter) to see their kind and fields, or why not.

    Nothing is recorded. Use it to check a label, or a scanner's prefix, suffix and GS1
    settings, at a station.
    """
    settings = settings_or_exit(config)
    try:
        formats = build_code_formats(settings.codes)
    except ConfigError as exc:
        fail(f"configuration: {exc}")
    # Imported here: Textual is slow to import and the other commands do not need it.
    from toteflow.station.tui.scan_check_app import ScanCheckApp
    from toteflow.station.tui.widgets.scan_capture import WedgeSettings, decode_wedge_text

    scanner = settings.scanner
    try:
        wedge = WedgeSettings.from_config(
            scanner.wedge_prefix if prefix is None else decode_wedge_text(prefix),
            scanner.wedge_suffix if suffix is None else decode_wedge_text(suffix),
        )
    except (ValueError, UnicodeDecodeError) as exc:
        fail(f"scanner framing: {exc}")
    serial_device = scanner.device if device is None else device
    make_reader = None
    if serial_device:
        from toteflow.station.devices.scanner.serial_reader import SerialScannerReader
        from toteflow.station.tui.scan_input import ScannerEventSink

        def make_reader(sink: ScannerEventSink) -> SerialScannerReader:
            return SerialScannerReader.from_settings(scanner, sink, device=serial_device)

    ScanCheckApp(
        wedge=wedge,
        formats=formats,
        fnc1_replacement=scanner.fnc1_replacement or None,
        scanner=make_reader,
        scanner_label=f"serial {serial_device}" if serial_device else "",
    ).run()
