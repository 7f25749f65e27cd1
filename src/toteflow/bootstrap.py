"""The one place that chooses implementations: stores, clients, devices."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine, text

from toteflow.adapters.store import migrate
from toteflow.adapters.store.engine import default_database_url, make_engine
from toteflow.adapters.store.uow import SqlUnitOfWorkFactory
from toteflow.config import ServerSettings, Settings
from toteflow.server.app import create_app
from toteflow.server.deps import Services
from toteflow.services.catalogue import CatalogueService
from toteflow.services.containers import ContainerService
from toteflow.services.importing import ImportService
from toteflow.services.orders import OrderService
from toteflow.services.people import AuthPolicy, PeopleService
from toteflow.services.sync import SyncService
from toteflow.services.tasks import TaskService


class SchemaBehind(Exception):
    """The database schema is older than this version of toteflow."""


def database_url(server: ServerSettings) -> str:
    return server.database_url or default_database_url()


def open_database(url: str, *, migrate_schema: bool = True, schema: str | None = None) -> Engine:
    """An engine on an up-to-date schema: migrated here, or refused when told not to migrate."""
    engine = make_engine(url, schema=schema)
    if migrate_schema:
        migrate.upgrade(engine)
    elif not migrate.is_current(engine):
        current = migrate.current_revision(engine) or "empty"
        raise SchemaBehind(
            f"the database schema is at {current}, this toteflow needs {migrate.head_revision()}: "
            "run `toteflow migrate` (or start the server without --no-migrate)"
        )
    return engine


def build_services(engine: Engine, settings: Settings) -> Services:
    uow = SqlUnitOfWorkFactory(engine)
    policy = AuthPolicy(
        session_minutes=settings.server.session_minutes,
        max_failures=settings.server.max_login_failures,
        lockout_minutes=settings.server.lockout_minutes,
        pin_required=settings.station.pin_required,
    )

    def health() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return Services(
        catalogue=CatalogueService(uow),
        orders=OrderService(uow),
        people=PeopleService(uow, policy),
        sync=SyncService(uow),
        containers=ContainerService(uow),
        tasks=TaskService(uow),
        health=health,
    )


def build_importer(engine: Engine) -> ImportService:
    """The CSV import use case (`toteflow import`) on this engine."""
    return ImportService(SqlUnitOfWorkFactory(engine))


@dataclass
class ServerParts:
    engine: Engine
    services: Services
    app: FastAPI


def build_server(
    settings: Settings, *, schema: str | None = None, migrate_schema: bool | None = None
) -> ServerParts:
    """Engine, services and FastAPI app for the configured database."""
    do_migrate = settings.server.migrate if migrate_schema is None else migrate_schema
    engine = open_database(database_url(settings.server), migrate_schema=do_migrate, schema=schema)
    services = build_services(engine, settings)
    app = create_app(services, max_body_bytes=settings.server.max_body_bytes)
    return ServerParts(engine, services, app)


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes: settings come from TOTEFLOW_* variables."""
    from toteflow.config import load_settings

    return build_server(load_settings()).app
