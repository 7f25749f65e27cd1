"""The receiver's home scan (a notice, a pallet's SSCC, a dock) and what a station keeps for it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from toteflow.contracts.notices import Notice, ReceivingPolicy
from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Role
from toteflow.domain.scan_results import LocationScan, ScanError, ScanResult, sscc_of
from toteflow.station.ports.receiving import ReceivingServer
from toteflow.station.services.login import Person, ServerUnreachable, StationLogin
from toteflow.station.services.receiving.lookups import ReceivingLookups
from toteflow.station.services.receiving.views import NO_POLICY, ReceiveOutcome

HOME_PROMPT = "Scan a notice, a pallet's SSCC or the dock's label"
# A notice's or dock's Code 128 arrives after the scanner's AIM identifier ("]C0ASN-1").
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


@dataclass(frozen=True)
class Found:
    """What a home scan named: a receipt to start (its notice, or None for a blind one, and
    its dock), or only a dock; `outcome` says why nothing starts."""

    notice: Notice | None = None
    dock: str | None = None
    start: bool = False
    sscc: str | None = None
    outcome: ReceiveOutcome | None = None


def without_symbology(raw: str) -> str:
    """The scan's text without its AIM identifier, for codes looked up as text."""
    return _SYMBOLOGY.sub("", raw.strip(), count=1)


def find_receipt(
    lookups: ReceivingLookups,
    policy: ReceivingPolicy,
    read: Callable[[str], ScanResult],
    raw: str,
    last_dock: str | None,
) -> Found:
    """The receipt a home scan starts, found in the station's copies (so offline too)."""
    text = without_symbology(raw)
    if not text:
        return Found(outcome=ReceiveOutcome(False, "NOTHING READ", HOME_PROMPT))
    notice = lookups.notice(text)
    result = read(raw)
    sscc = sscc_of(result)
    if notice is None and sscc is not None:
        notice = lookups.notice_by_sscc(sscc)
        if notice is None:
            why = f"SSCC {sscc} is on no open notice at this station"
            return Found(outcome=ReceiveOutcome(False, "UNKNOWN PALLET", why))
    if notice is not None:
        return Found(notice, notice.dock or last_dock, start=True, sscc=sscc)
    code = result.code if isinstance(result, LocationScan) else text
    location = lookups.location(code)
    if location is not None and location.kind == "dock":
        return _at_dock(lookups, policy, location.code)
    why = f" ({result.reason})" if isinstance(result, ScanError) else ""
    words = f"{text[:40]} is no open notice, pallet or dock this station knows{why}"
    return Found(outcome=ReceiveOutcome(False, "NOT A NOTICE", f"{words}: {HOME_PROMPT.lower()}"))


def _at_dock(lookups: ReceivingLookups, policy: ReceivingPolicy, dock: str) -> Found:
    here = [n for n in lookups.open_notices() if n.dock == dock]
    if len(here) == 1:
        return Found(here[0], dock, start=True)
    if here:
        refs = ", ".join(n.reference for n in here[:4])
        words = f"{len(here)} notices expected here ({refs}): scan one"
        return Found(dock=dock, outcome=ReceiveOutcome(True, f"DOCK {dock}", words))
    if policy.blind_receipts:
        return Found(None, dock, start=True)
    words = (
        "no notice is expected at this dock and receipts without one are not allowed here: "
        "scan the notice's reference"
    )
    return Found(dock=dock, outcome=ReceiveOutcome(True, f"DOCK {dock}", words))


async def refresh(
    server: ReceivingServer | None, lookups: ReceivingLookups, person: Person
) -> tuple[ReceivingPolicy, str]:
    """The site's receiving settings, and the products and docks of the open notices, asked
    of the server and kept; offline, the station's copies serve. Words when none is known."""
    if server is not None:
        try:
            policy = await server.policy()
            lookups.keep_policy(policy)
            skus = sorted({line.sku for n in lookups.open_notices() for line in n.lines})
            lookups.keep_products(await server.products(skus, person.session_token))
            lookups.keep_locations(await server.docks(person.session_token))
        except ServiceError:
            pass
        else:
            return policy, ""
    kept = lookups.policy()
    return kept or NO_POLICY, "" if kept else "receiving settings not known yet: no blind receipts"


async def supervisor(login: StationLogin, badge: str, pin: str | None) -> Person | ReceiveOutcome:
    """The supervisor a badge (and PIN) belongs to, checked as the log-in checks it."""
    try:
        person = await login.login(badge, pin)
    except ServerUnreachable:
        return ReceiveOutcome(
            False,
            "SERVER NEEDED",
            "a supervisor's badge is checked by the server, which is not answering: "
            "set the case aside (Escape) and try again later",
        )
    except ServiceError as exc:
        return ReceiveOutcome(False, "NOT APPROVED", str(exc))
    # The approval needs no session of its own: the one the check opened ends at once.
    with contextlib.suppress(ServiceError):
        await login.logout(person)
    if person.role is not Role.SUPERVISOR:
        return ReceiveOutcome(False, "NOT A SUPERVISOR", f"{person.name} is not a supervisor")
    return person
