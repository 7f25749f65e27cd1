"""The ports wave use cases need, one per aggregate: the waves, the order pool and stock they
allocate, the tasks they write, their progress, and the floor exceptions supervisors resolve."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, Protocol

from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor


@dataclass(frozen=True)
class WaveRow:
    id: int
    name: str
    status: str
    strategy: str
    spec: dict[str, Any]  # the stored filters, cart, template and release figures
    created_by: int | None
    created_at: datetime
    released_at: datetime | None


@dataclass(frozen=True)
class PoolQuery:
    """Filters the database can apply to the pool. A wave's selection reads the whole pool
    (an empty query) and applies every filter itself, to count what each one leaves out."""

    carrier: str | None = None
    service: str | None = None
    ship_by: date | None = None
    priorities: tuple[int, ...] | None = None


@dataclass(frozen=True)
class PoolOrder:
    """A received order as a wave sees it, with line count and units for the profile."""

    id: int
    reference: str
    carrier: str
    service: str
    priority: int
    ship_by: date
    lines: int
    units: int


# PoolLine, StockRow and NewLine are NamedTuples: a big wave makes tens of thousands of
# each, and tuples are several times cheaper to build than dataclasses.


class PoolLine(NamedTuple):
    id: int
    order_id: int
    line_no: int
    product_id: int
    sku: str
    quantity: int
    allocated: int
    expiry_tracked: bool
    volume_l: float  # of one unit (the product's EA unit; 0 when unknown)
    weight_kg: float


class StockRow(NamedTuple):
    """A stock row that may serve a line, with its location as routing and zones need it."""

    id: int
    product_id: int
    location_id: int
    location: str
    kind: str
    aisle: int
    bay: int
    zone: str | None
    lot: str
    expiry: date | None
    received_on: date
    quantity: int
    reserved: int

    @property
    def free(self) -> int:
        return self.quantity - self.reserved


class NewLine(NamedTuple):
    order_line_id: int
    stock: StockRow
    product_id: int
    quantity: int
    slot: int


@dataclass(frozen=True)
class NewTask:
    kind: str
    zone: str | None
    priority: int
    distance_m: float
    orders: tuple[int, ...]  # slot n holds orders[n - 1]
    lines: tuple[NewLine, ...]  # in route order: stop_no follows this order
    status: str = "ready"
    # Where the slots' totes go when closed ("" is packing); for a zone task of an order
    # picked in several zones, the next zone (domain/zone_pass.py).
    destination: str = ""
    # The index, in the same add_tasks call, of the task this one waits for (pick-and-pass).
    after: int | None = None


@dataclass(frozen=True)
class WaveOrder:
    id: int
    reference: str
    status: str
    held_from: str | None


@dataclass(frozen=True)
class TaskRow:
    id: int
    wave_id: int | None
    status: str
    user_id: int | None
    station_id: int | None


@dataclass(frozen=True)
class LoggedIn:
    """A person's live log-in: the newest at its station, and their newest anywhere."""

    user_id: int
    name: str
    badge: str
    role: str
    active: bool
    station_id: int
    station: str
    since: datetime


@dataclass(frozen=True)
class LineInfo:
    """An order line and what re-allocating it needs."""

    id: int
    order_id: int
    reference: str
    order_status: str
    priority: int
    line_no: int
    product_id: int
    sku: str
    expiry_tracked: bool
    quantity: int
    allocated: int
    picked: int


@dataclass(frozen=True)
class LineOrigin:
    """Where a task line came from: its order line, location, wave, task and slot."""

    order_line_id: int
    location_id: int
    wave_id: int | None
    task_id: int
    slot: int


@dataclass(frozen=True)
class ProgressRow:
    """Task lines of a wave counted by zone, status and the task's person."""

    zone: str | None
    status: str
    user_id: int | None
    lines: int
    units: int
    picked: int


@dataclass(frozen=True)
class TaskSummary:
    id: int
    status: str
    user_id: int | None
    assigned_at: datetime | None
    kind: str = "discrete"
    zone: str | None = None
    lines: int = 0  # not cancelled
    lines_done: int = 0  # picked or short


@dataclass
class WaveActivity:
    rows: list[ProgressRow] = field(default_factory=list)
    tasks: list[TaskSummary] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    # The latest event each person (and anyone, under None) sent since the wave's release.
    last_event: dict[int | None, datetime] = field(default_factory=dict)


