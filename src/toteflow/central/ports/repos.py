"""The ports use cases need; adapters.store implements them over SQLModel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from toteflow.central.ports.counts import CountRepo, StockLedger
from toteflow.central.ports.cross_dock import CrossDockRepo
from toteflow.central.ports.floor import (
    ChangeFeed,
    FloorExceptionRepo,
    PushRepo,
    PutBackRepo,
    TaskRepo,
)
from toteflow.central.ports.notices import NoticeRepo
from toteflow.central.ports.putaway import HeldRepo, PutawayRepo
from toteflow.central.ports.receipts import ReceiptRepo
from toteflow.central.ports.replenishment import ReplenishmentRepo
from toteflow.central.ports.shipping import ManifestRepo, ShipmentRepo, SsccRepo, WebhookRepo
from toteflow.central.ports.stock_moves import StockMovesRepo
from toteflow.central.ports.waves import (
    WaveExceptionRepo,
    WavePoolRepo,
    WaveProgressRepo,
    WaveRepo,
    WaveTaskRepo,
)
from toteflow.contracts import catalogue as cat
from toteflow.contracts import containers
from toteflow.contracts import orders as ords
from toteflow.contracts import people as ppl
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.containers import Holding
from toteflow.domain.orders import Move, OrderStatus


@dataclass(frozen=True)
class Credentials:
    """A user with what log-in needs to know about them."""

    user: ppl.User
    pin_hash: str
    failed_logins: int
    locked_until: datetime | None


@dataclass(frozen=True)
class SessionInfo:
    user: ppl.User
    station_id: int
    expires_at: datetime
    ended: bool


class CatalogueRepo(Protocol):
    def add_product(self, product: cat.ProductCreate) -> cat.Product: ...
    def product_by_sku(self, sku: str) -> cat.Product | None: ...
    def tracking_of(self, skus: Sequence[str]) -> dict[str, tuple[bool, bool]]: ...
    def product_by_barcode(self, barcode: str) -> cat.Product | None: ...
    def list_products(self, search: str | None, offset: int, limit: int) -> Page[cat.Product]: ...
    def add_zone(self, zone: cat.ZoneCreate) -> cat.Zone: ...
    def zones(self) -> list[cat.Zone]: ...
    def add_location(self, location: cat.LocationCreate) -> cat.Location: ...
    def add_locations(self, locations: list[cat.LocationCreate]) -> int: ...
    def location_by_code(self, code: str) -> cat.Location | None: ...
    def set_location_storage(
        self, code: str, storage: cat.LocationStorageUpdate
    ) -> cat.Location | None: ...
    def set_product_storage(self, sku: str, storage: cat.ProductStorage) -> cat.Product | None: ...
    def list_locations(
        self, zone: str | None, kind: str | None, offset: int, limit: int
    ) -> Page[cat.Location]: ...
    def list_stock(
        self, location: str | None, sku: str | None, offset: int, limit: int
    ) -> Page[cat.StockRow]: ...
    def adjust_stock(
        self, adjustment: cat.StockAdjustment, *, at: datetime | None = None, kind: str = ""
    ) -> cat.StockRow:
        """Apply the delta atomically, with its ledger row (happened `at`, default now; `kind`,
        default the reason); raise Refused if on-hand would fall below reserved."""
        ...


class OrderRepo(Protocol):
    def add(self, order: ords.OrderCreate) -> ords.Order: ...
    def add_many(self, orders: Sequence[ords.OrderCreate]) -> list[ords.OrderCreate]: ...
    def get(self, reference: str, *, lock: bool = False) -> ords.Order | None: ...
    def existing_references(self, references: list[str]) -> set[str]: ...
    def find(self, filters: ords.OrderFilter, offset: int, limit: int) -> Page[ords.Order]: ...
    def set_status(self, order_id: int, move: Move, *, cancel_reason: str = "") -> None: ...
    def replace_lines(self, order_id: int, lines: list[ords.OrderLineIn]) -> None: ...
    def count_by_status(self) -> dict[OrderStatus, int]: ...


class PeopleRepo(Protocol):
    def add_user(self, user: ppl.UserCreate, pin_hash: str) -> ppl.User: ...
    def update_user(
        self, user_id: int, changes: dict[str, Any], pin_hash: str | None
    ) -> ppl.User | None: ...
    def get_user(self, user_id: int) -> ppl.User | None: ...
    def known_user_ids(self, user_ids: set[int]) -> set[int]:
        """Which of these ids are users of this server (active or not)."""
        ...

    def list_users(self, offset: int, limit: int) -> Page[ppl.User]: ...
    def credentials(self, badge: str) -> Credentials | None: ...
    def login_failed(self, user_id: int, *, lock_at: int, lock_until: datetime) -> int:
        """Count a wrong PIN and lock the badge until `lock_until` once the count reaches
        `lock_at`, in one atomic step; the new count."""
        ...

    def login_succeeded(self, user_id: int, now: datetime) -> bool:
        """Clear the wrong-PIN count, unless the badge is locked at `now` (then False)."""
        ...

    def active_admins(self) -> list[int]:
        """Ids of the active admins, their rows locked until the transaction ends."""
        ...

    def add_station(self, name: str, token_hash: str) -> ppl.Station: ...
    def station_by_token(self, token_hash: str) -> ppl.Station | None: ...
    def get_station(self, station_id: int) -> ppl.Station | None: ...
    def list_stations(self, offset: int, limit: int) -> Page[ppl.Station]: ...
    def set_station(self, station_id: int, *, active: bool, token_hash: str | None) -> None: ...
    def touch_station(self, station_id: int, at: datetime) -> None: ...
    def add_session(
        self, token_hash: str, user_id: int, station_id: int, expires_at: datetime
    ) -> None: ...
    def session_by_token(self, token_hash: str) -> SessionInfo | None: ...
    def end_session(self, token_hash: str, at: datetime) -> None: ...


class AuditRepo(Protocol):
    def record(
        self,
        actor: Actor,
        action: str,
        entity: str,
        entity_id: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None: ...
    def record_many(
        self, actor: Actor, action: str, entity: str, entries: Sequence[tuple[str, str]]
    ) -> None:
        """Entries of one action, each (entity id, detail already encoded as JSON text)."""

    def find(
        self,
        entity: str | None,
        entity_id: str | None,
        action: str | None,
        offset: int,
        limit: int,
    ) -> Page[ppl.AuditEntry]: ...


class ContainerRepo(Protocol):
    """The registry of carts and totes, with where each is in its life (domain Holding)."""

    def add(
        self, carts: list[containers.CartCreate], totes: list[containers.ToteCreate]
    ) -> tuple[list[str], list[str]]: ...
    def carts(self, offset: int, limit: int, state: str | None = None) -> Page[containers.Cart]: ...
    def totes(self, offset: int, limit: int, state: str | None = None) -> Page[containers.Tote]: ...
    def tote(self, code: str) -> containers.Tote | None: ...
    def cart(self, code: str) -> containers.Cart | None: ...
    def in_force(self, kind: str) -> bool: ...
    def tote_holdings(self, codes: Iterable[str], *, lock: bool = False) -> dict[str, Holding]: ...
    def cart_holding(self, code: str, *, lock: bool = False) -> Holding | None: ...
    def slot_orders(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]: ...
    def save_totes(self, holdings: dict[str, Holding], closed: Iterable[str] = ()) -> None: ...
    def save_cart(self, code: str, holding: Holding) -> None: ...
    def free_of_tasks(self, task_ids: Iterable[int]) -> list[containers.ContainerRecord]: ...
    def free_of_orders(self, references: Iterable[str]) -> list[containers.ContainerRecord]: ...
    def records(self, kind: str, codes: Iterable[str]) -> list[containers.ContainerRecord]: ...


class UnitOfWork(Protocol):
    """One transaction: everything done through it commits together or not at all."""

    catalogue: CatalogueRepo
    orders: OrderRepo
    people: PeopleRepo
    audit: AuditRepo
    push: PushRepo
    tasks: TaskRepo
    exceptions: FloorExceptionRepo
    put_backs: PutBackRepo
    feed: ChangeFeed
    containers: ContainerRepo
    shipments: ShipmentRepo
    sscc: SsccRepo
    manifests: ManifestRepo
    webhooks: WebhookRepo
    waves: WaveRepo
    wave_pool: WavePoolRepo
    wave_tasks: WaveTaskRepo
    wave_progress: WaveProgressRepo
    wave_exceptions: WaveExceptionRepo
    notices: NoticeRepo
    putaway: PutawayRepo
    held: HeldRepo
    cross_dock: CrossDockRepo
    receipts: ReceiptRepo
    stock_moves: StockMovesRepo
    ledger: StockLedger
    counts: CountRepo
    replenishment: ReplenishmentRepo

    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def savepoint(self) -> AbstractContextManager[object]:
        """A nested transaction: leaving it by an exception undoes only what it wrote."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
