"""Label printers: raw TCP 9100, CUPS raw queue, folder."""

from __future__ import annotations

from toteflow.station.devices.printer.printers import (
    CupsPrinter,
    FolderPrinter,
    PrinterSpec,
    TcpPrinter,
    make_printer,
    parse_printer,
)

__all__ = [
    "CupsPrinter",
    "FolderPrinter",
    "PrinterSpec",
    "TcpPrinter",
    "make_printer",
    "parse_printer",
]
