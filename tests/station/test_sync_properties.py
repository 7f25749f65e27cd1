"""Stateful property test of the station's side of the protocol: scans, pushes, crashes, replays."""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import tempfile
from pathlib import Path

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.station.conftest import SERVER, TOKEN, make_task
from tests.station.fake_server import FakeServer
from toteflow.station.server_client.client import SyncError
from toteflow.station.server_client.worker import Backoff, SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import record
from toteflow.station.services.sync import store_task
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

FAULTS = st.lists(st.sampled_from(["connect", "timeout", "lost_reply", 503]), max_size=3)


class StationProtocol(RuleBasedStateMachine):
    """Invariants: the server applies each acknowledged event once, in sequence order."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="station-prop-"))
        self.server = FakeServer()
        self._open()
        station_setup.register(
            self.uow, station_id=1, name="p", server_url=SERVER, token=TOKEN, server_last_seq=0
        )
        # Every event the station acknowledged to a picker (its commit returned).
        self.acknowledged: list[str] = []
        self.server.add_change("task.assigned", "task", "10", make_task(10).model_dump(mode="json"))

    def _open(self) -> None:
        self.engine = open_store(self.folder / "station.db")
        self.uow = SqlStationUnitOfWorkFactory(self.engine)

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _sync(self, faults: list[str | int]) -> None:
        self.server.faults = list(faults)

        async def once() -> None:
            async with httpx.AsyncClient(transport=self.server.transport()) as http:
                worker = SyncWorker(
                    self.uow, http, batch_size=7, page_size=2, backoff=Backoff(rng=random.Random(0))
                )
                # A failed round is fine: the next one retries.
                with contextlib.suppress(SyncError):
                    await worker.sync_once()

        asyncio.run(once())

    @rule(n=st.integers(1, 12))
    def scan(self, n: int) -> None:
        for _ in range(n):
            with self.uow() as unit:
                event = record(unit, 7, "task.started", {"task_id": 10})
                unit.commit()
            self.acknowledged.append(str(event.id))

    @rule(n=st.integers(1, 5))
    def crash_mid_scan(self, n: int) -> None:
        # The process dies before commit: the picker got no good-scan signal.
        with self.uow() as unit:
            for _ in range(n):
                record(unit, 7, "task.started", {"task_id": 10})

    @rule(faults=FAULTS)
    def sync(self, faults: list[str | int]) -> None:
        self._sync(faults)

    @rule()
    def restart(self) -> None:
        self.engine.dispose()
        self._open()

    @rule(back=st.integers(0, 5))
    def replay_the_feed(self, back: int) -> None:
        with self.uow() as unit:
            cursor = unit.sync.get().cursor
            unit.sync.set_cursor(max(0, cursor - back))
            unit.commit()

    @precondition(lambda self: self.server.last_seq > 0)
    @rule(data=st.data())
    def server_restored_from_backup(self, data: st.DataObject) -> None:
        self.server.forget_after(data.draw(st.integers(0, self.server.last_seq)))

    @rule(n=st.integers(1, 3))
    def new_change(self, n: int) -> None:
        for _ in range(n):
            task = make_task(10 + len(self.server.feed), reference=f"SO-{len(self.server.feed)}")
            self.server.add_change(
                "task.assigned", "task", str(task.id), task.model_dump(mode="json")
            )

    @invariant()
    def server_applies_in_order_and_once(self) -> None:
        seqs = [e.seq for e in self.server.applied]
        assert seqs == list(range(1, len(seqs) + 1))
        ids = [str(e.id) for e in self.server.applied]
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(self.acknowledged)

    @invariant()
    def the_station_numbers_without_gaps(self) -> None:
        with self.uow() as unit:
            events = unit.outbox.after(0, 100_000)
            state = unit.sync.get()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert [str(e.id) for e in events] == self.acknowledged
        assert state.next_seq == len(events) + 1
        # Acknowledged by the server means stored there under the same id (unless the server
        # has since been restored to before it: the station then sends it again).
        for event in events:
            if event.state == "acked" and event.seq <= self.server.last_seq:
                assert self.server.stored[event.seq][0] == str(event.id)

    def teardown_check(self) -> None:
        self._sync([])
        assert [str(e.id) for e in self.server.applied] == self.acknowledged
        with self.uow() as unit:
            assert unit.outbox.count_pending() == 0
            assert unit.sync.get().cursor == len(self.server.feed)
            held = {t.id for t in unit.tasks.held()}
        assert held == {10, *(10 + n for n in range(1, len(self.server.feed)))}


class StationProtocolWithFinalDrain(StationProtocol):
    def teardown(self) -> None:
        try:
            self.teardown_check()
        finally:
            super().teardown()


StationProtocolWithFinalDrain.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStationProtocol = StationProtocolWithFinalDrain.TestCase


def test_store_task_is_idempotent(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    for _ in range(3):
        with uow() as unit:
            store_task(unit, make_task(10, lines=3))
            unit.commit()
    with uow() as unit:
        [task] = unit.tasks.held()
    assert len(task.lines) == 3
    engine.dispose()
