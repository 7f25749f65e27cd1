"""A plate's label at the station: ZPL to the label printer, or a PNG, from the shared labels."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.shared.labels.plates import PlateLabelRenderer
from toteflow.station.ports.packing import Printer


def plate_label(plate: str, line: str, fmt: str) -> bytes:
    """The plate's label in `fmt` (zpl or png), as the server draws it: the code as Code 128
    under "LICENSE PLATE", and a line of what is on it."""
    return PlateLabelRenderer().render(plate, line, fmt)


@dataclass
class PlateLabels:
    """Prints plate labels on the station's label printer (None: this station has none)."""

    printer: Printer | None = None

    def print(self, plate: str, line: str) -> str:
        """Print the label; the words say where it went or why not. Never raises."""
        if self.printer is None:
            return f"no label printer here: write {plate} on the plate"
        try:
            fmt = self.printer.format if self.printer.format in ("zpl", "png") else "zpl"
            self.printer.send(plate_label(plate, line, fmt), f"plate {plate}")
        except Exception as exc:  # a printer's trouble must not undo a receipt
            return f"the label did not print ({exc}): F8 prints it again"
        return f"label {plate} printed on {self.printer.name}"
