"""The unit of work over one SQLModel session: it rolls back unless committed."""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

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
from toteflow.central.ports.repos import (
    AuditRepo,
    CatalogueRepo,
    ContainerRepo,
    OrderRepo,
    PeopleRepo,
)
from toteflow.central.ports.shipping import ManifestRepo, ShipmentRepo, SsccRepo, WebhookRepo
from toteflow.central.ports.stock_moves import StockMovesRepo
from toteflow.central.ports.waves import (
    WaveExceptionRepo,
    WavePoolRepo,
    WaveProgressRepo,
    WaveRepo,
    WaveTaskRepo,
)
from toteflow.central.store.audit_repo import SqlAuditRepo
from toteflow.central.store.catalogue_repo import SqlCatalogueRepo
from toteflow.central.store.containers_repo import SqlContainerRepo
from toteflow.central.store.counts_repo import SqlCountRepo, SqlStockLedger
from toteflow.central.store.cross_dock_repo import SqlCrossDockRepo
from toteflow.central.store.exceptions_repo import SqlFloorExceptionRepo
from toteflow.central.store.feed_repo import SqlChangeFeed
from toteflow.central.store.held_repo import SqlHeldRepo
from toteflow.central.store.manifests_repo import SqlManifestRepo
from toteflow.central.store.notices_repo import SqlNoticeRepo
from toteflow.central.store.orders_repo import SqlOrderRepo
from toteflow.central.store.people_repo import SqlPeopleRepo
from toteflow.central.store.push_repo import SqlPushRepo
from toteflow.central.store.put_backs_repo import SqlPutBackRepo
from toteflow.central.store.putaway_repo import SqlPutawayRepo
from toteflow.central.store.receipts_repo import SqlReceiptRepo
from toteflow.central.store.replenishment_repo import SqlReplenishmentRepo
from toteflow.central.store.shipments_repo import SqlShipmentRepo
from toteflow.central.store.sscc_repo import SqlSsccRepo
from toteflow.central.store.stock_moves_repo import SqlStockMovesRepo
from toteflow.central.store.tasks_repo import SqlTaskRepo
from toteflow.central.store.wave_exceptions_repo import SqlWaveExceptionRepo
from toteflow.central.store.wave_pool_repo import SqlWavePoolRepo
from toteflow.central.store.wave_progress_repo import SqlWaveProgressRepo
from toteflow.central.store.wave_tasks_repo import SqlWaveTaskRepo
from toteflow.central.store.waves_repo import SqlWaveRepo
from toteflow.central.store.webhooks_repo import SqlWebhookRepo


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> Self:
        self.session = Session(self._engine, expire_on_commit=False)
        self.catalogue: CatalogueRepo = SqlCatalogueRepo(self.session)
        self.orders: OrderRepo = SqlOrderRepo(self.session)
        self.people: PeopleRepo = SqlPeopleRepo(self.session)
        self.push: PushRepo = SqlPushRepo(self.session)
        self.tasks: TaskRepo = SqlTaskRepo(self.session)
        self.exceptions: FloorExceptionRepo = SqlFloorExceptionRepo(self.session)
        self.put_backs: PutBackRepo = SqlPutBackRepo(self.session)
        self.feed: ChangeFeed = SqlChangeFeed(self.session)
        self.containers: ContainerRepo = SqlContainerRepo(self.session)
        self.shipments: ShipmentRepo = SqlShipmentRepo(self.session)
        self.sscc: SsccRepo = SqlSsccRepo(self.session)
        self.manifests: ManifestRepo = SqlManifestRepo(self.session)
        self.webhooks: WebhookRepo = SqlWebhookRepo(self.session)
        self.waves: WaveRepo = SqlWaveRepo(self.session)
        self.wave_pool: WavePoolRepo = SqlWavePoolRepo(self.session)
        self.wave_tasks: WaveTaskRepo = SqlWaveTaskRepo(self.session)
        self.wave_progress: WaveProgressRepo = SqlWaveProgressRepo(self.session)
        self.wave_exceptions: WaveExceptionRepo = SqlWaveExceptionRepo(self.session)
        self.notices: NoticeRepo = SqlNoticeRepo(self.session)
        self.putaway: PutawayRepo = SqlPutawayRepo(self.session)
        self.held: HeldRepo = SqlHeldRepo(self.session)
        self.cross_dock: CrossDockRepo = SqlCrossDockRepo(self.session)
        self.receipts: ReceiptRepo = SqlReceiptRepo(self.session)
        self.stock_moves: StockMovesRepo = SqlStockMovesRepo(self.session)
        self.ledger: StockLedger = SqlStockLedger(self.session)
        self.counts: CountRepo = SqlCountRepo(self.session)
        self.replenishment: ReplenishmentRepo = SqlReplenishmentRepo(self.session)
        self._audit = SqlAuditRepo(self.session)
        self.audit: AuditRepo = self._audit
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
        self._audit.flush()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def savepoint(self) -> AbstractContextManager[object]:
        """A nested transaction: what one event wrote is undone alone if it is refused."""
        return self.session.begin_nested()


class SqlUnitOfWorkFactory:
    """Makes a fresh unit of work per use case, all on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
