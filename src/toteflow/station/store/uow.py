"""The station's unit of work over one SQLModel session: it rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from toteflow.station.ports.inbound import InboundCache
from toteflow.station.ports.packing import PackingRepo
from toteflow.station.ports.receiving import ReceivingRepo
from toteflow.station.ports.replenishment import ReplenCache
from toteflow.station.ports.stock import StockCache
from toteflow.station.ports.store import (
    CatalogueCacheRepo,
    ContainerCache,
    ExceptionRepo,
    IdentityRepo,
    LocalTaskRepo,
    NoticeRepo,
    OutboxRepo,
    SyncStateRepo,
)
from toteflow.station.store.containers_repo import SqlContainerCache
from toteflow.station.store.inbound_repo import SqlInboundCache
from toteflow.station.store.packing_repo import SqlPackingRepo
from toteflow.station.store.receiving_repo import SqlReceivingRepo
from toteflow.station.store.replen_repo import SqlReplenCache
from toteflow.station.store.stock_repo import SqlStockCache
from toteflow.station.store.sync_repo import (
    SqlExceptionRepo,
    SqlIdentityRepo,
    SqlOutboxRepo,
    SqlSyncStateRepo,
)
from toteflow.station.store.tasks_repo import (
    SqlCatalogueCacheRepo,
    SqlLocalTaskRepo,
    SqlNoticeRepo,
)


class SqlStationUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> Self:
        self.session = Session(self._engine, expire_on_commit=False)
        self.identity: IdentityRepo = SqlIdentityRepo(self.session)
        self.sync: SyncStateRepo = SqlSyncStateRepo(self.session)
        self.outbox: OutboxRepo = SqlOutboxRepo(self.session)
        self.tasks: LocalTaskRepo = SqlLocalTaskRepo(self.session)
        self.catalogue: CatalogueCacheRepo = SqlCatalogueCacheRepo(self.session)
        self.exceptions: ExceptionRepo = SqlExceptionRepo(self.session)
        self.notices: NoticeRepo = SqlNoticeRepo(self.session)
        self.packing: PackingRepo = SqlPackingRepo(self.session)
        self.containers: ContainerCache = SqlContainerCache(self.session)
        self.inbound: InboundCache = SqlInboundCache(self.session)
        self.receiving: ReceivingRepo = SqlReceivingRepo(self.session)
        self.stock: StockCache = SqlStockCache(self.session)
        self.replen: ReplenCache = SqlReplenCache(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


class SqlStationUnitOfWorkFactory:
    """Makes a fresh unit of work per floor action or sync step, all on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> SqlStationUnitOfWork:
        return SqlStationUnitOfWork(self.engine)
