"""The ports the floor needs on the server: station pushes, tasks, exceptions, put-backs, feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from toteflow.contracts import sync, tasks
from toteflow.domain.floor_batch import FloorBatch, SetTote
from toteflow.domain.put_back import RefusedPick


@dataclass(frozen=True)
class StoredEvent:
    event_id: str
    status: str
    reason: str
    result: dict[str, Any]


@dataclass(frozen=True)
class EventOutcome:
    event: sync.Event
    status: str  # "applied" or "rejected"
    reason: str
    result: dict[str, Any]


class PushRepo(Protocol):
    """A station's push: its seq, the events it applied, and the floor batch they write."""

    def lock_station_seq(self, station_id: int, token_hash: str | None = None) -> int | None:
        """The station's last applied seq, locking its row for this transaction.

        With a token hash: None unless the station is active and that is its token's.
        """
        ...

    def set_station_seq(self, station_id: int, seq: int) -> None:
        """Record the last applied seq; the station was seen now."""
        ...

    def stored_events(self, station_id: int, seqs: list[int]) -> dict[int, StoredEvent]: ...
    def store_events(self, station_id: int, outcomes: list[EventOutcome]) -> None: ...
    def load_batch(self, task_line_ids: set[int], task_ids: set[int]) -> FloorBatch:
        """The lines, stock rows, tasks and slots a batch touches, locked for this transaction."""
        ...

    def write_batch(self, batch: FloorBatch) -> None:
        """Write what the batch changed with a few set-based statements."""
        ...

    def pass_totes(self, totes: list[SetTote]) -> list[tuple[int, int]]:
        """Record the closed totes on their orders; hand each on to the order's next zone.

        Returns (task, station) for next-zone tasks a station holds whose arriving tote
        changed, to be sent to it again.
        """
        ...


class TaskRepo(Protocol):
    """Pick tasks: handing them out, reading them, and freeing a cancelled order's work."""

    def next_ready(self) -> int | None:
        """The next ready task id, locked (skipping rows other transactions hold)."""
        ...

    def assign(self, task_id: int, user_id: int, station_id: int, at: datetime) -> None: ...
    def get(self, task_id: int) -> tasks.Task | None: ...
    def release_order_work(self, order_id: int) -> list[dict[str, Any]]:
        """Cancel the order's open task lines and free their stock; return what was picked
        (task, line, units, station, user, sku, the shelf it came from, the tote)."""
        ...


class FloorExceptionRepo(Protocol):
    """Opening floor exceptions for supervisors."""

    def open_many(self, rows: list[dict[str, Any]]) -> None:
        """Floor exceptions: kind, reason, station, user, event, line, detail."""
        ...

    def open(self, row: dict[str, Any]) -> int:
        """One floor exception (the columns of open_many); its id."""
        ...


class PutBackRepo(Protocol):
    """Putting the units of a refused or cancelled pick back on a shelf."""

    def cancelled_pick(self, exception_id: int) -> RefusedPick | None:
        """The put_back_cancelled exception `exception_id`, locked; None: there is none."""
        ...

    def refused_pick(self, station_id: int, event_id: str) -> RefusedPick | None:
        """The station's refused event `event_id` and its line's shelf, locked; None: none."""
        ...

    def location_id(self, code: str) -> int | None: ...
    def move(
        self, task_line_id: int, location_id: int, take: int, add: int, *, at: datetime, ref: str
    ) -> None:
        """`take` units off the line's stock row; `add` of its product and lot at the location;
        the ledger's rows dated `at` (the put-back's own time), naming `ref` (its event)."""
        ...

    def resolve_refusal(
        self, exception_id: int, *, user_id: int | None, resolution: str, put_back_by: str
    ) -> None:
        """Record the put-back on the refusal's exception, resolving it if still open."""
        ...


class ChangeFeed(Protocol):
    """The change feed stations pull: numbered in commit order."""

    def add_change(
        self,
        kind: str,
        entity: str,
        entity_id: str,
        payload: dict[str, Any],
        station_id: int | None = None,
    ) -> int: ...
    def changes_since(self, station_id: int, since: int, limit: int) -> list[sync.Change]: ...
