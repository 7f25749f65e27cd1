"""Duplicated, reordered, cut and one-way traffic between a station and a real server, healed."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.faults.conftest import make_server_db
from tests.faults.harness import (
    Figures,
    Floor,
    LiveStation,
    ServerDb,
    ServerProcess,
    assign_another_task,
    check_exactly_once,
    register_station,
    seed_floor,
    server_last_seq,
    server_view,
    wait_for,
)
from tests.faults.proxy import FaultProxy
from toteflow.central import bootstrap
from toteflow.config import load_settings
from toteflow.domain.actor import SYSTEM

RecordProperty = Callable[[str, object], None]
_floors = itertools.count(1)


@dataclass
class Site:
    """One server process shared by a module's scenarios; each scenario is its own station."""

    db: ServerDb
    server: ServerProcess
    engine: Engine
    folder: Path


def _site(kind: str, folder: Path) -> Iterator[Site]:
    for db in make_server_db(kind, folder):
        engine = db.engine()
        server = ServerProcess(db, folder)
        try:
            server.start()
            yield Site(db, server, engine, folder)
        finally:
            server.stop()
            engine.dispose()


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from _site("sqlite", tmp_path_factory.mktemp("network-sqlite"))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def any_site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    yield from _site(request.param, tmp_path_factory.mktemp(f"network-{request.param}"))


class Scenario:
    """A station behind a fault proxy, on its own floor of the shared server."""

    def __init__(self, site: Site, seed: int) -> None:
        self.site = site
        n = next(_floors)
        self.floor: Floor = seed_floor(site.engine, n)
        self.folder = site.folder / f"station-{n}"
        self.proxy = FaultProxy(site.server.port, seed=seed).start()
        register_station(self.folder, self.floor, self.proxy.url)
        self.station = LiveStation(self.folder, self.floor, timeout=2.0)
        self.rng = random.Random(seed)

    def __enter__(self) -> Scenario:
        return self

    def __exit__(self, *exc: object) -> None:
        self.station.close()
        self.proxy.close()

    def server_last_seq(self) -> int:
        return server_last_seq(self.site.engine, self.floor.station_id)

    def healed_and_drained(self) -> Figures:
        self.proxy.heal()
        self.station.wait_drained()
        return check_exactly_once(
            self.site.engine, self.floor, self.folder, self.station.acknowledged
        )


def report(name: str, figures: Figures, proxy: FaultProxy, record: RecordProperty) -> None:
    c = proxy.counters
    line = (
        f"{name}: {figures.acknowledged} events acknowledged, {figures.lost} lost, "
        f"{figures.applied_twice} applied twice; {figures.notes['answered as duplicates']} "
        f"answered as duplicates; proxy: {c.requests} requests, {c.duplicates_sent} copies, "
        f"{c.held} held ({c.overtaken} overtaken), {c.requests_dropped} requests and "
        f"{c.replies_dropped} replies lost"
    )
    print(line)
    record("fault figures", line)


@pytest.mark.faults
def test_duplicate_delivery_applies_each_event_once(
    sqlite_site: Site, record_property: RecordProperty
) -> None:
    with Scenario(sqlite_site, seed=1) as s:
        s.station.start()
        s.proxy.duplicate = 1.0
        # The copy first: the station's own push arrives second and gets "duplicate" answers.
        s.proxy.duplicate_order = "first"
        s.station.pick(15, pause=0.03)
        wait_for(lambda: s.station.drained(), deadline=120, what="pushes sent twice to drain")
        # Both at once: the two requests race for the station's row lock on the server.
        s.proxy.duplicate_order = "alongside"
        s.station.pick(15, pause=0.03)
        figures = s.healed_and_drained()
        assert s.proxy.counters.duplicates_sent >= 2
        assert figures.notes["answered as duplicates"] > 0
        report("duplicates", figures, s.proxy, record_property)


@pytest.mark.faults
def test_a_push_overtaken_by_a_later_one_changes_nothing(
    sqlite_site: Site, record_property: RecordProperty
) -> None:
    with Scenario(sqlite_site, seed=2) as s:
        s.station.start()
        s.station.pick(5)
        for round_ in (1, 2):
            # The next push is held back; the station gives up on it, sends again, and that
            # later request overtakes it. Then the stale one reaches the server.
            s.proxy.hold_next = 1
            s.station.pick(5, pause=0.02)
            wait_for(
                lambda round_=round_: s.proxy.counters.overtaken >= round_,  # type: ignore[misc]
                deadline=120,
                what=f"a held push to be overtaken (round {round_})",
            )
            s.station.pick(3)
        figures = s.healed_and_drained()
        assert s.proxy.counters.held == 2
        report("reordering", figures, s.proxy, record_property)


@pytest.mark.faults
def test_a_network_cut_then_healed_drains_the_outbox_and_resumes_the_pull(
    sqlite_site: Site, record_property: RecordProperty
) -> None:
    with Scenario(sqlite_site, seed=3) as s:
        s.station.start()
        s.station.pick(5)
        wait_for(s.station.drained, deadline=120, what="the first picks to go out")
        s.proxy.cut = True
        # The picker keeps working: every scan is acknowledged from the local store.
        s.station.pick(10, pause=0.05)
        wait_for(
            lambda: s.station.status.state == "offline",
            deadline=120,
            what="the station to show it is offline",
        )
        s.station.pick(5)
        assert s.station.status.waiting > 0 or s.station.view.events_waiting() > 0
        # Meanwhile the server gives the picker more work: it must arrive once healed.
        new_task = assign_another_task(s.site.engine, s.floor, f"SO-CUT-{s.floor.station_id}")
        time.sleep(s.rng.uniform(0.5, 2.0))
        figures = s.healed_and_drained()
        wait_for(
            lambda: s.station.view.task(new_task) is not None,
            deadline=120,
            what="the task assigned during the cut to reach the station",
        )
        assert s.proxy.counters.requests_dropped >= 1
        assert s.station.states[-1] == "online"
        report("network cut", figures, s.proxy, record_property)


