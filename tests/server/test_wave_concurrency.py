"""Supervisors releasing overlapping waves at once never reserve the same unit twice."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from tests.conftest import Database
from tests.support.wave_floor import (
    add_locations,
    add_orders,
    add_product,
    add_stock,
    check_reservations,
    order,
    rows,
)
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.central.store import tables as t
from toteflow.central.store.wave_pool_repo import SqlWavePoolRepo
from toteflow.config import Settings
from toteflow.contracts import waves as wv
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict, Refused
from toteflow.domain.roles import Role

SKUS = [f"SKU-{n}" for n in range(1, 9)]
FACES = [
    "03-004-1",
    "06-015-1",
    "09-022-1",
    "13-031-1",
    "16-008-1",
    "18-036-1",
    "20-012-1",
    "11-020-1",
]
RESERVE = ["03-004-3", "09-022-3", "16-008-3", "20-012-3"]


@pytest.fixture
def parts(settings: Settings, database: Database) -> Iterator[ServerParts]:
    built = build_server(settings, schema=database.schema)
    services = built.services
    add_locations(services, FACES + RESERVE)
    for n, sku in enumerate(SKUS):
        add_product(services, sku)
        # Scarce on purpose: the orders below want about twice what there is.
        add_stock(services, FACES[n], sku, 6)
        add_stock(services, RESERVE[n % len(RESERVE)], sku, 4, received_ago=30)
    yield built
    built.engine.dispose()


def new_orders(parts: ServerParts, rng: random.Random, prefix: str, count: int) -> None:
    add_orders(
        parts.services,
        [
            order(
                f"{prefix}-{n}",
                [(sku, rng.randint(1, 3)) for sku in rng.sample(SKUS, rng.randint(1, 3))],
                carrier=rng.choice(["UPS", "FEDEX"]),
                service="GROUND",
                priority=rng.choice([3, 5]),
            )
            for n in range(count)
        ],
    )


def release_together(parts: ServerParts, filters: list[wv.WaveFilters]) -> list[BaseException]:
    """Each supervisor in a thread of their own: create, then all release at the same moment."""
    waves, releases = parts.services.waves, parts.services.wave_release
    bosses = [Actor(None, None, Role.SUPERVISOR, f"supervisor {n}") for n in range(len(filters))]
    created = [
        waves.create(boss, wv.WaveCreate(filters=f, strategy="cart"))
        for boss, f in zip(bosses, filters, strict=True)
    ]
    start = threading.Barrier(len(filters))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(boss: Actor, wave: wv.Wave) -> None:
        start.wait()
        try:
            releases.release(boss, wave.id)
        except Refused as refusal:
            # Fine only when the other supervisor left this one nothing at all.
            if "nothing to release" not in str(refusal):
                with lock:
                    errors.append(refusal)
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(boss, wave))
        for boss, wave in zip(bosses, created, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def check_floor(parts: ServerParts) -> None:
    engine = parts.engine
    check_reservations(engine)
    tc, task, ol, tl, o = (
        t.cols(t.TaskContainer),
        t.cols(t.Task),
        t.cols(t.OrderLine),
        t.cols(t.TaskLine),
        t.cols(t.Order),
    )
    # Every order in one wave at most.
    waves_per_order = rows(
        engine,
        sa.select(tc.order_id, sa.func.count(sa.distinct(task.wave_id)).label("waves"))
        .join(t.table(t.Task), task.id == tc.task_id)
        .group_by(tc.order_id),
    )
    assert all(r.waves == 1 for r in waves_per_order)
    # Each order line's allocation is what its task lines carry, never above its quantity.
    carried = {
        r.order_line_id: int(r.units)
        for r in rows(
            engine,
            sa.select(tl.order_line_id, sa.func.sum(tl.quantity).label("units")).group_by(
                tl.order_line_id
            ),
        )
    }
    for r in rows(engine, sa.select(ol.id, ol.quantity, ol.allocated)):
        assert r.allocated == carried.get(r.id, 0) <= r.quantity
    in_waves = {r.order_id for r in waves_per_order}
    for r in rows(engine, sa.select(o.id, o.status)):
        assert (r.status == "released") == (r.id in in_waves)


def test_overlapping_waves_released_at_once(parts: ServerParts) -> None:
    rng = random.Random(7)
    new_orders(parts, rng, "A", 40)
    # Round one: both waves want the same orders (UPS ones, and everything).
    errors = release_together(
        parts, [wv.WaveFilters(carrier="UPS"), wv.WaveFilters(priorities=[3, 5])]
    )
    assert errors == []
    check_floor(parts)
    new_orders(parts, rng, "B", 40)
    # Round two: different orders, the same scarce stock.
    errors = release_together(
        parts, [wv.WaveFilters(carrier="UPS"), wv.WaveFilters(carrier="FEDEX")]
    )
    assert errors == []
    check_floor(parts)
    # Round three: four supervisors at once.
    new_orders(parts, rng, "C", 60)
    errors = release_together(
        parts,
        [
            wv.WaveFilters(carrier="UPS", priorities=[3]),
            wv.WaveFilters(carrier="UPS"),
            wv.WaveFilters(priorities=[5]),
            wv.WaveFilters(),
        ],
    )
    assert errors == []
    check_floor(parts)


def test_the_conditional_update_refuses_units_that_are_not_free(parts: ServerParts) -> None:
    s = t.cols(t.Stock)
    with Session(parts.engine) as session:
        stock_id, free = session.execute(
            sa.select(s.id, s.quantity - s.reserved).order_by(s.id).limit(1)
        ).one()
        repo = SqlWavePoolRepo(session)
        with pytest.raises(Conflict, match="no longer had the units"):
            repo.reserve({stock_id: free + 1})
        session.rollback()
        repo.reserve({stock_id: free})
        session.commit()
    with parts.engine.connect() as connection:
        reserved = connection.execute(sa.select(s.reserved).where(s.id == stock_id)).scalar_one()
    assert reserved == free
