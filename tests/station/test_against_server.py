"""The station against the real server app (SQLite and PostgreSQL) through httpx.ASGITransport."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import sqlalchemy as sa

from tests.server.conftest import Site
from tests.server.test_sync_api import order_status, stock_of
from tests.support.floor import released_task
from toteflow.central.store import tables as t
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.domain.scan import interpret
from toteflow.station.server_client.client import SyncClient
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services import setup as station_setup
from toteflow.station.services.events import FloorActions, StationView, take_next_task
from toteflow.station.services.refusals import RefusalDesk
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory

SERVER = "http://toteflow.test"
T = TypeVar("T")


class Station:
    """A station store registered with the site's server, talking to the app in-process."""

    def __init__(self, site: Site, folder: Path) -> None:
        self.site = site
        self.engine = open_store(folder / "station.db")
        self.uow = SqlStationUnitOfWorkFactory(self.engine)
        self.view = StationView(self.uow)
        self.floor = FloorActions(self.uow)
        self.transport = httpx.ASGITransport(app=site.parts.app)

    def run(self, work: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        async def go() -> T:
            async with httpx.AsyncClient(transport=self.transport) as http:
                return await work(http)

        return asyncio.run(go())

    def register(self, token: str) -> int:
        async def probe(http: httpx.AsyncClient) -> int:
            return await SyncClient(http, SERVER, token).probe_last_seq(self.site.station_id)

        last = self.run(probe)
        station_setup.register(
            self.uow,
            station_id=self.site.station_id,
            name="pick-01",
            server_url=SERVER,
            token=token,
            server_last_seq=last,
        )
        return last

    def sync(self) -> SyncWorker:
        async def once(http: httpx.AsyncClient) -> SyncWorker:
            worker = SyncWorker(self.uow, http)
            await worker.sync_once()
            return worker

        return self.run(once)

    def server_last_seq(self) -> int:
        with self.site.parts.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(t.cols(t.Station).last_seq).where(
                        t.cols(t.Station).id == self.site.station_id
                    )
                ).scalar_one()
            )


def station_with_next_task(site: Site, tmp_path: Path) -> Station:
    """A registered station whose picker has asked for, and holds, the next task."""
    station = Station(site, tmp_path)
    station.register(site.station_token)
    session = site.login(Role.PICKER)["X-Toteflow-Session"]

    async def next_task(http: httpx.AsyncClient) -> None:
        await take_next_task(SyncClient(http, SERVER, site.station_token), station.view, session)

    station.run(next_task)
    return station


def test_picks_made_offline_reach_the_server_once(site: Site, tmp_path: Path) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    station = Station(site, tmp_path)
    assert station.register(site.station_token) == 0
    session = site.login(Role.PICKER)["X-Toteflow-Session"]

    async def next_task(http: httpx.AsyncClient) -> int | None:
        client = SyncClient(http, SERVER, site.station_token)
        task = await take_next_task(client, station.view, session)
        return task.id if task else None

    assert station.run(next_task) == work.task_id
    [line] = station.view.task(work.task_id).lines  # type: ignore[union-attr]
    # From here the station works alone: nothing below reaches the server until sync.
    station.floor.start_task(1, work.task_id)
    station.floor.assign_tote(1, work.task_id, 1, "T000001")
    station.floor.confirm_pick(1, line.id, 2)
    station.floor.confirm_pick(1, line.id, 1)
    station.floor.short_pick(1, line.id, "empty")
    station.floor.complete_task(1, work.task_id)
    assert stock_of(site, work) == (10, 4)
    assert station.view.events_waiting() == 6

    worker = station.sync()
    assert worker.status.state == "online"
    assert station.view.events_waiting() == 0
    assert station.server_last_seq() == 6
    assert stock_of(site, work) == (7, 0)  # 3 picked; the short released the 4th unit
    with station.uow() as unit:
        statuses = [e.status for e in unit.outbox.after(0, 100)]
    assert statuses == ["applied"] * 6
    # The assignment also came through the feed; replaying it kept the local progress.
    state = station.view.sync_state()
    assert state.cursor > 0
    task = station.view.task(work.task_id)
    assert task is not None
    assert (task.status, task.lines[0].picked, task.lines[0].shorted) == ("done", 3, 1)
    # Syncing again sends nothing and changes nothing.
    station.sync()
    assert station.server_last_seq() == 6
    assert stock_of(site, work) == (7, 0)
    station.engine.dispose()


