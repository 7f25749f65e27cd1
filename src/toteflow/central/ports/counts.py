"""What the cycle-count use cases need of the store: the stock ledger and the counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from toteflow.contracts import counts as cc
from toteflow.domain.cycle_counts import Position, Variance
from toteflow.domain.ledger import LedgerMove


@dataclass(frozen=True)
class CountRow:
    id: int
    location_id: int
    location: str
    status: str
    reason: str
    recount_of: int | None
    not_user_id: int | None
    counter_id: int | None
    counted_at: datetime | None


@dataclass(frozen=True)
class ScheduleCandidate:
    """A storage location with the classes of what it holds and when its last count closed."""

    location_id: int
    velocities: tuple[str, ...]
    last_counted: datetime | None


@dataclass(frozen=True)
class CountResult:
    counter_id: int | None
    station_id: int | None
    event_id: str | None
    counted_at: datetime
    lines: Sequence[Variance]
    off: int


class StockLedger(Protocol):
    def record(self, moves: Sequence[LedgerMove]) -> None:
        """One ledger row per move, in the transaction that moved the stock."""
        ...


class CountRepo(Protocol):
    def open_counts(
        self,
        location_ids: Sequence[int],
        reason: str,
        reference: str,
        *,
        not_user_id: int | None = None,
        recount_of: int | None = None,
    ) -> list[int]:
        """A count for each location without a live one (the partial unique index decides,
        whatever fires at once); the ids of those created."""
        ...

    def emptied_locations(self, stock_ids: Sequence[int]) -> list[int]:
        """The storage locations of these stock rows that now hold nothing at all."""
        ...

    def location_ids(self, request: cc.CountRequest) -> list[int]:
        """The active storage locations a supervisor's request names (by code, aisle, SKU)."""
        ...

    def location_of_line(self, task_line_id: int) -> int | None: ...
    def location_id(self, code: str) -> int | None: ...
    def schedule_candidates(self) -> list[ScheduleCandidate]: ...
    def open_for(self, user_id: int | None) -> list[cc.CountTask]:
        """Open counts this person may do (a recount is never its first counter's)."""
        ...

    def tasks(self, ids: Sequence[int]) -> list[cc.CountTask]: ...
    def get(self, count_id: int, *, lock: bool = False) -> CountRow | None: ...
    def book_at(self, location_id: int, at: datetime) -> dict[Position, int]:
        """Each position's quantity at `at`: what it holds now less the moves made after."""
        ...

    def product_ids(self, skus: Sequence[str]) -> dict[str, int]: ...
    def skus(self, product_ids: Sequence[int]) -> dict[int, str]: ...
    def save_result(self, count_id: int, result: CountResult) -> None: ...
    def resave_lines(self, count_id: int, lines: Sequence[Variance], off: int) -> None:
        """The lines with the book as it is worked out now (a late move may have changed it)."""
        ...

    def close(
        self,
        count_id: int,
        *,
        status: str,
        outcome: str,
        decided_by: int | None = None,
        note: str = "",
    ) -> None: ...
    def view(self, count_id: int) -> cc.CountView | None: ...
    def listing(self, status: str | None, limit: int) -> list[cc.CountView]: ...
    def accuracy(self) -> list[cc.Accuracy]: ...
