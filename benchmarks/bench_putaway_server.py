"""Put-away suggestion time through the server's use case, per case of a 1,000-case notice.

The demo warehouse (2,400 locations; its reserve level holds one pallet each), each of 300
products with a pick face (at most 60 units), a third of the reserve locations already
holding stock, 1,000 plates on the dock; each suggestion locks the
candidate rows, reads their contents and the live reservations, runs the rules and writes its
reservations, committed, on SQLite and on PostgreSQL. The baseline, in the same process and
on the same database: lock the plate, take the first empty reserve location nobody reserved
(one query), reserve it, commit.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from toteflow.central import bootstrap
from toteflow.central.services.putaway import PutawayService, Receipt
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import tables as t
from toteflow.config import load_settings
from toteflow.contracts import catalogue as cat
from toteflow.contracts import putaway as pa
from toteflow.domain.actor import SYSTEM
from toteflow.shared.layout_file import load_layout

PG_URL = os.environ.get("TOTEFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
LAYOUT_FILE = Path(__file__).resolve().parents[1] / "config" / "warehouse.toml"
CASES = 1_000
SKUS = 300


def _seed(engine: Engine, rng: random.Random) -> tuple[PutawayService, list[str]]:
    """The layout, products, half the reserve level stocked, CASES plates on the dock."""
    services = bootstrap.build_services(engine, load_settings(environ={}))
    layout = load_layout(LAYOUT_FILE)
    locations = [
        cat.LocationCreate(
            code=s.code,
            zone=s.zone,
            aisle=s.aisle,
            bay=s.bay,
            level=s.level,
            kind=s.kind,
            x=s.x,
            y=s.y,
            **asdict(s.storage),
        )
        for s in layout.iter_locations()
    ]
    locations += [
        cat.LocationCreate(code="DOCK-01", kind="dock"),
        cat.LocationCreate(code="DOCK-02", kind="dock", x=40.0),
    ]
    zones = [
        cat.ZoneCreate(name=z.name, first_aisle=z.first_aisle, last_aisle=z.last_aisle)
        for z in layout.zones
    ]
    services.catalogue.apply_layout(SYSTEM, zones, locations)
    services.catalogue.add_products(
        SYSTEM,
        [
            cat.ProductCreate(
                sku=f"SKU-{n:03d}",
                description=f"Case good {n}",
                velocity=rng.choice(["A", "B", "C"]),
                units=[
                    cat.ProductUnitIn(
                        barcode=f"BC-{n:05d}",
                        length_mm=400,
                        width_mm=300,
                        height_mm=200,
                        weight_g=5_000,
                    )
                ],
            )
            for n in range(SKUS)
        ],
    )
    faces = [loc.code for loc in locations if loc.kind == "pick_face"]
    for n, code in enumerate(rng.sample(faces, SKUS)):
        services.catalogue.set_location_storage(
            SYSTEM, code, cat.LocationStorageUpdate(home_sku=f"SKU-{n:03d}", max_quantity=60)
        )
    reserve = [loc.code for loc in locations if loc.kind == "reserve"]
    services.catalogue.adjust_many(
        SYSTEM,
        [
            cat.StockAdjustment(
                location=code,
                sku=f"SKU-{rng.randrange(SKUS):03d}",
                delta=rng.randint(5, 40),
                reason="found",
            )
            for code in rng.sample(reserve, len(reserve) // 3)
        ],
    )
    putaway = services.putaway
    plates = [
        putaway.receive_to_plate(
            SYSTEM,
            Receipt(
                f"SKU-{rng.randrange(SKUS):03d}",
                rng.randint(4, 48),
                rng.choice(["DOCK-01", "DOCK-02"]),
            ),
        ).code
        for _ in range(CASES)
    ]
    return putaway, plates


def _baseline(engine: Engine) -> Callable[[str], None]:
    """First empty, unreserved reserve location, reserved: the least a suggestion can do."""
    loc, s, r, pl = (
        t.cols(t.Location),
        t.cols(t.Stock),
        t.cols(pt.LocationReservation),
        t.cols(pt.Plate),
    )

    def suggest(code: str) -> None:
        now = datetime.now(UTC)
        with engine.begin() as connection:
            plate = connection.execute(
                sa.select(pl.id).where(pl.code == code).with_for_update()
            ).scalar_one()
            stocked = sa.select(s.id).where(s.location_id == loc.id, s.quantity > 0).exists()
            held = sa.select(r.id).where(r.location_id == loc.id, r.expires_at > now).exists()
            free = connection.execute(
                sa.select(loc.id)
                .where(loc.kind == "reserve", ~stocked, ~held)
                .order_by(loc.id)
                .limit(1)
                .with_for_update()
            ).scalar()
            if free is not None:
                connection.execute(
                    sa.insert(t.table(pt.LocationReservation)).values(
                        plate_id=plate,
                        location_id=free,
                        quantity=1,
                        volume_mm3=0,
                        weight_g=0,
                        expires_at=now + timedelta(minutes=15),
                        created_at=now,
                    )
                )

    return suggest


def _timed(work: Callable[[str], object], plates: list[str]) -> list[float]:
    times = []
    for plate in plates:
        started = time.perf_counter()
        work(plate)
        times.append(1000 * (time.perf_counter() - started))
    return sorted(times)


def _p(times: list[float], share: float) -> float:
    return times[min(len(times) - 1, int(share * len(times)))]


def _measure(name: str, engine: Engine) -> None:
    rng = random.Random("putaway-server")
    started = time.perf_counter()
    putaway, plates = _seed(engine, rng)
    seeded = time.perf_counter() - started
    base = _timed(_baseline(engine), plates)
    # The baseline's reservations would keep the suggestions out: drop them first.
    with engine.begin() as connection:
        connection.execute(sa.delete(t.table(pt.LocationReservation)))
    placed = 0

    def directed(code: str) -> None:
        nonlocal placed
        advice = putaway.suggest(SYSTEM, pa.SuggestRequest(plate=code))
        placed += advice.unplaced == 0

    rules = _timed(directed, plates)
    print(f"{name}: seeded in {seeded:.1f} s; ms per case (wall clock)")
    for label, times in (
        ("  baseline: first empty, reserved", base),
        ("  directed suggestion, reserved", rules),
    ):
        print(f"{label:<36} p50 {_p(times, 0.5):8.2f}  p99 {_p(times, 0.99):8.2f}")
    print(
        f"  ratio p50 {_p(rules, 0.5) / _p(base, 0.5):.1f}x, p99 "
        f"{_p(rules, 0.99) / _p(base, 0.99):.1f}x; {placed} of {len(plates)} cases wholly placed"
    )


@contextmanager
def _postgres() -> Iterator[Engine]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = bootstrap.open_database(PG_URL, schema=schema)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run() -> None:
    print(
        f"{CASES:,} cases of a notice, each suggested through the put-away use case against "
        "the demo warehouse (2,400 locations), each reserving its space for the next"
    )
    with tempfile.TemporaryDirectory() as folder:
        engine = bootstrap.open_database(f"sqlite:///{folder}/bench.db")
        try:
            _measure("SQLite", engine)
        finally:
            engine.dispose()
    try:
        context = _postgres()
        engine = context.__enter__()
    except Exception as exc:
        print(f"PostgreSQL at {PG_URL} not reachable ({type(exc).__name__}): skipped")
        return
    try:
        _measure("PostgreSQL", engine)
    finally:
        context.__exit__(None, None, None)