@pytest.mark.faults
def test_replies_lost_one_way_then_healed(
    sqlite_site: Site, record_property: RecordProperty
) -> None:
    with Scenario(sqlite_site, seed=4) as s:
        s.station.start()
        s.proxy.one_way = True
        s.station.pick(8, pause=0.05)
        # The server applies what it is sent while the station hears nothing back.
        wait_for(lambda: s.server_last_seq() >= 1, deadline=120, what="a push to reach the server")
        wait_for(
            lambda: s.proxy.counters.replies_dropped >= 2,
            deadline=120,
            what="two replies to be lost",
        )
        assert s.station.view.sync_state().last_acked_seq < s.server_last_seq()
        s.station.pick(4)
        figures = s.healed_and_drained()
        # What the server had applied unheard was sent again and answered from its records.
        assert figures.notes["answered as duplicates"] >= 1
        report("one-way network", figures, s.proxy, record_property)


@pytest.mark.faults
def test_a_rejection_whose_reply_was_lost_still_reaches_the_picker(sqlite_site: Site) -> None:
    with Scenario(sqlite_site, seed=7) as s:
        s.station.start()
        s.station.pick(3)
        s.station.wait_drained("the first picks to go out")
        picked_before = sum(a.quantity for a in s.station.acknowledged.values())
        s.proxy.one_way = True
        # The order is cancelled on the server; the station cannot hear of it and picks on.
        services = bootstrap.build_services(s.site.engine, load_settings(environ={}))
        services.orders.cancel(SYSTEM, s.floor.work.reference, "customer called")
        s.station.pick(4)
        wait_for(
            lambda: s.server_last_seq() == 7,
            deadline=120,
            what="the server to refuse the picks it was sent",
        )
        s.proxy.heal()
        s.station.wait_drained()
        # The refusals came back as duplicates carrying their first outcome: none is lost.
        found = s.station.view.exceptions()
        exceptions = [e for e in found if e.kind == "rejected_event"]
        assert sorted(e.event_seq or 0 for e in exceptions) == [4, 5, 6, 7]
        assert all(f"order {s.floor.work.reference} was cancelled" in e.reason for e in found)
        # The units the server had counted before the cancel: one put-back, from the feed.
        [cancelled] = [e for e in found if e.kind == "put_back_cancelled"]
        assert cancelled.payload["quantity"] == picked_before
        with s.station.parts.uow() as unit:
            refused = unit.outbox.after(3, 100)
        assert {(e.status, e.result.get("outcome")) for e in refused} == {("duplicate", "rejected")}
        server = server_view(s.site.engine, s.floor)
        assert [status for _s, _i, status in server.applied] == ["applied"] * 3 + ["rejected"] * 4
        assert server.line_picked == picked_before
        assert server.stock == (s.floor.quantity - picked_before, 0)  # the rest was released
        # And the picker is told where to put the units back.
        wait_for(
            lambda: any("put the" in n.message for n in s.station.view.notices(s.floor.task.id)),
            deadline=120,
            what="the cancellation notice to reach the station",
        )


@pytest.mark.faults
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_every_fault_in_turn_then_healed(any_site: Site, record_property: RecordProperty) -> None:
    with Scenario(any_site, seed=5) as s:
        s.station.start()
        end = time.monotonic() + 60
        faults = ["none", "duplicate", "hold", "cut", "one_way", "delay"]
        while time.monotonic() < end:
            s.proxy.heal()
            fault = s.rng.choice(faults)
            if fault == "duplicate":
                s.proxy.duplicate = 0.7
            elif fault == "hold":
                s.proxy.hold_next = 1
            elif fault == "cut":
                s.proxy.cut = True
            elif fault == "one_way":
                s.proxy.one_way = True
            elif fault == "delay":
                s.proxy.reply_delay = (0.05, 1.0)
            s.station.pick(s.rng.randint(1, 20), pause=0.05)
            time.sleep(s.rng.uniform(0.2, 3.0))
        figures = s.healed_and_drained()
        report(f"{any_site.db.kind}: every fault in turn", figures, s.proxy, record_property)


@pytest.mark.faults
def test_steady_scanning_over_a_slow_link_still_lets_changes_in(sqlite_site: Site) -> None:
    with Scenario(sqlite_site, seed=6) as s:
        # Each push takes longer than the gap between two scans: the outbox is never empty.
        s.proxy.reply_delay = (0.3, 0.5)
        s.station.start()
        s.station.pick(3)
        new_task = assign_another_task(s.site.engine, s.floor, f"SO-SLOW-{s.floor.station_id}")
        end = time.monotonic() + 60
        while s.station.view.task(new_task) is None and time.monotonic() < end:
            s.station.pick(1)
            time.sleep(0.05)
        assert s.station.view.task(new_task) is not None, (
            "a station that keeps scanning never pulled the task assigned to it"
        )
        s.healed_and_drained()
