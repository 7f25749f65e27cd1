"""The unit of work over one SQLModel session: it rolls back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlmodel import Session

from toteflow.central.ports.repos import (
    AuditRepo,
    CatalogueRepo,
    ContainerRepo,
    FloorRepo,
    OrderRepo,
    PeopleRepo,
)
from toteflow.central.ports.shipping import ShippingRepo
from toteflow.central.ports.waves import WaveRepo
from toteflow.central.store.audit_repo import SqlAuditRepo
from toteflow.central.store.catalogue_repo import SqlCatalogueRepo
from toteflow.central.store.containers_repo import SqlContainerRepo
from toteflow.central.store.floor_repo import SqlFloorRepo
from toteflow.central.store.orders_repo import SqlOrderRepo
from toteflow.central.store.people_repo import SqlPeopleRepo
from toteflow.central.store.shipping_repo import SqlShippingRepo
from toteflow.central.store.waves_repo import SqlWaveRepo


class SqlUnitOfWork:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __enter__(self) -> Self:
        self.session = Session(self._engine, expire_on_commit=False)
        self.catalogue: CatalogueRepo = SqlCatalogueRepo(self.session)
        self.orders: OrderRepo = SqlOrderRepo(self.session)
        self.people: PeopleRepo = SqlPeopleRepo(self.session)
        self.floor: FloorRepo = SqlFloorRepo(self.session)
        self.containers: ContainerRepo = SqlContainerRepo(self.session)
        self.shipping: ShippingRepo = SqlShippingRepo(self.session)
        self.waves: WaveRepo = SqlWaveRepo(self.session)
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


class SqlUnitOfWorkFactory:
    """Makes a fresh unit of work per use case, all on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)