def test_an_order_cancelled_meanwhile_becomes_an_exception_and_a_notice(
    site: Site, tmp_path: Path
) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    station = station_with_next_task(site, tmp_path)
    station.sync()
    line_id = station.view.task(work.task_id).lines[0].id  # type: ignore[union-attr]
    station.floor.start_task(1, work.task_id)
    # The network is down: the supervisor cancels while the picker picks.
    site.parts.services.orders.cancel(SYSTEM, work.reference, "customer called")
    station.floor.confirm_pick(1, line_id, 2)
    station.sync()
    assert order_status(site, work) == "cancelled"
    assert stock_of(site, work) == (10, 0)  # nothing taken from stock for a cancelled order
    [exception] = station.view.exceptions()
    assert exception.event_type == "pick.confirmed"
    assert f"order {work.reference} was cancelled" in exception.reason
    assert station.view.events_waiting() == 0
    messages = [n.message for n in station.view.notices(work.task_id)]
    assert any("put the 2 units" in m for m in messages), messages
    station.engine.dispose()


def test_units_picked_before_a_cancel_are_put_back_once_from_the_station(
    site: Site, tmp_path: Path
) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    station = station_with_next_task(site, tmp_path)
    line_id = station.view.task(work.task_id).lines[0].id  # type: ignore[union-attr]
    station.floor.start_task(1, work.task_id)
    station.floor.confirm_pick(1, line_id, 2, tote="T000001")
    station.sync()
    assert stock_of(site, work) == (8, 2)
    site.parts.services.orders.cancel(SYSTEM, work.reference, "customer called")
    assert stock_of(site, work) == (8, 0)
    station.sync()
    [exception] = station.view.exceptions()
    assert exception.kind == "put_back_cancelled"
    # A replayed feed (a crash before the cursor was stored) does not open it twice.
    with station.uow() as unit:
        unit.sync.set_cursor(0)
        unit.commit()
    station.sync()
    assert [x.id for x in station.view.exceptions()] == [exception.id]
    desk = RefusalDesk(1, station.floor, station.view)
    [back] = desk.open()
    assert (back.cancelled, back.units, back.taken_from) == (True, 2, "01-001-1")
    messages = [n.message for n in station.view.notices(work.task_id)]
    assert any("scan that shelf under F8 (To resolve) on the home screen" in m for m in messages)
    assert desk.put_back(back.id, interpret("01-001-1")).ok
    assert not desk.put_back(back.id, interpret("01-001-1")).ok
    station.sync()
    assert station.view.events_waiting() == 0
    assert station.view.exceptions() == []
    assert stock_of(site, work) == (10, 0)  # counted again once, where they were put
    fe = t.cols(t.FloorException)
    with site.parts.engine.connect() as connection:
        status = connection.execute(
            sa.select(fe.status).where(fe.kind == "put_back_cancelled")
        ).scalar_one()
    assert status == "resolved"
    station.engine.dispose()


def test_a_revoked_token_keeps_the_events_until_the_station_is_re_registered(
    site: Site, tmp_path: Path
) -> None:
    work = released_task(site.parts.engine, on_hand=10, quantity=4)
    station = station_with_next_task(site, tmp_path)
    line_id = station.view.task(work.task_id).lines[0].id  # type: ignore[union-attr]
    station.floor.start_task(1, work.task_id)
    station.floor.confirm_pick(1, line_id, 4)
    site.parts.services.people.revoke_station(SYSTEM, site.station_id)

    worker = station.sync()
    assert worker.status.state == "needs_reregistration"
    assert station.view.events_waiting() == 2
    assert station.server_last_seq() == 0

    # Rotating a revoked station's token leaves it revoked: an admin re-activates it.
    rotated = site.parts.services.people.activate_station(SYSTEM, site.station_id)
    station.register(rotated.token)
    worker = station.sync()
    assert worker.status.state == "online"
    assert station.view.events_waiting() == 0
    assert station.server_last_seq() == 2
    assert stock_of(site, work) == (6, 0)
    station.engine.dispose()


def test_a_new_store_for_a_known_station_numbers_on_from_the_server(
    site: Site, tmp_path: Path
) -> None:
    first = Station(site, tmp_path / "old")
    first.register(site.station_token)
    with first.uow() as unit:
        from toteflow.station.services.events import record

        for _ in range(3):
            record(unit, None, "task.paused", {"task_id": 999_999})
        unit.commit()
    first.sync()
    assert first.server_last_seq() == 3
    first.engine.dispose()
    # The terminal was replaced: a fresh store, the same station.
    second = Station(site, tmp_path / "new")
    assert second.register(site.station_token) == 3
    assert second.view.sync_state().next_seq == 4
    second.engine.dispose()
