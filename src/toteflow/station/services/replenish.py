"""The replenisher's walk: scan the source, the plate or the items (and count), the face.

Each step is recorded with its outbox event in one local transaction, so a replenishment can
be finished offline; the server applies the events once when they are pushed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from toteflow.domain.errors import ServiceError
from toteflow.domain.plates import plate_code_problem
from toteflow.domain.scan_results import LocationScan, ScanError, ScanResult, product_gtin
from toteflow.domain.words import plural
from toteflow.station.ports.replenishment import ReplenJob
from toteflow.station.ports.store import StationUnitOfWorkFactory
from toteflow.station.services.events import record
from toteflow.station.services.login import Person
from toteflow.station.services.receiving.home import without_symbology

TAKEN = "replenish.taken"
PLACED = "replenish.placed"
HOME_PROMPT = "Scan the source location of a replenishment (F2: the first one listed)"


@dataclass(frozen=True)
class ReplenOutcome:
    ok: bool
    headline: str
    detail: str = ""
    done: bool = False


@dataclass
class ReplenDesk:
    person: Person
    uow: StationUnitOfWorkFactory
    read: Callable[[str], ScanResult]
    on_recorded: Callable[[], None] | None = None
    job: ReplenJob | None = None
    at_source: bool = False
    counted: int = 0  # units scanned at the source so far

    def jobs(self) -> list[ReplenJob]:
        with self.uow() as uow:
            return uow.replen.open_jobs()

    def start(self, job: ReplenJob | None = None) -> ReplenOutcome:
        """Work this replenishment (or the first listed); one already taken resumes at the face."""
        jobs = self.jobs()
        chosen = job or (jobs[0] if jobs else None)
        if chosen is None:
            return ReplenOutcome(False, "NOTHING TO DO", "no open replenishment at this station")
        self.job, self.at_source, self.counted = chosen, False, 0
        return ReplenOutcome(True, "REPLENISH", self.prompt())

    def prompt(self) -> str:
        job = self.job
        if job is None:
            return HOME_PROMPT
        if job.step == "taken":
            return f"Take {plural(job.taken, 'unit')} to {job.location} and scan the face"
        if not self.at_source:
            return f"Go to {job.source} and scan the location"
        if job.plate:
            return f"Scan plate {job.plate} ({plural(job.quantity, 'unit')} of {job.sku})"
        return (
            f"Scan each {job.sku}: {self.counted} of {job.quantity} "
            "(F3: type the count, F7: the source is short)"
        )

    def expected_scan(self) -> str | None:
        """The demo scanner's next label."""
        job = self.job
        if job is None:
            jobs = self.jobs()
            return jobs[0].source if jobs else None
        if job.step == "taken":
            return job.location
        if not self.at_source:
            return job.source
        if job.plate:
            return job.plate
        return min(job.barcodes, key=lambda code: job.barcodes[code]) if job.barcodes else None

    def scan(self, raw: str) -> ReplenOutcome:
        result = self.read(raw)
        job = self.job
        if job is None:
            return self._start_at(result, raw)
        if job.step == "taken":
            return self._at_face(job, result, raw)
        if not self.at_source:
            code = _location(result, raw)
            if code != job.source:
                return ReplenOutcome(False, "WRONG LOCATION", f"{code[:40]}: go to {job.source}")
            self.at_source = True
            return ReplenOutcome(True, "AT SOURCE", self.prompt())
        if job.plate:
            plate = without_symbology(raw).upper()
            if plate_code_problem(plate) or plate != job.plate:
                return ReplenOutcome(False, "WRONG PLATE", f"{plate[:40]}: scan {job.plate}")
            return self._take(job, job.quantity, job.plate)
        units = _units_of(job, result, raw)
        if units is None:
            return ReplenOutcome(False, "WRONG ITEM", f"scan {job.sku} ({job.description})")
        if self.counted + units > job.quantity:
            return ReplenOutcome(
                False, "TOO MANY", f"{job.quantity} to take; {self.counted} counted so far"
            )
        self.counted += units
        if self.counted == job.quantity:
            return self._take(job, self.counted, None)
        return ReplenOutcome(True, "COUNTED", self.prompt())

    def count(self, units: int) -> ReplenOutcome:
        """The count typed at the source: all of it, or less (the source is short)."""
        job = self.job
        if job is None or job.step == "taken" or not self.at_source:
            return ReplenOutcome(False, "NOT NOW", self.prompt())
        if not 0 <= units <= job.quantity:
            return ReplenOutcome(False, "NOT A COUNT", f"type 0 to {job.quantity}")
        return self._take(job, units, None)

    def short(self) -> ReplenOutcome:
        """The source holds less than asked: take what was counted (none: re-source)."""
        return self.count(self.counted)

    def _start_at(self, result: ScanResult, raw: str) -> ReplenOutcome:
        code = _location(result, raw)
        job = next((j for j in self.jobs() if j.source == code and j.step == ""), None)
        if job is None:
            return ReplenOutcome(
                False, "NO REPLENISHMENT", f"nothing to replenish from {code[:40]}"
            )
        self.start(job)
        self.at_source = True
        return ReplenOutcome(True, "AT SOURCE", self.prompt())

    def _take(self, job: ReplenJob, units: int, plate: str | None) -> ReplenOutcome:
        payload = {"replenishment": job.id, "source": job.source, "quantity": units}
        if plate:
            payload["plate"] = plate
        step = "taken" if units else "short"
        if not self._record(job, TAKEN, payload, step, units):
            return ReplenOutcome(False, "REFUSED", "the step could not be recorded: try again")
        if not units:
            self.job = None
            return ReplenOutcome(
                True,
                "SOURCE EMPTY",
                f"nothing at {job.source}: the server sends another source or a supervisor "
                "sees to it",
                done=True,
            )
        self.job = replace(job, step="taken", taken=units)
        short = f" ({job.quantity - units} short, reported)" if units < job.quantity else ""
        return ReplenOutcome(True, "TAKEN", f"{self.prompt()}{short}")

    def _at_face(self, job: ReplenJob, result: ScanResult, raw: str) -> ReplenOutcome:
        code = _location(result, raw)
        if code != job.location:
            return ReplenOutcome(False, "WRONG FACE", f"{code[:40]}: take it to {job.location}")
        payload = {"replenishment": job.id, "location": job.location, "quantity": job.taken}
        if not self._record(job, PLACED, payload, "placed", job.taken):
            return ReplenOutcome(False, "REFUSED", "the step could not be recorded: try again")
        self.job, self.at_source, self.counted = None, False, 0
        return ReplenOutcome(
            True, "REPLENISHED", f"{plural(job.taken, 'unit')} of {job.sku} at {code}", done=True
        )

    def _record(
        self, job: ReplenJob, kind: str, payload: dict[str, object], step: str, units: int
    ) -> bool:
        user = self.person.user_id
        try:
            with self.uow() as uow:
                record(
                    uow,
                    user,
                    kind,
                    dict(payload),
                    lambda u: u.replen.set_step(job.id, step, units, user),
                )
                uow.commit()
        except (ServiceError, ValueError):
            return False
        if self.on_recorded is not None:
            self.on_recorded()
        return True


def _location(result: ScanResult, raw: str) -> str:
    return result.code if isinstance(result, LocationScan) else without_symbology(raw)


def _units_of(job: ReplenJob, result: ScanResult, raw: str) -> int | None:
    """The units a product scan counts for this job's SKU; None when it is another item."""
    gtin = None if isinstance(result, ScanError) else product_gtin(result)
    text = without_symbology(raw)
    for code, units in job.barcodes.items():
        if code == text or (gtin is not None and code.isdigit() and code.zfill(14) == gtin):
            return units
    return None
