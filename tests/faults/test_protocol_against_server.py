"""Stateful property test of the whole protocol against the real server app, faulty delivery."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.faults.harness import Floor, seed_floor, server_view
from tests.server.conftest import Site
from toteflow.central.store import tables as t
from toteflow.station.server_client.client import SyncError
from toteflow.station.server_client.worker import Backoff, SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions, StationView, record
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

SERVER = "http://toteflow.test"
PUSH = "/api/v1/sync/push"
# What the next requests meet: "drop" (never reaches the server), "lost_reply" (the server
# commits, the answer is lost), "duplicate" (the server gets the push twice), "stale" (the
# push is held in the network and delivered later, after newer ones), "ok".
FAULTS = st.lists(st.sampled_from(["drop", "lost_reply", "duplicate", "stale", "ok"]), max_size=4)
BASE = datetime(2026, 6, 1, 12, tzinfo=UTC)


class FaultyNetwork(httpx.AsyncBaseTransport):
    """The server app behind a network that loses, repeats and delays requests on cue."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.faults: list[str] = []
        self.stale: list[httpx.Request] = []
        self.seen: Counter[str] = Counter()

    @staticmethod
    def copy(request: httpx.Request) -> httpx.Request:
        return httpx.Request(
            request.method, request.url, headers=request.headers, content=request.content
        )

    async def deliver(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.pop(0) if self.faults else "ok"
        push = request.url.path == PUSH
        if fault in ("duplicate", "stale") and not push:
            fault = "ok"
        self.seen[fault] += 1
        if fault == "drop":
            raise httpx.ConnectError("network cut", request=request)
        if fault == "stale":
            self.stale.append(self.copy(request))
            raise httpx.ReadTimeout("held somewhere in the network", request=request)
        if fault == "duplicate":
            await self.deliver(self.copy(request))
        response = await self.deliver(request)
        if fault == "lost_reply":
            raise httpx.ReadError("connection reset after the server answered", request=request)
        return response


def protocol_machine(site: Site, folder: Path) -> type[RuleBasedStateMachine]:
    floors = itertools.count(1)
    engine = site.parts.engine

    class Protocol(RuleBasedStateMachine):
        """Invariants: the server holds a prefix of the station's events, once each, and stock
        agrees with exactly the picks and undos it holds."""

        def __init__(self) -> None:
            super().__init__()
            self.floor: Floor = seed_floor(engine, next(floors), quantity=100_000)
            self.folder = Path(tempfile.mkdtemp(prefix="protocol-", dir=folder))
            self.network = FaultyNetwork(httpx.ASGITransport(app=site.parts.app))
            self._open()
            station_setup.register(
                self.uow,
                station_id=self.floor.station_id,
                name="p",
                server_url=SERVER,
                token=self.floor.token,
                server_last_seq=0,
            )
            StationView(self.uow).store_task(self.floor.task)
            self.acknowledged: dict[int, UUID] = {}
            self.picks: list[UUID] = []
            self.undone: set[UUID] = set()

        def _open(self) -> None:
            self.engine = open_store(self.folder / "station.db")
            self.uow = SqlStationUnitOfWorkFactory(self.engine)

        def teardown(self) -> None:
            try:
                self._sync([], batch_size=500)
                self.drained()
            finally:
                self.engine.dispose()
                shutil.rmtree(self.folder, ignore_errors=True)

        def _sync(self, faults: list[str], batch_size: int) -> None:
            self.network.faults = list(faults)

            async def once() -> None:
                async with httpx.AsyncClient(transport=self.network) as http:
                    worker = SyncWorker(self.uow, http, batch_size=batch_size, backoff=Backoff())
                    # A failed round is fine: the next one retries.
                    with contextlib.suppress(SyncError):
                        await worker.sync_once()

            asyncio.run(once())

        @rule(n=st.integers(1, 6), skew=st.sampled_from([-1, 0, 1]))
        def scan(self, n: int, skew: int) -> None:
            # Station clocks a day apart: ordering must come from sequence numbers alone.
            floor = FloorActions(self.uow, clock=lambda: BASE + timedelta(days=skew))
            for k in range(n):
                event = floor.confirm_pick(self.floor.user_id, self.floor.line_id, 1 + k % 3)
                self.acknowledged[event.seq] = event.id
                self.picks.append(event.id)

        @precondition(lambda self: len(self.picks) > len(self.undone))
        @rule(data=st.data())
        def undo(self, data: st.DataObject) -> None:
            undoable = [p for p in self.picks if p not in self.undone]
            target = data.draw(st.sampled_from(undoable))
            event = FloorActions(self.uow).undo_pick(self.floor.user_id, target)
            self.acknowledged[event.seq] = event.id
            self.undone.add(target)

        @rule()
        def crash_mid_scan(self) -> None:
            # The process dies before commit: no good-scan signal, and nothing is kept.
            with self.uow() as unit:
                record(
                    unit,
                    self.floor.user_id,
                    "pick.confirmed",
                    {"task_line_id": self.floor.line_id, "quantity": 1},
                )

        @rule(faults=FAULTS, batch_size=st.integers(1, 7))
        def sync(self, faults: list[str], batch_size: int) -> None:
            self._sync(faults, batch_size)

        @precondition(lambda self: bool(self.network.stale))
        @rule(data=st.data())
        def stale_push_arrives(self, data: st.DataObject) -> None:
            stale = self.network.stale.pop(data.draw(st.integers(0, len(self.network.stale) - 1)))
            response = asyncio.run(self.network.deliver(stale))
            assert response.status_code == 200, response.text

        @rule()
        def restart(self) -> None:
            self.engine.dispose()
            self._open()

        def station_events(self) -> list[tuple[int, str, str, int]]:
            with self.uow() as unit:
                events = unit.outbox.after(0, 1_000_000)
            return [(e.seq, str(e.id), e.type, int(e.payload["quantity"])) for e in events]

        @invariant()
        def the_server_holds_a_prefix_once_and_stock_agrees(self) -> None:
            events = self.station_events()
            server = server_view(engine, self.floor)
            held = [(seq, event_id) for seq, event_id, _status in server.applied]
            assert held == [(seq, event_id) for seq, event_id, _t, _q in events[: len(held)]]
            assert {status for _s, _i, status in server.applied} <= {"applied"}
            assert server.last_seq == len(held)
            with engine.connect() as connection:
                audited = Counter(
                    connection.execute(
                        sa.select(t.cols(t.AuditEntry).event_id).where(
                            t.cols(t.AuditEntry).station_id == self.floor.station_id,
                            t.cols(t.AuditEntry).event_id.is_not(None),
                        )
                    )
                    .scalars()
                    .all()
                )
            assert sorted(audited) == sorted(event_id for _s, event_id in held)
            assert set(audited.values()) <= {1}, "an event was applied twice"
            picked = sum(
                q if kind == "pick.confirmed" else -q for _s, _i, kind, q in events[: len(held)]
            )
            quantity = self.floor.quantity
            assert server.stock == (quantity - picked, quantity - picked)
            assert server.line_picked == picked

        @invariant()
        def every_acknowledged_event_is_kept(self) -> None:
            events = {seq: event_id for seq, event_id, _t, _q in self.station_events()}
            assert all(events.get(s) == str(i) for s, i in self.acknowledged.items())
            assert sorted(events) == list(range(1, len(events) + 1))

        def drained(self) -> None:
            events = self.station_events()
            server = server_view(engine, self.floor)
            assert [(s, i) for s, i, _st in server.applied] == [(s, i) for s, i, _t, _q in events]
            assert len(events) == len(self.acknowledged)
            with self.uow() as unit:
                assert unit.outbox.count_pending() == 0

    return Protocol


def run_protocol(site: Site, folder: Path, *, examples: int, steps: int) -> None:
    run_state_machine_as_test(
        protocol_machine(site, folder),
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.faults
# The quick set on SQLite only; the long one runs on both databases.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_protocol_holds_against_the_real_server(site: Site, tmp_path: Path) -> None:
    run_protocol(site, tmp_path, examples=8, steps=15)


@pytest.mark.faults
@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_protocol_holds_against_the_real_server_at_length(site: Site, tmp_path: Path) -> None:
    run_protocol(site, tmp_path, examples=80, steps=40)
