"""Server ingest: station events per second through the real HTTP API, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from toteflow.central import bootstrap
from toteflow.central.store import tables as t
from toteflow.config import load_settings
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM

PG_URL = os.environ.get("TOTEFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_PG_BATCH_100 = 5000.0


@dataclass
class Target:
    base: str
    token: str
    station_id: int
    task_line_id: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _seed(url: str, schema: str | None) -> tuple[str, int, int]:
    """A station, and one huge task line so that every event is a real pick of one unit."""
    engine = bootstrap.open_database(url, schema=schema)
    services = bootstrap.build_services(engine, load_settings(environ={}))
    station = services.people.register_station(SYSTEM, StationCreate(name="bench"))
    with Session(engine) as session:
        location = t.Location(code="01-001-1", aisle=1, bay=1, level=1)
        product = t.Product(sku="BENCH-1", description="Bench item")
        session.add_all([location, product])
        session.flush()
        stock = t.Stock(
            location_id=location.id, product_id=product.id, quantity=10**8, reserved=10**7
        )
        order = t.Order(
            reference="BENCH",
            customer_name="Bench",
            ship_name="Bench",
            ship_line1="1 Bench St",
            ship_city="Bench",
            ship_postal_code="1",
            ship_country="US",
            carrier="UPS",
            service="GROUND",
            ship_by=date(2030, 1, 1),
            status="released",
        )
        session.add_all([stock, order])
        session.flush()
        line = t.OrderLine(
            order_id=order.id, line_no=1, product_id=product.id, quantity=10**7, allocated=10**7
        )
        task = t.Task(status="in_progress")
        session.add_all([line, task])
        session.flush()
        task_line = t.TaskLine(
            task_id=task.id,
            stop_no=1,
            order_line_id=line.id,
            stock_id=stock.id,
            location_id=location.id,
            product_id=product.id,
            quantity=10**7,
        )
        session.add(task_line)
        session.commit()
        assert task_line.id is not None
        line_id = task_line.id
    engine.dispose()
    return station.token, station.station.id, line_id


@contextmanager
def server(kind: str) -> Iterator[Target]:
    with tempfile.TemporaryDirectory() as folder:
        schema = None
        if kind == "sqlite":
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            served = url
        else:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            url = PG_URL
            served = f"{PG_URL}?options=-csearch_path%3D{schema}"
        try:
            token, station_id, line_id = _seed(url, schema)
            port = _free_port()
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "toteflow",
                    "server",
                    "--port",
                    str(port),
                    "--database-url",
                    served,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                _wait(base)
                yield Target(base, token, station_id, line_id)
            finally:
                process.terminate()
                process.wait(timeout=10)
        finally:
            if schema:
                with admin.connect() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


def _wait(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the benchmark server did not start")


def ingest(target: Target, batch: int, events: int, first_seq: int) -> float:
    """Events per second pushing `events` picks in batches of `batch`.

    The bodies are made and encoded before the clock starts, as a station's outbox holds its
    events ready: the figure is the server's (HTTP, validation, the database), not this
    script's JSON encoding.
    """
    headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json"}
    now = datetime.now(UTC).isoformat()
    bodies = [
        json.dumps(
            {
                "station_id": target.station_id,
                "events": [
                    {
                        "id": str(uuid.uuid4()),
                        "seq": seq + n,
                        "user_id": None,
                        "type": "pick.confirmed",
                        "payload": {"task_line_id": target.task_line_id, "quantity": 1},
                        "station_time": now,
                    }
                    for n in range(batch)
                ],
            }
        ).encode()
        for seq in range(first_seq, first_seq + events // batch * batch, batch)
    ]
    with httpx.Client(base_url=target.base, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for body in bodies:
            reply = client.post("/api/v1/sync/push", content=body)
            reply.raise_for_status()
            results = reply.json()["results"]
            if len(results) != batch or any(r["status"] != "applied" for r in results):
                raise RuntimeError(f"unexpected results: {results[:2]}")
        elapsed = time.perf_counter() - started
    return len(bodies) * batch / elapsed


def healthz_rate(target: Target, requests: int = 300) -> float:
    """Baseline: bare HTTP round trips per second to the same server."""
    with httpx.Client(base_url=target.base) as client:
        started = time.perf_counter()
        for _ in range(requests):
            client.get("/healthz")
        return requests / (time.perf_counter() - started)


# (batch, events measured): enough requests at each size that one slow fsync or a neighbour's
# burst on this shared machine moves the figure by a few per cent, not by a third.
PLAN = ((1, 500), (10, 4000), (100, 20000))
# Pushes of each size sent first and not counted: the server's statement caches (and
# PostgreSQL's prepared statements, made after a few runs of the same query) fill per size,
# as on a server that has been running.
WARM_UP_PUSHES = 10


def run() -> None:
    print(f"{'database':<10} {'batch':>5} {'events/s':>10} {'vs /healthz req/s':>18}")
    for kind in ("sqlite", "postgres"):
        try:
            with server(kind) as target:
                baseline = healthz_rate(target)
                seq = 1
                for batch, events in PLAN:
                    ingest(target, batch, WARM_UP_PUSHES * batch, seq)
                    seq += WARM_UP_PUSHES * batch
                    rate = ingest(target, batch, events, seq)
                    seq += events
                    print(f"{kind:<10} {batch:>5} {rate:>10.0f} {rate / baseline:>17.1f}x")
                print(
                    f"{kind:<10} {'(baseline: /healthz ' + format(baseline, '.0f') + ' req/s)':>36}"
                )
        except sa.exc.OperationalError as exc:
            print(f"{kind}: not measured ({exc.__class__.__name__})")
    print(f"target: >= {TARGET_PG_BATCH_100:.0f} events/s with batches of 100 on PostgreSQL")
