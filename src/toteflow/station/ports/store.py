"""The ports of the station's own store; adapters.station_store implements them on SQLite."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Literal, Protocol, Self
from uuid import UUID

from toteflow.contracts import sync
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.containers import ContainerRecord
from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.domain.containers import Holding
from toteflow.domain.words import plural
from toteflow.station.ports.inbound import InboundCache
from toteflow.station.ports.packing import PackingRepo
from toteflow.station.ports.receiving import ReceivingRepo
from toteflow.station.ports.replenishment import ReplenCache
from toteflow.station.ports.stock import StockCache

OutboxState = Literal["pending", "acked"]
SyncStateName = Literal[
    "starting",
    "not_registered",
    "online",
    "catching_up",
    "offline",
    "error",
    "needs_reregistration",
]
_LABELS: dict[SyncStateName, str] = {
    "starting": "starting",
    "not_registered": "not registered: run toteflow station-setup register",
    "online": "online",
    "catching_up": "catching up",
    "offline": "offline",
    "error": "server refuses: see the last error",
    "needs_reregistration": "this station needs to be re-registered",
}


@dataclass(frozen=True)
class SyncStatus:
    """What the station's status line shows; the sync worker publishes each change of it."""

    state: SyncStateName
    waiting: int = 0
    last_error: str = ""
    exceptions_open: int = 0
    cursor: int = 0
    last_acked_seq: int = 0
    last_contact_at: datetime | None = None

    @property
    def label(self) -> str:
        text = _LABELS[self.state]
        if self.waiting:
            text += f" · {plural(self.waiting, 'event')} waiting"
        return text


@dataclass(frozen=True)
class StationIdentity:
    """Who this station is to the server; the token is a secret and never printed."""

    station_id: int
    name: str
    server_url: str
    token: str = field(repr=False)
    registered_at: datetime


@dataclass(frozen=True)
class SyncState:
    next_seq: int
    # The highest sequence number the server has answered for (applied or rejected).
    last_acked_seq: int
    # The change-feed position: every change up to here has been applied locally.
    cursor: int
    needs_reregistration: bool
    last_error: str
    last_push_at: datetime | None
    last_pull_at: datetime | None


@dataclass(frozen=True)
class OutboxEvent:
    """A floor action waiting for (or answered by) the server."""

    seq: int
    id: UUID
    user_id: int | None
    type: str
    payload: dict[str, Any]
    station_time: datetime
    state: OutboxState = "pending"
    # The server's answer: applied, duplicate or rejected ("" while pending).
    status: str = ""
    reason: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> sync.Event:
        return sync.Event(
            id=self.id,
            seq=self.seq,
            user_id=self.user_id,
            type=self.type,
            payload=self.payload,
            station_time=self.station_time,
        )


@dataclass(frozen=True)
class StationException:
    """A rejected event a person must resolve (e.g. put picked units back)."""

    id: int
    kind: str
    reason: str
    event_seq: int | None
    event_id: str | None
    event_type: str
    payload: dict[str, Any]
    user_id: int | None
    created_at: datetime
    resolved: bool
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str


@dataclass(frozen=True)
class Notice:
    """Something the picker must be told at the next scan (a task or order cancelled)."""

    id: int
    task_id: int | None
    line_id: int | None
    order_reference: str
    message: str
    created_at: datetime
    seen: bool


@dataclass(frozen=True)
class LineView:
    """A local task line with what the rules need of its task (not its pack sizes:
    `line.units` is empty here; the walk reads them with the task)."""

    task_id: int
    task_status: str
    user_id: int | None
    line: TaskLine


@dataclass(frozen=True)
class CachedLocation:
    code: str
    zone: str | None
    aisle: int | None
    bay: int | None
    level: int | None
    kind: str
    active: bool


@dataclass(frozen=True)
class CachedProduct:
    sku: str
    description: str
    lot_tracked: bool
    expiry_tracked: bool
    lot_substitution: bool
    units: list[ProductUnit]


class IdentityRepo(Protocol):
    def get(self) -> StationIdentity | None: ...
    def set(self, identity: StationIdentity) -> None: ...


class SyncStateRepo(Protocol):
    def get(self) -> SyncState: ...
    def take_seq(self) -> int:
        """The next sequence number, reserved for an event written in this transaction."""
        ...

    def set_acked(self, seq: int) -> None: ...
    def set_cursor(self, cursor: int) -> None: ...
    def set_flags(
        self,
        *,
        needs_reregistration: bool | None = None,
        last_error: str | None = None,
        pushed_at: datetime | None = None,
        pulled_at: datetime | None = None,
    ) -> None: ...
    def reset(self, *, next_seq: int, last_acked_seq: int, cursor: int) -> None: ...


