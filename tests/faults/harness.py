"""Fault-test plumbing: a real server process, a seeded floor, station folders, the final checks."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.support.floor import Work, released_task
from toteflow.central import bootstrap
from toteflow.central.store import tables as t
from toteflow.config import StationSettings, load_settings
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.contracts.tasks import Task
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.roles import Role
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.ports.store import OutboxEvent, SyncStatus
from toteflow.station.server_client.client import make_http_client
from toteflow.station.services.events import StationView
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

REPO = Path(__file__).resolve().parents[2]
# Generous: a loaded 2-core machine running two test workers starts Python slowly.
START_DEADLINE = 180.0
DRAIN_DEADLINE = 240.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(
    condition: Callable[[], bool], *, deadline: float, what: str, every: float = 0.05
) -> None:
    """Poll `condition` until true; fail naming `what` after `deadline` s (bounded, not timed)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(every)
    if condition():
        return
    pytest.fail(f"{what}: not within {deadline:.0f} s")


@dataclass(frozen=True)
class ServerDb:
    """The server's database: the URL the server process is given, and the test's own engine."""

    kind: str
    process_url: str
    url: str
    schema: str | None

    def engine(self) -> Engine:
        return bootstrap.open_database(self.url, schema=self.schema)


class ServerProcess:
    """`python -m toteflow server` on a loopback port; killed with SIGKILL when asked."""

    def __init__(self, db: ServerDb, folder: Path, *, port: int | None = None) -> None:
        self.db = db
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"server-{self.starts}.log"

    def start(self) -> ServerProcess:
        self.starts += 1
        # A file, not a pipe: uvicorn logs every request, and a pipe nobody reads would fill
        # up and stall the server.
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "toteflow",
                    "server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--database-url",
                    self.db.process_url,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        process = self.process
        assert process is not None

        def healthy() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the server exited early:\n{self.tail()}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, deadline=START_DEADLINE, what="the server to answer /healthz", every=0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, open transactions die with the process."""
        process = self.process
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=60)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass(frozen=True)
class Floor:
    """One picker at one station holding one task with one large line (thousands of picks)."""

    token: str
    station_id: int
    user_id: int
    work: Work
    task: Task
    quantity: int

    @property
    def line_id(self) -> int:
        return self.task.lines[0].id


def seed_floor(engine: Engine, n: int, *, quantity: int = 100_000) -> Floor:
    """Station `n` with its picker, and a task assigned to them there (straight in the DB)."""
    services = bootstrap.build_services(engine, load_settings(environ={}))
    user = services.people.add_user(
        SYSTEM,
        UserCreate(name=f"Fault picker {n}", badge=f"F{n:05d}", pin="1234", role=Role.PICKER),
    )
    registered = services.people.register_station(SYSTEM, StationCreate(name=f"fault-{n:02d}"))
    work = released_task(
        engine,
        reference=f"SO-F{n}",
        sku="SKU-FAULT",
        location=f"02-{n + 1:03d}-1",
        on_hand=quantity,
        quantity=quantity,
    )
    # Assigned before the next floor is seeded: the only ready task is this one.
    task = services.tasks.next(Actor(user.id, registered.station.id, Role.PICKER))
    assert task is not None
    assert task.id == work.task_id
    return Floor(registered.token, registered.station.id, user.id, work, task, quantity)


def station_settings(folder: Path) -> StationSettings:
    return StationSettings(data_dir=str(folder), sync_interval_seconds=0.5)


def register_station(folder: Path, floor: Floor, server_url: str) -> None:
    """Register through the store API (as `station-setup register` does) and keep the task."""
    settings = station_settings(folder)
    asyncio.run(station_bootstrap.register_with_token(settings, server_url, floor.token))
    _path, engine = station_bootstrap.open_station_store(settings)
    try:
        StationView(SqlStationUnitOfWorkFactory(engine)).store_task(floor.task)
    finally:
        engine.dispose()


def station_events(folder: Path) -> list[OutboxEvent]:
    _path, engine = station_bootstrap.open_station_store(station_settings(folder))
    try:
        with SqlStationUnitOfWorkFactory(engine)() as unit:
            return unit.outbox.after(0, 10_000_000)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Ack:
    """A scan the station acknowledged (its FloorActions call returned)."""

    id: UUID
    quantity: int


@dataclass
class Figures:
    """The closing figures of a fault run."""

    kills: int
    acknowledged: int
    lost: int
    applied_twice: int
    committed: int
    notes: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{self.kills} kills, {self.acknowledged} events acknowledged, "
            f"{self.lost} lost, {self.applied_twice} applied twice"
        )


@dataclass(frozen=True)
class ServerView:
    applied: list[tuple[int, str, str]]  # (seq, event id, status) in seq order
    audit: Counter[str]  # rows per event id for the event's own action
    last_seq: int
    stock: tuple[int, int]
    line_picked: int
    order_line_picked: int


def server_view(engine: Engine, floor: Floor) -> ServerView:
    applied_event, audit = t.cols(t.AppliedEvent), t.cols(t.AuditEntry)
    with engine.connect() as connection:
        applied = [
            (row.seq, row.event_id, row.status)
            for row in connection.execute(
                sa.select(applied_event.seq, applied_event.event_id, applied_event.status)
                .where(applied_event.station_id == floor.station_id)
                .order_by(applied_event.seq, applied_event.event_id)
            )
        ]
        audited: Counter[str] = Counter(
            connection.execute(
                sa.select(audit.event_id).where(
                    audit.station_id == floor.station_id,
                    audit.action == "pick.confirmed",
                    audit.event_id.is_not(None),
                )
            )
            .scalars()
            .all()
        )
        last_seq = connection.execute(
            sa.select(t.cols(t.Station).last_seq).where(t.cols(t.Station).id == floor.station_id)
        ).scalar_one()
        stock = connection.execute(
            sa.select(t.cols(t.Stock).quantity, t.cols(t.Stock).reserved).where(
                t.cols(t.Stock).id == floor.work.stock_id
            )
        ).one()
        line_picked = connection.execute(
            sa.select(t.cols(t.TaskLine).picked).where(t.cols(t.TaskLine).id == floor.line_id)
        ).scalar_one()
        order_line_picked = connection.execute(
            sa.select(t.cols(t.OrderLine).picked)
            .select_from(t.table(t.TaskLine))
            .join(
                t.table(t.OrderLine),
                t.cols(t.OrderLine).id == t.cols(t.TaskLine).order_line_id,
            )
            .where(t.cols(t.TaskLine).id == floor.line_id)
        ).scalar_one()
    return ServerView(
        applied,
        audited,
        int(last_seq),
        (int(stock.quantity), int(stock.reserved)),
        int(line_picked),
        int(order_line_picked),
    )


def check_exactly_once(
    engine: Engine,
    floor: Floor,
    folder: Path,
    acknowledged: dict[int, Ack],
    *,
    kills: int = 0,
) -> Figures:
    """Every event the station holds is on the server once, under its id; stock adds up.

    `acknowledged` has every scan the picker was told was recorded, by seq.
    """
    events = station_events(folder)
    seqs = [e.seq for e in events]
    assert seqs == list(range(1, len(events) + 1)), "the station's numbering has a gap"
    pending = [e.seq for e in events if e.state != "acked"]
    assert not pending, f"the outbox did not drain: {len(pending)} waiting, from {pending[:5]}"
    by_seq = {e.seq: e for e in events}
    # Lost: the picker heard the good-scan signal but the station no longer has the event.
    lost_locally = [
        s
        for s, ack in acknowledged.items()
        if s not in by_seq
        or by_seq[s].id != ack.id
        or by_seq[s].payload.get("quantity") != ack.quantity
    ]

    server = server_view(engine, floor)
    on_server = {seq: event_id for seq, event_id, _status in server.applied}
    lost = sorted(
        {*lost_locally, *(s for s, a in acknowledged.items() if on_server.get(s) != str(a.id))}
    )
    twice_by_id = [i for i, n in Counter(i for _s, i, _st in server.applied).items() if n > 1]
    twice_by_audit = [i for i, n in server.audit.items() if n > 1]
    applied_twice = len({*twice_by_id, *twice_by_audit})
    figures = Figures(
        kills=kills,
        acknowledged=len(acknowledged),
        lost=len(lost),
        applied_twice=applied_twice,
        committed=len(events),
        notes={
            "committed, not acknowledged": len(events) - len(acknowledged),
            "answered as duplicates": sum(e.status == "duplicate" for e in events),
        },
    )
    assert not lost, f"{figures.line()}: lost seqs {lost[:10]}"
    assert not applied_twice, f"{figures.line()}: applied twice {twice_by_id[:5]}"
    # The server holds exactly the station's events, in its order, each applied.
    assert [(s, i) for s, i, _st in server.applied] == [(e.seq, str(e.id)) for e in events]
    assert {st for _s, _i, st in server.applied} <= {"applied"}, Counter(
        st for _s, _i, st in server.applied
    )
    assert server.last_seq == len(events)
    assert all(e.status == "applied" or e.result.get("outcome") == "applied" for e in events), (
        Counter((e.status, e.result.get("outcome")) for e in events)
    )
    picks = [e for e in events if e.type == "pick.confirmed"]
    assert sorted(server.audit) == sorted(str(e.id) for e in picks)
    total = sum(int(e.payload["quantity"]) for e in picks)
    quantity = floor.quantity
    assert server.stock == (quantity - total, quantity - total), (server.stock, total)
    assert server.line_picked == total
    assert server.order_line_picked == total
    return figures


class LiveStation:
    """A station in the test's process: its store, floor actions and a sync worker thread."""

    def __init__(
        self, folder: Path, floor: Floor, *, timeout: float = 3.0, batch_size: int = 500
    ) -> None:
        self.folder = folder
        self.floor = floor
        # A short HTTP timeout: a request whose answer is lost is given up (and retried) soon.
        self.parts = station_bootstrap.build_station(
            station_settings(folder), http=make_http_client(timeout=timeout)
        )
        self.parts.worker.close_http = True
        self.parts.worker.batch_size = batch_size
        self.acknowledged: dict[int, Ack] = {}
        self.states: list[str] = []
        self.parts.worker.subscribe(self._seen)
        self.thread: threading.Thread | None = None
        self.rng = random.Random(floor.station_id)

    def _seen(self, status: SyncStatus) -> None:
        if not self.states or self.states[-1] != status.state:
            self.states.append(status.state)

    def start(self) -> LiveStation:
        self.thread = threading.Thread(
            target=self.parts.worker.run_forever, name="sync", daemon=True
        )
        self.thread.start()
        return self

    def pick(self, n: int = 1, *, pause: float = 0.0) -> None:
        """`n` scans, each acknowledged when its FloorActions call returns."""
        for _ in range(n):
            quantity = self.rng.randint(1, 3)
            event = self.parts.floor.confirm_pick(self.floor.user_id, self.floor.line_id, quantity)
            self.acknowledged[event.seq] = Ack(event.id, quantity)
            if pause:
                time.sleep(self.rng.uniform(0, pause))

    @property
    def view(self) -> StationView:
        return self.parts.view

    @property
    def status(self) -> SyncStatus:
        return self.parts.worker.status

    def drained(self) -> bool:
        status = self.status
        return status.state == "online" and status.waiting == 0 and self.view.events_waiting() == 0

    def wait_drained(self, what: str = "the outbox to drain") -> None:
        wait_for(self.drained, deadline=DRAIN_DEADLINE, what=f"{what} (status {self.status})")

    def close(self) -> None:
        self.parts.worker.stop()
        if self.thread is not None:
            self.thread.join(timeout=60)
            assert not self.thread.is_alive(), "the sync worker did not stop"
        self.parts.engine.dispose()


def assign_another_task(engine: Engine, floor: Floor, reference: str) -> int:
    """A new task for the same picker at the same station: it reaches the station by the feed."""
    services = bootstrap.build_services(engine, load_settings(environ={}))
    work = released_task(
        engine,
        reference=reference,
        sku="SKU-FAULT",
        location=f"03-{floor.station_id:03d}-1",
        on_hand=5,
        quantity=5,
    )
    task = services.tasks.next(Actor(floor.user_id, floor.station_id, Role.PICKER))
    assert task is not None
    assert task.id == work.task_id
    return task.id


def server_last_seq(engine: Engine, station_id: int) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(t.cols(t.Station).last_seq).where(t.cols(t.Station).id == station_id)
            ).scalar_one()
        )
