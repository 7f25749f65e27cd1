"""Count variances at a supervisor's station: the counts waiting for approval, approve or reject."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.contracts import counts as cc
from toteflow.domain.words import plural
from toteflow.station.ports.counts import CountServer
from toteflow.station.services.login import Person

SHOWN = 200


@dataclass(frozen=True)
class Decided:
    headline: str
    detail: str


def count_cells(view: cc.CountView) -> tuple[str, ...]:
    counted = sum(line.counted for line in view.lines)
    book = sum(line.book for line in view.lines)
    return (
        str(view.id),
        view.location,
        view.zone or "-",
        str(counted),
        str(book),
        f"{counted - book:+d}",
        plural(view.variance_units, "unit"),
        "recount" if view.recount_of else view.reason.replace("_", " "),
    )


def count_words(view: cc.CountView) -> str:
    """The count's lines, what was counted against the book at the count's moment."""
    rows = [
        f"{line.sku}{' lot ' + line.lot if line.lot else ''}: counted {line.counted}, "
        f"book {line.book}, {line.variance:+d}"
        for line in view.lines
    ]
    note = f"\n{view.note}" if view.note else ""
    return f"{view.location} · {plural(view.variance_units, 'unit')} off\n" + "\n".join(rows) + note


class CountApprovals:
    """One supervisor's round trips: read the waiting counts, decide one."""

    def __init__(self, person: Person, server: CountServer) -> None:
        self.person = person
        self.server = server
        self.counts: dict[str, cc.CountView] = {}

    async def refresh(self) -> list[cc.CountView]:
        found = await self.server.awaiting(self.person.session_token, SHOWN)
        self.counts = {str(c.id): c for c in found}
        return found

    async def decide(self, view: cc.CountView, approve: bool, note: str) -> Decided:
        body = cc.CountDecision(approve=approve, note=note)
        done = await self.server.decide(self.person.session_token, view.id, body)
        if approve:
            return Decided("APPROVED", f"{done.location}: the book takes the count")
        return Decided("REJECTED", f"{done.location}: sent to be counted again")
