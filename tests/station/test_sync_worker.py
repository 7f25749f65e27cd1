"""The sync worker against a protocol-faithful fake server (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import random
import threading
from typing import Any

import httpx
import pytest

from tests.station.conftest import SERVER, keep_task, make_task
from tests.station.fake_server import FakeServer
from toteflow.station.server_client.worker import Backoff, SyncStatus, SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions, StationView, record
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


class Harness:
    """A worker on the fake server whose pauses are recorded, not slept."""

    def __init__(
        self, uow: SqlStationUnitOfWorkFactory, server: FakeServer, **options: Any
    ) -> None:
        self.server = server
        self.delays: list[float] = []
        self.statuses: list[SyncStatus] = []
        self.stop_when = lambda: False
        self.http = httpx.AsyncClient(transport=server.transport())
        self.worker = SyncWorker(
            uow,
            self.http,
            sleep=self._sleep,
            backoff=Backoff(base=0.5, cap=30.0, rng=random.Random(4)),
            **options,
        )
        self.worker.subscribe(self.statuses.append)

    async def _sleep(self, delay: float) -> None:
        self.delays.append(delay)
        # Bounded: a test that never reaches its condition stops after 50 pauses.
        if self.stop_when() or len(self.delays) >= 50:
            self.worker.stop()

    def once(self) -> None:
        asyncio.run(self.worker.sync_once())

    def run_until(self, condition: Any) -> None:
        self.stop_when = condition
        asyncio.run(self.worker.run())

    def states(self) -> list[str]:
        names: list[str] = []
        for status in self.statuses:
            if not names or names[-1] != status.state:
                names.append(status.state)
        return names


def backlog(uow: SqlStationUnitOfWorkFactory, n: int, task_id: int = 10) -> None:
    """`n` events recorded offline (one transaction: this is setup, not the path under test)."""
    with uow() as unit:
        for _ in range(n):
            record(unit, 7, "task.started", {"task_id": task_id})
        unit.commit()


def outbox(uow: SqlStationUnitOfWorkFactory) -> list[Any]:
    with uow() as unit:
        return unit.outbox.after(0, 100_000)


def test_the_backlog_goes_out_in_order_in_batches(registered: SqlStationUnitOfWorkFactory) -> None:
    server = FakeServer()
    harness = Harness(registered, server, batch_size=500)
    backlog(registered, 1200)
    harness.once()
    assert [len(p) for p in server.pushes] == [500, 500, 200]
    assert [e.seq for e in server.applied] == list(range(1, 1201))
    view = StationView(registered)
    assert view.events_waiting() == 0
    assert view.sync_state().last_acked_seq == 1200
    assert {(e.state, e.status) for e in outbox(registered)} == {("acked", "applied")}
    assert harness.worker.status.state == "online"
    assert "catching_up" in harness.states()


def test_network_errors_back_off_with_jitter_then_the_outbox_drains(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer(faults=["connect", "connect", 503, "timeout", "connect"])
    harness = Harness(registered, server, interval=2.0)
    backlog(registered, 3)
    harness.run_until(lambda: server.last_seq == 3)
    assert [e.seq for e in server.applied] == [1, 2, 3]
    backoffs = harness.delays[:5]
    # Each failure doubles the ceiling (0.5, 1, 2, 4, 8 s) and waits between half and all of it.
    for failures, delay in enumerate(backoffs, start=1):
        ceiling = 0.5 * 2 ** (failures - 1)
        assert ceiling / 2 <= delay <= ceiling
    assert harness.delays[5:] == [2.0]  # back online: the ordinary interval
    assert "offline" in harness.states()
    assert harness.worker.status.state == "online"
    assert StationView(registered).sync_state().last_error == ""


def test_backoff_stays_under_its_cap_and_never_under_half() -> None:
    backoff = Backoff(base=0.5, cap=8.0, rng=random.Random(1))
    delays = [backoff.delay(n) for n in range(1, 30)]
    assert all(0.25 <= d <= 8.0 for d in delays)
    assert all(d >= 4.0 for d in delays[5:])


def test_a_gap_resends_from_the_servers_last_seq(registered: SqlStationUnitOfWorkFactory) -> None:
    server = FakeServer()
    harness = Harness(registered, server)
    backlog(registered, 10)
    harness.once()
    server.forget_after(4)  # the server was restored from an older backup
    backlog(registered, 2)
    harness.once()
    assert server.pushes == [list(range(1, 11)), [11, 12], list(range(5, 13))]
    assert [e.seq for e in server.applied] == list(range(1, 13))
    assert StationView(registered).sync_state().last_acked_seq == 12
    assert StationView(registered).events_waiting() == 0


def test_a_lost_reply_is_answered_as_duplicate_and_applied_once(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer(faults=["lost_reply"])
    server.refuse = lambda event: "stock gone at 01-001-1" if event.seq == 2 else None
    harness = Harness(registered, server)
    backlog(registered, 3)
    harness.run_until(lambda: StationView(registered).events_waiting() == 0)
    assert [e.seq for e in server.applied] == [1, 3]  # once each, though pushed twice
    assert server.pushes == [[1, 2, 3], [1, 2, 3]]
    assert [(e.status, e.result.get("outcome")) for e in outbox(registered)] == [
        ("duplicate", "applied"),
        ("duplicate", "rejected"),
        ("duplicate", "applied"),
    ]
    # The rejection whose first reply was lost still reaches a person, once.
    exceptions = StationView(registered).exceptions()
    assert [(x.event_seq, x.reason) for x in exceptions] == [(2, "stock gone at 01-001-1")]
    harness.once()
    assert len(StationView(registered).exceptions()) == 1


def test_a_rejected_event_becomes_an_exception_and_blocks_nothing(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    reason = "order SO-1 was cancelled: put the 2 units back at 01-001-1"
    server = FakeServer(refuse=lambda event: reason if event.seq == 2 else None)
    harness = Harness(registered, server)
    backlog(registered, 3)
    harness.once()
    assert [e.status for e in outbox(registered)] == ["applied", "rejected", "applied"]
    view = StationView(registered)
    assert view.events_waiting() == 0
    [exception] = view.exceptions()
    assert (exception.event_seq, exception.event_type, exception.reason) == (
        2,
        "task.started",
        reason,
    )
    assert harness.worker.status.exceptions_open == 1
    resolved = view.resolve_exception(exception.id, 7, "put 2 back at 01-001-1")
    assert resolved.resolved
    assert resolved.resolution == "put 2 back at 01-001-1"
    assert view.exceptions() == []


def test_a_revoked_token_keeps_every_event_until_re_registered(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer(token="rotated-token-9876543210")
    harness = Harness(registered, server)
    backlog(registered, 3)
    harness.once()
    view = StationView(registered)
    assert harness.worker.status.state == "needs_reregistration"
    assert harness.worker.status.waiting == 3
    assert view.sync_state().needs_reregistration
    assert "refused this station's token" in view.sync_state().last_error
    # Nothing more is sent with the refused token, however often the worker runs.
    requests = server.requests
    harness.once()
    harness.once()
    assert server.requests == requests
    assert view.events_waiting() == 3
    station_setup.register(
        registered,
        station_id=1,
        name="pick-01",
        server_url=SERVER,
        token="rotated-token-9876543210",
        server_last_seq=None,
    )
    harness.once()
    assert [e.seq for e in server.applied] == [1, 2, 3]
    assert harness.worker.status.state == "online"
    assert not view.sync_state().needs_reregistration


def test_changes_are_applied_idempotently_and_the_cursor_is_stored(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer()
    harness = Harness(registered, server, page_size=2)
    task = make_task(10, lines=2, quantity=4, reference="SO-1")
    server.add_change("task.assigned", "task", "10", task.model_dump(mode="json"))
    server.add_change(
        "location.updated",
        "location",
        "01-001-1",
        {
            "id": 1,
            "code": "01-001-1",
            "zone": "A",
            "aisle": 1,
            "bay": 1,
            "level": 1,
            "kind": "pick_face",
            "x": 0.0,
            "y": 0.75,
            "active": True,
        },
    )
    server.add_change("something.new", "thing", "1", {})
    harness.once()
    view = StationView(registered)
    assert server.pulls == [0, 2]
    assert view.sync_state().cursor == 3
    assert [t.id for t in view.tasks(7)] == [10]
    # Work offline on the task, then the order is cancelled on the server.
    floor = FloorActions(registered)
    floor.start_task(7, 10)
    floor.confirm_pick(7, 1001, 2)
    server.add_change(
        "order.cancelled", "order", "SO-1", {"reference": "SO-1", "reason": "customer"}
    )
    harness.once()
    local = view.task(10)
    assert local is not None
    assert [(line.picked, line.status) for line in local.lines] == [
        (2, "cancelled"),
        (0, "cancelled"),
    ]
    notices = [n.message for n in view.notices(10)]
    assert notices == [
        "order SO-1 was cancelled (customer): put the 2 units of SKU-10-1 back at 01-001-1",
        "order SO-1 was cancelled (customer): skip its lines",
    ]
    # A crash before the cursor was stored replays the whole feed: nothing changes twice.
    with registered() as unit:
        unit.sync.set_cursor(0)
        unit.commit()
    harness.once()
    again = view.task(10)
    assert again is not None
    assert again.status == "in_progress"
    assert [(line.picked, line.status) for line in again.lines] == [
        (2, "cancelled"),
        (0, "cancelled"),
    ]
    assert [n.message for n in view.notices(10)] == notices
    assert view.sync_state().cursor == 4
    with registered() as unit:
        location = unit.catalogue.location("01-001-1")
        found = unit.catalogue.product_by_barcode("B00100001")
    assert location is not None
    assert location.zone == "A"
    assert found is not None
    assert found[0].sku == "SKU-10-1"


def test_a_task_taken_back_or_cancelled_tells_the_picker(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer()
    harness = Harness(registered, server)
    keep_task(registered, make_task(10))
    keep_task(registered, make_task(11, reference="SO-2"))
    FloorActions(registered).start_task(7, 11)
    FloorActions(registered).confirm_pick(7, 1101, 1)
    server.add_change("task.unassigned", "task", "10", {"task_id": 10})
    server.add_change("task.cancelled", "task", "11", {"task_id": 11, "reason": "wave pulled"})
    harness.once()
    view = StationView(registered)
    assert view.tasks(7) == []
    assert [n.message for n in view.notices()] == [
        "task 10 was taken back by a supervisor",
        "task 11 was cancelled (wave pulled): put the 1 unit picked back",
    ]
    view.notice_seen(view.notices()[0].id)
    assert len(view.notices()) == 1


def test_not_registered_is_a_state_not_an_error(uow: SqlStationUnitOfWorkFactory) -> None:
    server = FakeServer()
    harness = Harness(uow, server)
    harness.once()
    assert harness.worker.status.state == "not_registered"
    assert server.requests == 0


def test_a_wrong_station_id_is_an_error_with_backoff(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer(station_id=2)
    harness = Harness(registered, server)
    backlog(registered, 1)
    harness.run_until(lambda: len(harness.delays) >= 2)
    assert harness.worker.status.state == "error"
    assert "refused this station" in harness.worker.status.last_error
    assert StationView(registered).events_waiting() == 1
    assert 0.25 <= harness.delays[0] <= 0.5
    assert 0.5 <= harness.delays[1] <= 1.0


def test_a_floor_action_wakes_the_worker_thread_at_once(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer()
    http = httpx.AsyncClient(transport=server.transport())
    # An interval far longer than the test may wait: only the wake can explain a prompt push.
    worker = SyncWorker(registered, http, interval=3600)
    floor = FloorActions(registered, on_recorded=worker.wake)
    keep_task(registered, make_task())
    pulled = threading.Event()
    worker.subscribe(lambda status: pulled.set() if status.state == "online" else None)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    try:
        assert pulled.wait(timeout=30)
        floor.start_task(7, 10)
        done = threading.Event()
        worker.subscribe(lambda s: done.set() if s.state == "online" and s.waiting == 0 else None)
        for _ in range(300):  # bounded: at most 30 s
            if server.last_seq == 1:
                break
            done.wait(timeout=0.1)
        assert server.last_seq == 1
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.parametrize("status_code", [500, 502, 503, 429])
def test_server_errors_are_retried(
    registered: SqlStationUnitOfWorkFactory, status_code: int
) -> None:
    server = FakeServer(faults=[status_code, status_code])
    harness = Harness(registered, server)
    backlog(registered, 2)
    harness.run_until(lambda: server.last_seq == 2)
    assert [e.seq for e in server.applied] == [1, 2]
    assert "offline" in harness.states()


def test_a_batch_too_large_for_the_server_is_split(registered: SqlStationUnitOfWorkFactory) -> None:
    server = FakeServer(max_batch=120)
    harness = Harness(registered, server, batch_size=500)
    backlog(registered, 300)
    harness.once()
    assert [len(p) for p in server.pushes] == [62, 62, 62, 62, 52]
    assert [e.seq for e in server.applied] == list(range(1, 301))


def test_a_server_restored_while_the_station_is_idle_gets_its_events_back(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    server = FakeServer()
    harness = Harness(registered, server)
    backlog(registered, 6)
    harness.once()
    server.forget_after(2)
    # The server comes back from its backup: the station saw it fail, then sees it answer.
    server.faults = ["connect"]
    harness.run_until(lambda: server.last_seq == 6)
    assert [e.seq for e in server.applied] == list(range(1, 7))
    assert StationView(registered).sync_state().last_acked_seq == 6


def test_station_clocks_a_day_apart_change_no_ordering(
    registered: SqlStationUnitOfWorkFactory,
) -> None:
    from datetime import UTC, datetime, timedelta

    base = datetime(2026, 6, 1, 12, tzinfo=UTC)
    # The clock jumps back and forth by a day between actions (NTP fixed, then a bad RTC).
    times = iter(
        [base, base - timedelta(days=1), base + timedelta(days=1), base - timedelta(days=2)]
    )
    floor = FloorActions(registered, clock=lambda: next(times))
    keep_task(registered, make_task(quantity=4))
    floor.start_task(7, 10)
    for _ in range(3):
        floor.confirm_pick(7, 1001, 1)
    server = FakeServer()
    Harness(registered, server).once()
    assert [e.seq for e in server.applied] == [1, 2, 3, 4]
    assert [e.type for e in server.applied] == ["task.started"] + ["pick.confirmed"] * 3
    assert [e.station_time for e in server.applied] == [
        base,
        base - timedelta(days=1),
        base + timedelta(days=1),
        base - timedelta(days=2),
    ]
