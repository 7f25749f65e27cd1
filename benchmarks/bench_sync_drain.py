"""Station backlog drain: 10,000 events recorded offline, pushed by the sync worker to a server."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from benchmarks.bench_ingest import Target, ingest, server
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import record
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

BACKLOG = 10_000
TARGET_SECONDS = 5.0


def _station(folder: Path, target: Target) -> tuple[sa.Engine, SqlStationUnitOfWorkFactory]:
    engine = open_store(folder / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    station_setup.register(
        uow,
        station_id=target.station_id,
        name="bench",
        server_url=target.base,
        token=target.token,
        server_last_seq=0,
    )
    # The backlog a station builds up offline: one real pick of one unit per event.
    with uow() as unit:
        for _ in range(BACKLOG):
            record(
                unit, None, "pick.confirmed", {"task_line_id": target.task_line_id, "quantity": 1}
            )
        unit.commit()
    return engine, uow


async def _drain(uow: SqlStationUnitOfWorkFactory) -> tuple[float, str, int]:
    async with httpx.AsyncClient(timeout=60) as http:
        worker = SyncWorker(uow, http, batch_size=500)
        started = time.perf_counter()
        await worker.sync_once()
        elapsed = time.perf_counter() - started
        return elapsed, worker.status.state, worker.status.waiting


def drain(kind: str) -> None:
    with server(kind) as target, tempfile.TemporaryDirectory() as folder:
        engine, uow = _station(Path(folder), target)
        try:
            elapsed, state, waiting = asyncio.run(_drain(uow))
            if waiting or state != "online":
                raise RuntimeError(f"drain incomplete: {state}, {waiting} waiting")
            with uow() as unit:
                answers = {e.status for e in unit.outbox.after(0, BACKLOG + 1)}
            if answers != {"applied"}:
                raise RuntimeError(f"unexpected answers: {answers}")
        finally:
            engine.dispose()
        # Baseline in the same process and on the same server: the same number of events
        # pushed raw in batches of 500, without the station's store around them.
        raw_rate = ingest(target, 500, BACKLOG, first_seq=BACKLOG + 1)
        raw_seconds = BACKLOG / raw_rate
        verdict = "ok" if elapsed < TARGET_SECONDS else "SLOWER THAN TARGET"
        print(
            f"{kind:<10} {elapsed:>8.2f} s {BACKLOG / elapsed:>10.0f} {raw_seconds:>10.2f} s "
            f"{elapsed / raw_seconds:>8.2f}x  {verdict}"
        )


def run() -> None:
    print(
        f"{'database':<10} {'drain':>10} {'events/s':>10} {'raw push':>12} {'ratio':>9}"
        f"  ({BACKLOG} events, batches of 500)"
    )
    for kind in ("sqlite", "postgres"):
        try:
            drain(kind)
        except sa.exc.OperationalError as exc:
            print(f"{kind}: not measured ({exc.__class__.__name__})")
    print(f"target: a {BACKLOG}-event backlog drained in under {TARGET_SECONDS:.0f} s")
