"""The one place that chooses implementations: stores, clients, devices."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, text

from toteflow.central.api.app import Background, create_app
from toteflow.central.api.deps import Services
from toteflow.central.integrations.count_scheduler import CountScheduler
from toteflow.central.integrations.replenish_sweep import SweepWorker
from toteflow.central.integrations.routing_pool import ParallelRouter
from toteflow.central.integrations.wave_templates import WaveTemplateError, load_templates
from toteflow.central.integrations.webhooks import HttpxWebhookSender, WebhookWorker
from toteflow.central.services.catalogue import CatalogueService
from toteflow.central.services.containers import ContainerService
from toteflow.central.services.counts import CountPolicy, CountService
from toteflow.central.services.importing.service import ImportService
from toteflow.central.services.notices import NoticeService
from toteflow.central.services.orders import OrderService
from toteflow.central.services.people import AuthPolicy, PeopleService
from toteflow.central.services.putaway import PutawayPolicy, PutawayService
from toteflow.central.services.putaway.common import utc_now
from toteflow.central.services.receiving import ReceiptSettings, ReceivingService
from toteflow.central.services.replenishment import ReplenishmentService, ReplenPolicy
from toteflow.central.services.replenishment import events as replen_events
from toteflow.central.services.replenishment import triggers as replen_triggers
from toteflow.central.services.shipping import ShippingPolicy, ShippingService
from toteflow.central.services.stock_moves import StockService
from toteflow.central.services.sync import Replenishing, SyncService
from toteflow.central.services.tasks import TaskService
from toteflow.central.services.waves import ReleaseHook, WavePolicy, WaveServices, wave_services
from toteflow.central.services.webhooks import WebhookPolicy, WebhookService
from toteflow.central.store import migrate
from toteflow.central.store.engine import default_database_url, make_engine
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.config import ConfigError, ServerSettings, Settings
from toteflow.contracts.notices import ProductRules, ReceivingPolicy, SupplierTolerance
from toteflow.contracts.waves import CartSpec
from toteflow.domain.allocation import ShortagePolicy
from toteflow.domain.cycle_counts import Schedule, Thresholds
from toteflow.domain.labels import Address
from toteflow.domain.putaway_rules import RuleOrderError, rules_from_config
from toteflow.shared.labels import LabelRenderer
from toteflow.shared.labels.plates import PlateLabelRenderer
from toteflow.shared.layout_file import load_layout
from toteflow.shared.shipping_files import ShippingFileError, load_carrier_rules


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

    replen = replen_policy(settings)
    waves = site_waves(uow, settings, replen_triggers.after_release(replen, date.today))
    receipts = receipt_settings(settings)
    counts = count_policy(settings)
    replenishing = Replenishing(
        after_picks=replen_triggers.after_picks(replen, date.today),
        handles=replen_events.handles,
        apply=replen_events.applier(
            date.today, utc_now, pickers=settings.station.pickers_replenish
        ),
    )
    return Services(
        catalogue=CatalogueService(uow),
        orders=OrderService(uow),
        people=PeopleService(uow, policy),
        sync=SyncService(uow, waves.reallocation.reallocate_shorts, receipts, counts, replenishing),
        containers=ContainerService(uow),
        tasks=TaskService(uow),
        shipping=ShippingService(uow, shipping_policy(settings), LabelRenderer()),
        waves=waves.building,
        wave_release=waves.release,
        wave_progress=waves.progress,
        floor_control=waves.control,
        exceptions=waves.exceptions,
        notices=NoticeService(uow, receiving_policy(settings)),
        putaway=PutawayService(uow, putaway_policy(settings), PlateLabelRenderer()),
        receiving=ReceivingService(uow, receipts),
        stock=StockService(uow),
        counts=CountService(uow, counts),
        replenishment=ReplenishmentService(uow, replen),
        health=health,
    )


def count_policy(settings: Settings) -> CountPolicy:
    """The site's [counts] settings: schedules by class, variance thresholds, who counts."""
    counts = settings.counts
    return CountPolicy(
        schedule=Schedule(counts.a_days, counts.b_days, counts.c_days),
        thresholds=Thresholds(
            counts.recount_units, counts.approval_units, counts.recount_value, counts.approval_value
        ),
        anyone_may_count=counts.anyone_may_count,
        unit_values=dict(counts.unit_values),
    )


def replen_policy(settings: Settings) -> ReplenPolicy:
    """The site's [replenishment] defaults and sweep interval."""
    replenishment = settings.replenishment
    return ReplenPolicy(
        default_min_percent=replenishment.default_min_percent,
        sweep_minutes=replenishment.sweep_minutes,
    )


def site_waves(
    uow: SqlUnitOfWorkFactory, settings: Settings, after_release: ReleaseHook | None = None
) -> WaveServices:
    """The wave use cases with the site's templates and policy; the layout is read on first use."""
    waves = settings.waves
    try:
        templates = (
            load_templates(settings.resolve(waves.templates_file)) if waves.templates_file else []
        )
    except WaveTemplateError as exc:
        raise ConfigError(f"[waves] templates_file: {exc}") from None
    layout = functools.cache(lambda: load_layout(settings.resolve(settings.layout.file)))
    policy = WavePolicy(
        shortage_policy=ShortagePolicy(waves.shortage_policy),
        strategy=waves.strategy,
        cart=CartSpec(
            slots=waves.cart_slots, volume_l=waves.cart_volume_l, weight_kg=waves.cart_weight_kg
        ),
        walking_speed_m_s=waves.walking_speed_m_s,
        seconds_per_pick=waves.seconds_per_pick,
    )
    return wave_services(
        uow, layout, templates, policy, router=ParallelRouter(), after_release=after_release
    )


