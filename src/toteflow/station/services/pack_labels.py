"""The pack desk's labels and finishing: close a carton and print, reprint, close the order.

`PackLabels` is the part of `pack_desk.PackDesk` that records closed cartons and prints
what they need; it also answers which carton is open. PackDesk sequences the rest.
"""

from __future__ import annotations

from toteflow.domain.errors import ServiceError
from toteflow.station.services.login import Person
from toteflow.station.services.pack_state import Boxing, Carton, PackOutcome
from toteflow.station.services.packing.printing import PrintResult
from toteflow.station.services.packing.service import PackingService
from toteflow.station.services.packing.views import PackView


class PackLabels:
    """Closing cartons and the order, and their labels and slip, for one packer."""

    person: Person
    packing: PackingService
    reference: str | None
    boxing: Boxing | None

    def view(self) -> PackView:
        assert self.reference is not None, "no order open"
        return self.packing.records.view(self.reference)

    def carton(self) -> Carton | None:
        """The carton being packed now; None once every carton is closed."""
        if self.boxing is None:
            return None
        return next((c for c in self.boxing.cartons if not c.closed), None)

    def carton_number(self) -> tuple[int, int]:
        assert self.boxing is not None
        cartons = self.boxing.cartons
        current = self.carton()
        number = cartons.index(current) + 1 if current is not None else len(cartons)
        return number, len(cartons)

    # labels ----------------------------------------------------------------------------

    def close_carton(self) -> PackOutcome:
        """Record the weighed carton, then print its label; a down printer keeps it queued."""
        assert self.boxing is not None
        assert self.reference is not None
        carton = self.carton()
        if carton is None:
            return self.finish()
        if not carton.box_scanned:
            return PackOutcome(
                False, "SCAN THE BOX FIRST", f"scan {carton.box.barcode or carton.box.code}"
            )
        if carton.weight_g is None or carton.check is None:
            return PackOutcome(False, "WEIGH THE BOX FIRST", "put it on the scale, or F4 to type")
        if not carton.check.ok and not carton.confirmed:
            return PackOutcome(
                False, "RE-CHECK THE BOX", f"{carton.check.message()}; F5 accepts it with a reason"
            )
        choice = self.boxing.carrier.choice
        if choice is None or choice.chosen is None:
            why = self.boxing.carrier.problem or "no service meets the rules: F6 chooses one"
            return PackOutcome(False, "NO CARRIER", why)
        service = choice.chosen.service
        try:
            closed = self.packing.records.close_carton(
                self.person.user_id,
                self.reference,
                carton.box.code,
                carton.weight_g,
                service.carrier,
                service.code,
                carton.contents,
                override=carton.override,
            )
        except ServiceError as refusal:
            return PackOutcome(False, "NOT CLOSED", str(refusal))
        carton.closed, carton.label_job = True, closed.label_job
        # One carrier per order: the next boxes are priced on the service just printed.
        self.boxing.carrier.pin(service.carrier, service.code)
        carton.sscc, carton.tracking = closed.carton.sscc, closed.carton.tracking
        try:
            result = self.packing.prints.print_job(closed.label_job, user_id=self.person.user_id)
        except ServiceError as refusal:
            # Recorded and queued all the same: F7 or F8 print it once the printer is sorted.
            return PackOutcome(False, "LABEL NOT PRINTED", f"{refusal}: F8 chooses a printer")
        return self._printed(result)

    def _printed(self, result: PrintResult) -> PackOutcome:
        assert self.boxing is not None
        self.boxing.prints.append(result)
        if not result.ok:
            return PackOutcome(
                False,
                "LABEL NOT PRINTED",
                f"{result.message}. F7 prints again, F8 on another printer",
            )
        where = self.packing.prints.printer_where(result.printer)
        then = "scan the next box" if self.carton() is not None else "F10 finishes the order"
        return PackOutcome(True, "LABEL PRINTED", f"label to {where}: {then}")

    def queued_labels(self) -> list[int]:
        if self.reference is None:
            return []
        return [
            j.id for j in self.packing.prints.jobs(reference=self.reference) if j.kind == "label"
        ]

    def reprint(self, printer: str | None = None) -> PackOutcome:
        """Queued labels (or the last one again) on their printer or on `printer`."""
        assert self.boxing is not None
        jobs = self.queued_labels()
        if not jobs:
            last = [c.label_job for c in self.boxing.cartons if c.label_job is not None]
            if not last:
                return PackOutcome(False, "NO LABEL YET", "close a box first (F10)")
            jobs = last[-1:]
        outcome = PackOutcome(False, "NO LABEL", "")
        for job in jobs:
            try:
                result = self.packing.prints.print_job(job, printer, user_id=self.person.user_id)
            except ServiceError as refusal:
                return PackOutcome(False, "NOT PRINTED", str(refusal))
            outcome = self._printed(result)
            if not result.ok:
                break
        return outcome

    def printers(self) -> list[str]:
        return self.packing.prints.printers()

    def label_printer(self) -> str:
        return self.packing.policy.label_printer

    # finishing -------------------------------------------------------------------------

    def finish(self) -> PackOutcome:
        assert self.boxing is not None
        assert self.reference is not None
        if self.carton() is not None:
            number, total = self.carton_number()
            return PackOutcome(False, "BOXES LEFT", f"box {number} of {total} is still open")
        if self.queued_labels():
            return PackOutcome(
                False, "A LABEL IS QUEUED", "F7 prints it again, F8 on another printer"
            )
        try:
            self.packing.records.close_shipment(
                self.person.user_id, self.reference, self.boxing.carrier.choice
            )
        except ServiceError as refusal:
            return PackOutcome(False, "NOT CLOSED", str(refusal))
        slips = [j for j in self.packing.prints.jobs(reference=self.reference) if j.kind == "slip"]
        said = []
        for job in slips:
            try:
                result = self.packing.prints.print_job(job.id, user_id=self.person.user_id)
            except ServiceError as refusal:
                said.append(f"packing slip not printed: {refusal}")
                continue
            where = self.packing.prints.printer_where(result.printer)
            said.append(f"packing slip to {where}" if result.ok else result.message)
        return PackOutcome(True, f"ORDER {self.reference} PACKED", "; ".join(said), done=True)

    def slip_lines(self) -> list[str]:
        """The packing slip as lines for the screen."""
        assert self.reference is not None
        slip = self.packing.prints.packing_slip(self.view())
        lines = []
        for box in slip.boxes:
            lines.append(f"Box {box.box_no} {box.box_name} · SSCC {box.sscc} · {box.tracking}")
            lines += [f"   {li.quantity} x {li.sku} {li.description}" for li in box.lines]
        lines += [f"Missing: {li.quantity} x {li.sku} {li.description}" for li in slip.missing]
        return lines