class WaveRepo(Protocol):
    """The waves themselves: planned, released, held, cancelled."""

    def add(
        self, name: str, strategy: str, spec: dict[str, Any], created_by: int | None
    ) -> int: ...
    def get(self, wave_id: int, *, lock: bool = False) -> WaveRow | None: ...
    def name_taken(self, name: str) -> bool: ...
    def find(self, status: str | None, offset: int, limit: int) -> tuple[list[WaveRow], int]: ...
    def update(
        self,
        wave_id: int,
        *,
        status: str,
        spec: dict[str, Any] | None = None,
        released_at: datetime | None = None,
    ) -> None: ...

    def retryable(self, error: BaseException) -> bool:
        """Whether an error is a deadlock or serialization failure worth one more try."""
        ...


class WavePoolRepo(Protocol):
    """The order pool, the stock a wave reserves, and the orders' states and lines."""

    def pool(self, query: PoolQuery) -> list[PoolOrder]:
        """Received orders matching the query, most urgent first (priority, ship-by, id)."""
        ...

    def lock_orders(self, order_ids: list[int]) -> set[int]:
        """Lock the orders (in id order) and return those still received."""
        ...

    def lines(self, order_ids: list[int]) -> list[PoolLine]: ...
    def stock(
        self, product_ids: list[int], *, lock: bool, exclude_locations: frozenset[int] = frozenset()
    ) -> list[StockRow]:
        """Pickable stock rows with something free; locked in id order when asked."""
        ...

    def reserve(self, units_by_stock: dict[int, int]) -> None:
        """Add to `reserved` only where that much is still free; Conflict if any row refuses."""
        ...

    def add_allocated(self, units_by_line: dict[int, int]) -> None: ...
    def set_order_status(
        self,
        order_ids: list[int],
        status: str,
        *,
        expect: tuple[str, ...],
        reason: str = "",
        held_from: str | None = None,
    ) -> None:
        """Set the status of orders currently in one of `expect`; Conflict if any is not."""
        ...

    def cut_lines(self, quantities: dict[int, int]) -> None:
        """Order lines shortened to these quantities (0: the line goes)."""
        ...

    def wave_orders(self, wave_id: int, *, lock: bool) -> list[WaveOrder]: ...
    def line_info(self, order_line_id: int) -> LineInfo | None: ...
    def audit_orders(
        self, actor: Actor, action: str, references: list[str], detail: dict[str, Any]
    ) -> None:
        """An audit row for each order (the same change to many orders, written at once)."""
        ...


class WaveTaskRepo(Protocol):
    """The tasks waves write (in bulk), hold, cancel and hand from one person to another."""

    def add_tasks(self, wave_id: int | None, tasks: list[NewTask]) -> list[int]: ...
    def append_lines(self, task_id: int, lines: list[NewLine]) -> None:
        """Add lines at the end of a task's route (into slots it already has)."""
        ...

    def free_orders_work(self, order_ids: list[int]) -> None:
        """Cancel these orders' open task lines, free their reservations, allocated = picked."""
        ...

    def wave_tasks(self, wave_id: int) -> list[TaskRow]: ...
    def settle_tasks(self, wave_id: int) -> list[TaskRow]:
        """Cancel the wave's unfinished tasks left with no open line and nothing picked."""
        ...

    def set_wave_tasks(self, wave_id: int, status: str, *, where: str, unassigned: bool) -> int: ...
    def task(self, task_id: int, *, lock: bool) -> TaskRow | None: ...
    def set_task(
        self,
        task_id: int,
        status: str,
        user_id: int | None,
        station_id: int | None,
        at: datetime | None,
    ) -> None: ...
    def user_station(self, user_id: int, now: datetime) -> int | None:
        """The station of the person's latest live log-in, if any."""
        ...

    def logged_in(self, now: datetime, *, user_id: int | None = None) -> list[LoggedIn]:
        """People logged in now: each log-in not ended nor expired, at an active station,
        and the newest there; a person at two stations counts at the newer. Newest first."""
        ...

    def task_line_origin(self, task_line_id: int) -> LineOrigin | None: ...


class WaveProgressRepo(Protocol):
    """What following a wave reads."""

    def activity(
        self, wave_id: int, since: datetime | None, *, task_lines: bool = True
    ) -> WaveActivity:
        """Lines by zone, status and person; the tasks (with their line counts if asked)."""
        ...


class WaveExceptionRepo(Protocol):
    """Floor exceptions as supervisors list and resolve them."""

    def exceptions(
        self, status: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[wv.FloorException]: ...
    def exception(self, exception_id: int, *, lock: bool) -> wv.FloorException | None: ...
    def resolve_exception(
        self,
        exception_id: int,
        *,
        user_id: int | None,
        at: datetime,
        resolution: str,
        detail: dict[str, Any] | None = None,
        still_open: bool = False,
    ) -> None: ...
