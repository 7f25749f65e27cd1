"""Labels and packing slips: the station's print queue, printing, reprinting, another printer.

A carton's label and the order's slip are queued in the same unit of work that records them
(`queue_label`, `queue_slip`); `print_job` sends one. A printer that does not answer
(`PrinterDown`) leaves the job queued: print it again, or on another of `printers()`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toteflow.contracts.shipping import PackOrder
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.labels import Address, PackingSlip, ShippingLabel, SlipBox, SlipLine
from toteflow.station.ports.packing import (
    CartonRecord,
    LabelRenderer,
    Printer,
    PrinterDown,
    PrintJob,
)
from toteflow.station.ports.store import StationUnitOfWork, StationUnitOfWorkFactory
from toteflow.station.services.events import Clock, record, utcnow
from toteflow.station.services.packing.policy import PackingPolicy
from toteflow.station.services.packing.views import PackView


@dataclass(frozen=True)
class PrintResult:
    job_id: int
    ok: bool
    printer: str
    message: str


class PrintQueue:
    """Labels and slips queued in the caller's transaction, printed, reprinted or sent elsewhere."""

    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        policy: PackingPolicy,
        renderer: LabelRenderer,
        printers: Mapping[str, Printer],
        *,
        clock: Clock = utcnow,
        on_recorded: Callable[[], None] | None = None,
    ) -> None:
        self.uow = uow
        self.policy = policy
        self.renderer = renderer
        self._printers = dict(printers)
        self.clock = clock
        self.on_recorded = on_recorded

    def printers(self) -> list[str]:
        return sorted(self._printers)

    def printer_where(self, name: str) -> str:
        """Where a printer's output goes, in words (a folder printer names its folder)."""
        printer = self._printers.get(name)
        where = getattr(printer, "folder", None) if printer is not None else None
        return f"the folder {where}" if where is not None else f"printer {name}"

    # queueing, in the caller's unit of work ---------------------------------------------

    def queue_label(
        self, uow: StationUnitOfWork, order: PackOrder, carton: CartonRecord, box_count: int
    ) -> int:
        """The carton's shipping label, queued to the label printer; the job's id."""
        label = self._label(order, carton, box_count)
        return uow.packing.add_print_job(
            "label",
            carton.reference,
            carton.sscc,
            f"label-{carton.reference}-{carton.box_no}-{carton.sscc}",
            dataclasses.asdict(label),
            self.policy.label_printer,
            self.clock(),
        )

    def queue_slip(self, uow: StationUnitOfWork, view: PackView) -> int | None:
        """The order's packing slip, queued when the station has a slip printer."""
        if not self.policy.slip_printer:
            return None
        return uow.packing.add_print_job(
            "slip",
            view.reference,
            "",
            f"slip-{view.reference}",
            dataclasses.asdict(self.packing_slip(view)),
            self.policy.slip_printer,
            self.clock(),
        )

    def _label(self, order: PackOrder, carton: CartonRecord, box_count: int) -> ShippingLabel:
        service = self.policy.carriers.service(carton.carrier, carton.service)
        return ShippingLabel(
            sscc=carton.sscc,
            tracking=carton.tracking,
            carrier=self.policy.carriers.carrier(carton.carrier).name,
            service=service.name if service else carton.service,
            ship_from=self.policy.ship_from,
            ship_to=_ship_to(order),
            order_reference=order.reference,
            box_no=carton.box_no,
            box_count=box_count,
            weight_g=carton.weight_g,
        )

    def packing_slip(self, view: PackView) -> PackingSlip:
        """The slip for the order as it stands: each closed box's contents, what is missing.

        Missing is what was ordered and is not in a box: short at picking (never picked)
        or reported short at packing.
        """
        order = view.order
        names = {line.sku: line.description for line in order.lines}
        ordered = {line.sku: line.ordered for line in order.lines}
        first = view.cartons[0] if view.cartons else None
        return PackingSlip(
            order_reference=order.reference,
            ship_to=_ship_to(order),
            carrier=first.carrier if first else order.carrier,
            service=first.service if first else order.service,
            boxes=tuple(
                SlipBox(
                    c.box_no,
                    c.box_name or c.box_code,
                    c.sscc,
                    c.tracking,
                    c.weight_g,
                    tuple(SlipLine(s, names.get(s, ""), q) for s, q in sorted(c.contents.items())),
                )
                for c in view.cartons
            ),
            missing=tuple(
                SlipLine(li.sku, li.description, ordered[li.sku] - li.packed)
                for li in view.lines
                if ordered[li.sku] > li.packed
            ),
        )

    # printing ---------------------------------------------------------------------------

    def jobs(self, *, queued_only: bool = True, reference: str | None = None) -> list[PrintJob]:
        with self.uow() as uow:
            return uow.packing.jobs(queued_only=queued_only, reference=reference)

    def render(self, job_id: int, fmt: str) -> bytes:
        """A job's label or slip in `fmt` (png for a preview on screen or in a file)."""
        with self.uow() as uow:
            job = uow.packing.print_job(job_id)
        if job is None:
            raise NotFound(f"no print job {job_id}")
        return self._render(job, fmt)

    def _render(self, job: PrintJob, fmt: str) -> bytes:
        if job.kind == "label":
            return self.renderer.label(_label_from(job.content), fmt)
        return self.renderer.slip(_slip_from(job.content), "pdf" if fmt == "pdf" else "txt")

    def print_job(
        self, job_id: int, printer: str | None = None, user_id: int | None = None
    ) -> PrintResult:
        """Send one job (again); a printer that does not answer leaves it queued."""
        with self.uow() as uow:
            job = uow.packing.print_job(job_id)
        if job is None:
            raise NotFound(f"no print job {job_id}")
        name = printer or job.printer or self.policy.label_printer
        target = self._printers.get(name)
        if target is None:
            raise Refused(
                f"there is no printer {name!r}: choose one of {', '.join(self.printers())}"
            )
        try:
            target.send(self._render(job, target.format), job.title)
        except PrinterDown as down:
            with self.uow() as uow:
                uow.packing.job_failed(job_id, name, str(down))
                uow.commit()
            return PrintResult(job_id, False, name, f"{down}: the job stays queued")
        with self.uow() as uow:
            uow.packing.job_printed(job_id, name, self.clock())
            if job.kind == "label":
                record(
                    uow,
                    user_id,
                    "label.printed",
                    {"sscc": job.sscc, "printer": name, "reprint": job.status == "printed"},
                    now=self.clock,
                )
            uow.commit()
        if self.on_recorded is not None:
            self.on_recorded()
        return PrintResult(job_id, True, name, f"printed on {name}")

    def print_queued(
        self, printer: str | None = None, user_id: int | None = None
    ) -> list[PrintResult]:
        """Every queued job, oldest first (e.g. once the printer is back, or on another)."""
        return [self.print_job(job.id, printer, user_id) for job in self.jobs()]


def _ship_to(order: PackOrder) -> Address:
    to = order.ship_to
    return Address(to.name, to.line1, to.line2, to.city, to.region, to.postal_code, to.country)


def _label_from(content: dict[str, Any]) -> ShippingLabel:
    data = dict(content)
    data["ship_from"] = Address(**data["ship_from"])
    data["ship_to"] = Address(**data["ship_to"])
    return ShippingLabel(**data)


def _slip_from(content: dict[str, Any]) -> PackingSlip:
    return PackingSlip(
        order_reference=content["order_reference"],
        ship_to=Address(**content["ship_to"]),
        carrier=content["carrier"],
        service=content["service"],
        boxes=tuple(
            SlipBox(
                b["box_no"],
                b["box_name"],
                b["sscc"],
                b["tracking"],
                b["weight_g"],
                tuple(SlipLine(**li) for li in b["lines"]),
            )
            for b in content["boxes"]
        ),
        missing=tuple(SlipLine(**li) for li in content.get("missing", ())),
    )
