"""A plate's label at the station: ZPL to the label printer, or a PNG, from the shared labels."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.shared.labels.containers import ContainerLabel, render_container_labels
from toteflow.station.ports.packing import Printer


def plate_label(plate: str, caption: str, fmt: str) -> bytes:
    """The plate's label in `fmt` (zpl or png): its code as Code 128, big, under a caption."""
    return render_container_labels([ContainerLabel(plate, caption)], fmt)[0]


@dataclass
class PlateLabels:
    """Prints plate labels on the station's label printer (None: this station has none)."""

    printer: Printer | None = None

    def print(self, plate: str, caption: str) -> str:
        """Print the label; the words say where it went or why not. Never raises."""
        if self.printer is None:
            return f"no label printer here: write {plate} on the plate"
        try:
            fmt = self.printer.format if self.printer.format in ("zpl", "png") else "zpl"
            self.printer.send(plate_label(plate, caption, fmt), f"plate {plate}")
        except Exception as exc:  # a printer's trouble must not undo a receipt
            return f"the label did not print ({exc}): F8 prints it again"
        return f"label {plate} printed on {self.printer.name}"
