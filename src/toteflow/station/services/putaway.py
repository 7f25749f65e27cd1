"""The put-away walk: scan a plate, go where the server (or, offline, the station) suggests,
scan the location to confirm; another location needs a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from toteflow.domain import putaway as rules
from toteflow.domain.errors import ServiceError
from toteflow.domain.layout import Layout
from toteflow.domain.plates import plate_code_problem
from toteflow.domain.putaway import ElsewhereReason
from toteflow.domain.putaway_rules import PICK_FACE, RESERVE, Content, Location, Plate, Size
from toteflow.domain.route_network import network_distance
from toteflow.domain.scan_results import LocationScan, ScanResult, sscc_of
from toteflow.domain.words import plural
from toteflow.station.ports.putaway import PutawayLeg, PutawayPlan, PutawayServer
from toteflow.station.ports.store import StationUnitOfWorkFactory
from toteflow.station.services.events import record
from toteflow.station.services.login import Person, ServerUnreachable
from toteflow.station.services.receiving.home import without_symbology

# Offline the station knows no sizes: a unit that fits anywhere, so only mixing decides.
_UNKNOWN_SIZE = Size(1, 1, 1)


@dataclass(frozen=True)
class PutawayOutcome:
    """What a scan or key did; `reason` True: the location differs, a reason is needed."""

    ok: bool
    headline: str
    detail: str = ""
    reason: bool = False
    done: bool = False


@dataclass
class PutawayDesk:
    person: Person
    uow: StationUnitOfWorkFactory
    read: Callable[[str], ScanResult]
    server: PutawayServer | None = None
    layout: Layout | None = None
    on_recorded: Callable[[], None] | None = None
    plan: PutawayPlan | None = None
    elsewhere: str | None = None

    def prompt(self) -> str:
        if self.plan is None:
            return "Scan the plate's label (LP…) or the pallet's SSCC"
        if self.elsewhere is not None:
            return f"Why {self.elsewhere} and not the suggested location? (choose a reason)"
        leg = self.leg()
        return f"Take it to {leg.location} and scan the location" if leg else "Scan the location"

    def expected_scan(self) -> str | None:
        """The demo scanner's next label: the next plate waiting here, then where it goes."""
        if self.elsewhere is not None:
            return None  # a reason is being chosen
        if self.plan is not None:
            leg = self.leg()
            return leg.location if leg is not None else None
        with self.uow() as uow:
            waiting = uow.receiving.waiting()
        return waiting[0] if waiting else None

    def leg(self) -> PutawayLeg | None:
        return self.plan.legs[0] if self.plan is not None and self.plan.legs else None

    def route(self) -> str:
        """Where the suggested location is, in the walking network from the dock."""
        leg = self.leg()
        if leg is None or self.layout is None:
            return ""
        try:
            code = self.layout.location(leg.location)
            metres = network_distance(self.layout, self.layout.depot, self.layout.position(code))
        except ValueError:  # LayoutError, LocationError: not on this layout
            return ""
        return (
            f"aisle {code.aisle:02d} · bay {code.bay:03d} · level {code.level} · "
            f"about {metres:.0f} m from the dock"
        )

    async def suggest(self, raw: str) -> PutawayOutcome:
        """The plate scanned: where it goes, asked of the server, else from this station's copy."""
        result = self.read(raw)
        plate = sscc_of(result) or without_symbology(raw).upper()
        if problem := plate_code_problem(plate):
            return PutawayOutcome(False, "NOT A PLATE", problem)
        plan: PutawayPlan | None = None
        if self.server is not None:
            try:
                plan = await self.server.suggest(plate, self.person.session_token)
            except ServerUnreachable:
                plan = None
            except ServiceError as exc:
                return PutawayOutcome(False, "NO SUGGESTION", str(exc))
        if plan is None:
            plan = self._offline(plate)
        if not plan.legs:
            return PutawayOutcome(False, "NOWHERE TO GO", plan.words or "no place fits this plate")
        self.plan, self.elsewhere = plan, None
        offline = (
            " (offline: from this station's copy; check the place is free)" if plan.offline else ""
        )
        return PutawayOutcome(True, "GO TO", f"{plan.words}{offline}")

    def _offline(self, plate: str) -> PutawayPlan:
        # Minimal: what this station put on the plate, over the locations it knows, with what
        # it put away there itself; the server checks again when the move arrives.
        with self.uow() as uow:
            server = uow.receiving.server_plate(plate)
            on = uow.receiving.on_plate(plate)
            contents = uow.receiving.contents()
            known = uow.catalogue.locations()
        if server is not None and server.held:
            # A plate of the server's own, named in a receipt's answer: held stays put.
            words = (
                f"plate {plate} was held at {server.location} when received: a supervisor "
                "releases it before it is put away"
            )
            return PutawayPlan(plate, server.sku or "", server.quantity, words=words)
        if not on:
            return PutawayPlan(plate, "", 0, words=f"this station received nothing on {plate}")
        first = on[0]
        domain_plate = Plate(plate, first.sku, sum(p.quantity for p in on), _UNKNOWN_SIZE, 0)
        locations = [
            Location(
                loc.code,
                kind=PICK_FACE if loc.kind == PICK_FACE else RESERVE,
                contents=tuple(Content(sku, None, n) for sku, n in contents.get(loc.code, [])),
                dock_distance_m=self._metres(loc.code),
            )
            for loc in known
            if loc.active and loc.kind in (PICK_FACE, RESERVE)
        ]
        found = rules.suggest(domain_plate, locations, at=datetime.now(UTC))
        legs = [PutawayLeg(leg.location, leg.quantity, leg.reason) for leg in found.legs]
        return PutawayPlan(
            plate, first.sku, domain_plate.quantity, legs, found.words(), offline=True
        )

    def _metres(self, code: str) -> float:
        if self.layout is None:
            return 0.0
        try:
            return network_distance(self.layout, self.layout.depot, self.layout.position(code))
        except ValueError:  # LayoutError, LocationError: not on this layout
            return 0.0

    def scan_location(self, raw: str) -> PutawayOutcome:
        """The location the plate is at now: the suggested one confirms it; another asks why."""
        if self.plan is None:
            return PutawayOutcome(False, "PLATE FIRST", self.prompt())
        result = self.read(raw)
        code = result.code if isinstance(result, LocationScan) else without_symbology(raw)
        with self.uow() as uow:
            known = uow.catalogue.location(code)
        if known is None and not isinstance(result, LocationScan):
            return PutawayOutcome(False, "NOT A LOCATION", f"{code[:40]}: scan a location label")
        leg = self.leg()
        if leg is not None and code == leg.location:
            return self._confirm(code, leg.quantity, None)
        self.elsewhere = code
        return PutawayOutcome(False, "ANOTHER LOCATION", self.prompt(), reason=True)

    def confirm_elsewhere(self, reason: str) -> PutawayOutcome:
        if self.elsewhere is None:
            return PutawayOutcome(False, "SCAN THE LOCATION", self.prompt())
        try:
            chosen = ElsewhereReason(reason)
        except ValueError:
            return PutawayOutcome(False, "NOT A REASON", f"{reason!r} is not a reason")
        return self._confirm(self.elsewhere, None, chosen.value)

    def cancel_elsewhere(self) -> PutawayOutcome:
        self.elsewhere = None
        return PutawayOutcome(False, "NOT CONFIRMED", self.prompt())

    def _confirm(self, location: str, quantity: int | None, reason: str | None) -> PutawayOutcome:
        assert self.plan is not None
        plan = self.plan
        event_id = uuid4()
        payload = {
            "plate": plan.plate,
            "location": location,
            "quantity": quantity,
            "reason": reason,
        }
        try:
            with self.uow() as uow:
                uow.receiving.add_move(
                    plan.plate, location, plan.sku or None, quantity, reason, str(event_id)
                )
                record(uow, self.person.user_id, "putaway.confirmed", payload, event_id=event_id)
                uow.commit()
        except (ServiceError, ValueError) as exc:
            return PutawayOutcome(False, "REFUSED", str(exc))
        if self.on_recorded is not None:
            self.on_recorded()
        self.elsewhere = None
        units = plural(quantity, "unit") if quantity else "the plate"
        rest = plan.legs[1:] if reason is None else []
        if rest:
            # A split plate: the next leg is walked to next.
            self.plan = PutawayPlan(plan.plate, plan.sku, plan.quantity, rest, plan.words)
            return PutawayOutcome(True, "PUT AWAY", f"{units} at {location}; {self.prompt()}")
        self.plan = None
        return PutawayOutcome(True, "PUT AWAY", f"{units} at {location}", done=True)