class OutboxRepo(Protocol):
    def add(self, event: OutboxEvent) -> None: ...
    def after(self, seq: int, limit: int) -> list[OutboxEvent]:
        """Events with a sequence number above `seq`, in order, whatever their state."""
        ...

    def get(self, event_id: UUID) -> OutboxEvent | None: ...
    def last_of_task(self, task_id: int, types: tuple[str, ...]) -> OutboxEvent | None:
        """The newest event of one of `types` recorded for the task (picks, shorts, undos)."""
        ...

    def undoing(self, event_id: UUID) -> OutboxEvent | None:
        """The pick.undone event that compensates `event_id`, if one was recorded."""
        ...

    def mark_acked(self, answers: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        """(seq, status, reason, result) for each answered event."""
        ...

    def reopen_after(self, seq: int) -> int:
        """Mark events above `seq` pending again (the server lost them); how many."""
        ...

    def count_pending(self) -> int: ...
    def clear(self) -> None: ...


class LocalTaskRepo(Protocol):
    def upsert(self, task: Task) -> None:
        """The server's word on what the task is; local progress on known lines is kept."""
        ...

    def get(self, task_id: int) -> Task | None: ...
    def held(self, user_id: int | None = None) -> list[Task]:
        """Tasks this station holds (for one person), not done or cancelled, oldest first."""
        ...

    def exists(self, task_id: int) -> bool: ...
    def line(self, line_id: int) -> LineView | None: ...
    def lines_of_order(self, reference: str) -> list[LineView]: ...
    def open_lines(self, task_id: int) -> int: ...
    def set_line(self, line_id: int, *, picked: int, shorted: int, status: str) -> None: ...
    def set_task_status(self, task_id: int, status: str) -> None: ...
    def release(self, task_id: int) -> None:
        """The task is no longer this station's (unassigned on the server)."""
        ...

    def container(self, task_id: int, slot: int) -> TaskContainer | None: ...
    def slot_of_tote(self, task_id: int, tote: str) -> int | None: ...
    def set_container(
        self,
        task_id: int,
        slot: int,
        *,
        tote: str | None,
        status: str,
        destination: str | None = None,
    ) -> None: ...
    def clear(self) -> None: ...


class CatalogueCacheRepo(Protocol):
    def upsert_product(self, product: CachedProduct) -> None: ...
    def product(self, sku: str) -> CachedProduct | None: ...
    def product_by_barcode(self, barcode: str) -> tuple[CachedProduct, ProductUnit] | None: ...
    def upsert_location(self, location: CachedLocation) -> None: ...
    def location(self, code: str) -> CachedLocation | None: ...
    def locations(self) -> list[CachedLocation]:
        """Every location kept, by code (the put-away walk's offline view)."""
        ...


class ContainerCache(Protocol):
    """The registry of carts and totes as the feed told it (kind: "tote" or "cart")."""

    def get(self, kind: str, code: str) -> Holding | None: ...
    def in_force(self, kind: str) -> bool: ...
    def set(self, kind: str, code: str, holding: Holding) -> None: ...
    def upsert(self, records: Iterable[ContainerRecord]) -> None: ...
    def free_of_task(self, task_id: int) -> None: ...
    def free_totes(self, limit: int, exclude: Collection[str] = ()) -> list[str]: ...


class ExceptionRepo(Protocol):
    def open_for_event(self, event: OutboxEvent, reason: str, at: datetime) -> bool:
        """Open an exception for a rejected event, once; False when it already exists."""
        ...

    def open_for_cancelled_pick(
        self, server_exception_id: int, reason: str, payload: dict[str, Any], at: datetime
    ) -> bool:
        """Open the server's put-back exception for units picked before their order was
        cancelled (`payload` carries its id), once; False when it already exists."""
        ...

    def list(self, *, open_only: bool = True) -> list[StationException]: ...
    def get(self, exception_id: int) -> StationException | None: ...
    def resolve(
        self, exception_id: int, user_id: int | None, resolution: str, at: datetime
    ) -> None: ...
    def count_open(self) -> int: ...


class NoticeRepo(Protocol):
    def add(
        self,
        key: str,
        message: str,
        at: datetime,
        *,
        task_id: int | None = None,
        line_id: int | None = None,
        order_reference: str = "",
    ) -> None:
        """Add once per `key` (a change seen twice tells the picker once)."""
        ...

    def pending(self, task_id: int | None = None) -> list[Notice]: ...
    def mark_seen(self, notice_id: int) -> None: ...


class StationUnitOfWork(Protocol):
    """One station transaction: the change and its outbox event commit together or not at all."""

    identity: IdentityRepo
    sync: SyncStateRepo
    outbox: OutboxRepo
    tasks: LocalTaskRepo
    catalogue: CatalogueCacheRepo
    exceptions: ExceptionRepo
    notices: NoticeRepo
    packing: PackingRepo
    containers: ContainerCache
    inbound: InboundCache
    receiving: ReceivingRepo
    stock: StockCache
    replen: ReplenCache

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class StationUnitOfWorkFactory(Protocol):
    def __call__(self) -> StationUnitOfWork: ...


class TaskServer(Protocol):
    """What a station asks the server for on behalf of a logged-in person."""

    async def next_task(self, session_token: str) -> Task | None: ...
    async def get_task(self, task_id: int, session_token: str) -> Task: ...


class SyncRunner(Protocol):
    """The background sync as an app sees it (SyncWorker implements it)."""

    @property
    def status(self) -> SyncStatus: ...
    def subscribe(self, listener: Callable[[SyncStatus], None]) -> Callable[[], None]: ...
    def wake(self) -> None: ...
    def stop(self) -> None: ...
    def run_forever(self) -> None: ...