def receiving_policy(settings: Settings) -> ReceivingPolicy:
    """The site's [receiving] settings as stations read them."""
    receiving = settings.receiving
    return ReceivingPolicy(
        blind_receipts=receiving.blind_receipts,
        over_tolerance_pct=receiving.over_tolerance_pct,
        suppliers={
            code: SupplierTolerance(
                over_tolerance_pct=supplier.over_tolerance_pct, inspect=supplier.inspect
            )
            for code, supplier in receiving.suppliers.items()
        },
        products={
            sku: ProductRules(over_tolerance_pct=rules.over_tolerance_pct, inspect=rules.inspect)
            for sku, rules in receiving.products.items()
        },
    )


def receipt_settings(settings: Settings) -> ReceiptSettings:
    """What the server's receiving needs: the stations' policy, held locations, webhook."""
    receiving = settings.receiving
    return ReceiptSettings(
        policy=receiving_policy(settings),
        quarantine_location=receiving.quarantine_location,
        quality_location=receiving.quality_location,
        webhook_url=settings.webhooks.url,
    )


def putaway_policy(settings: Settings) -> PutawayPolicy:
    """The site's reservation time and put-away rule order."""
    try:
        rules = rules_from_config(settings.putaway.rules)
    except RuleOrderError as exc:
        raise ConfigError(f"[putaway] rules: {exc}") from None
    return PutawayPolicy(reservation_minutes=settings.putaway.reservation_minutes, rules=rules)


def shipping_policy(settings: Settings) -> ShippingPolicy:
    """The site's SSCC numbering, ship-from address, webhook URL and carrier rules."""
    labels = settings.labels
    try:
        rules = load_carrier_rules(settings.resolve(settings.shipping.carriers_file))
    except ShippingFileError as exc:
        raise ConfigError(f"[shipping] carriers_file: {exc}") from None
    return ShippingPolicy(
        company_prefix=labels.gs1_company_prefix,
        extension_digit=labels.sscc_extension_digit,
        block_size=labels.sscc_block_size,
        ship_from=Address(
            labels.ship_from_name,
            labels.ship_from_line1,
            labels.ship_from_line2,
            labels.ship_from_city,
            labels.ship_from_region,
            labels.ship_from_postal_code,
            labels.ship_from_country,
        ),
        webhook_url=settings.webhooks.url,
        rules=rules,
    )


def build_webhook_worker(engine: Engine, settings: Settings) -> WebhookWorker | None:
    """The background sender of webhooks, when a URL is configured."""
    hooks = settings.webhooks
    if not hooks.url:
        return None
    client = httpx.Client(timeout=hooks.timeout_seconds, follow_redirects=False)
    service = WebhookService(
        SqlUnitOfWorkFactory(engine),
        HttpxWebhookSender(client),
        WebhookPolicy(
            secret=hooks.secret,
            timeout_seconds=hooks.timeout_seconds,
            backoff_initial_seconds=hooks.backoff_initial_seconds,
            backoff_max_seconds=hooks.backoff_max_seconds,
        ),
    )
    return WebhookWorker(service, hooks.poll_seconds)


# Batches an import writes at once on PostgreSQL, each on its own connection: two keep the
# server busy while this process makes the next batch's rows (SQLite has one writer).
IMPORT_WRITERS = 2


def build_importer(engine: Engine) -> ImportService:
    """The CSV import use case (`toteflow import`) on this engine."""
    writers = IMPORT_WRITERS if engine.dialect.name == "postgresql" else 1
    return ImportService(SqlUnitOfWorkFactory(engine), writers=writers)


def build_container_service(engine: Engine) -> ContainerService:
    """The cart and tote registry (`toteflow import containers`) on this engine."""
    return ContainerService(SqlUnitOfWorkFactory(engine))


@dataclass
class ServerParts:
    engine: Engine
    services: Services
    app: FastAPI
    webhooks: WebhookWorker | None = None
    counts: CountScheduler | None = None


def build_count_scheduler(services: Services, settings: Settings) -> CountScheduler | None:
    """The background job opening the counts due, unless `[counts] schedule_minutes` is 0."""
    minutes = settings.counts.schedule_minutes
    return CountScheduler(services.counts, minutes * 60.0) if minutes else None


def build_server(
    settings: Settings, *, schema: str | None = None, migrate_schema: bool | None = None
) -> ServerParts:
    """Engine, services and FastAPI app for the configured database."""
    do_migrate = settings.server.migrate if migrate_schema is None else migrate_schema
    engine = open_database(database_url(settings.server), migrate_schema=do_migrate, schema=schema)
    services = build_services(engine, settings)
    worker = build_webhook_worker(engine, settings)
    counts = build_count_scheduler(services, settings)
    background: list[Background] = [job for job in (worker, counts) if job is not None]
    if settings.replenishment.sweep_minutes > 0:
        background.append(SweepWorker(services.replenishment, settings.replenishment.sweep_minutes))
    app = create_app(services, max_body_bytes=settings.server.max_body_bytes, background=background)
    return ServerParts(engine, services, app, worker, counts)


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes: settings come from TOTEFLOW_* variables."""
    from toteflow.config import load_settings

    return build_server(load_settings()).app
