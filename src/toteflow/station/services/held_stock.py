"""Held stock at a supervisor's station: the held plates, a plate found by its label, release
or reject."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from toteflow.contracts import putaway as pa
from toteflow.domain.errors import Refused
from toteflow.domain.plates import plate_code_problem
from toteflow.domain.scan_results import ScanResult, sscc_of
from toteflow.domain.words import plural
from toteflow.station.ports.held_stock import HeldServer
from toteflow.station.services.login import Person
from toteflow.station.services.receiving.home import without_symbology

# Held plates shown at once; more than this waiting is a backlog the list says, not scrolls.
SHOWN = 200
Decision = Literal["release", "scrap", "return_to_vendor"]
DECISIONS: dict[Decision, str] = {
    "release": "RELEASED",
    "scrap": "SCRAPPED",
    "return_to_vendor": "TO GO BACK TO THE VENDOR",
}


@dataclass(frozen=True)
class Done:
    """What a release or reject did, in words for the feedback panel."""

    headline: str
    detail: str


def held_cells(plate: pa.HeldPlate) -> tuple[str, ...]:
    lot = plate.lot or "-"
    if plate.expiry is not None:
        lot += f" {plate.expiry.isoformat()}"
    return (
        plate.code,
        plate.sku,
        lot,
        str(plate.quantity),
        plate.location,
        plate.why,
        plate.notice or "-",
    )


def plate_words(plate: pa.HeldPlate) -> str:
    lot = f" lot {plate.lot}" if plate.lot else ""
    expiry = f" exp {plate.expiry.isoformat()}" if plate.expiry else ""
    notice = f" · notice {plate.notice}" if plate.notice else ""
    at = plate.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"{plural(plate.quantity, 'unit')} of {plate.sku}{lot}{expiry} at {plate.location}\n"
        f"Held: {plate.why}{notice} · received {at}"
    )


class HeldStock:
    """What one logged-in supervisor does with held plates; each call is one round trip."""

    def __init__(
        self, person: Person, server: HeldServer, read_scan: Callable[[str], ScanResult]
    ) -> None:
        self.person = person
        self.server = server
        self.read_scan = read_scan
        self.plates: dict[str, pa.HeldPlate] = {}

    async def refresh(self) -> list[pa.HeldPlate]:
        found = await self.server.held_plates(self.person.session_token, SHOWN)
        self.plates = {p.code: p for p in found}
        return found

    def plate_code(self, raw: str) -> str:
        """The plate a scanned label names (an SSCC in GS1, or our LP code); Refused if none."""
        code = sscc_of(self.read_scan(raw)) or without_symbology(raw).strip().upper()
        if problem := plate_code_problem(code):
            raise Refused(problem)
        return code

    def scanned(self, raw: str) -> pa.HeldPlate | None:
        """The held plate of the label scanned, if the list read last has it."""
        return self.plates.get(self.plate_code(raw))

    async def find(self, raw: str) -> pa.HeldPlate:
        """The held plate of the label, reading the list again if it is not on the one shown."""
        code = self.plate_code(raw)
        if code not in self.plates:
            await self.refresh()
        if code not in self.plates:
            raise Refused(f"plate {code} is not held: nothing to release or reject")
        return self.plates[code]

    async def decide(self, plate: pa.HeldPlate, decision: Decision, words: str) -> Done:
        """Release the plate (`words` is the note) or reject it (`words` is the reason)."""
        text = words.strip()[:200]
        session = self.person.session_token
        if decision == "release":
            done = await self.server.release_plate(session, plate.code, text)
            detail = f"{plural(done.remaining, 'unit')} of {done.sku} may now be put away"
        else:
            if not text:
                raise Refused("say why the plate is rejected: the reason is recorded")
            body = pa.RejectRequest(reason=text, disposition=decision)
            done = await self.server.reject_plate(session, plate.code, body)
            detail = f"{plural(plate.quantity, 'unit')} of {done.sku} written off ({text})"
        self.plates.pop(plate.code, None)
        return Done(f"PLATE {plate.code} {DECISIONS[decision]}", detail)
