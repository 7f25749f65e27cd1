"""Cycle counts on SQLite and PostgreSQL: picking goes on during a count, variances come out exact.

The book a count is compared with is the position at the count's own moment, worked out from
the stock-move ledger; the scripts below interleave picks with counts in every order the
floor can produce, including a pick whose event reaches the server after the count.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.server.conftest import Site
from tests.server.test_putaway import dock, receive, storage
from tests.server.test_putaway import event as putaway_event
from tests.server.test_putaway import push as putaway_push
from tests.support.floor import Work, released_task
from toteflow.central.bootstrap import build_count_scheduler, count_policy
from toteflow.central.integrations.count_scheduler import CountScheduler
from toteflow.central.services.counts import CountPolicy, CountService
from toteflow.central.store import tables as t
from toteflow.central.store.counts_tables import CycleCount, StockMove
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.config import CountSettings, Settings
from toteflow.contracts import counts as cc
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.cycle_counts import Thresholds
from toteflow.domain.errors import Forbidden
from toteflow.domain.roles import Role

API = "/api/v1"
START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PICKER, SUPERVISOR, COUNTER = 1, 3, 6  # user ids, in the order the site fixture adds roles
LOCATION = "01-001-1"
__all__ = ["dock"]  # the put-away tests' fixture, used here too


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Recount over 2 units off; a recount over 2 units off waits for approval."""
    return settings.model_copy(update={"counts": CountSettings(recount_units=2, approval_units=2)})


def minute(n: float) -> datetime:
    return START + timedelta(minutes=n)


@dataclass
class Floor:
    """A shelf of 10 units of SKU-T1 reserved for one order line, a counter's station and a
    second picker's station (the one that goes offline)."""

    site: Site
    work: Work
    stations: dict[str, tuple[int, str]]
    seqs: dict[str, int] = field(default_factory=dict)

    def push(
        self, station: str, type_: str, payload: dict[str, Any], at: datetime, user_id: int
    ) -> dict[str, Any]:
        station_id, token = self.stations[station]
        seq = self.seqs[station] = self.seqs.get(station, 0) + 1
        event = {
            "id": str(uuid.uuid4()),
            "seq": seq,
            "user_id": user_id,
            "type": type_,
            "payload": payload,
            "station_time": at.isoformat(),
        }
        reply = self.site.client.post(
            f"{API}/sync/push",
            json={"station_id": station_id, "events": [event]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert reply.status_code == 200, reply.text
        result: dict[str, Any] = reply.json()["results"][0]
        return result

    def pick(self, at: datetime, station: str = "pick-01", quantity: int = 1) -> None:
        payload = {"task_line_id": self.work.task_line_id, "quantity": quantity}
        result = self.push(station, "pick.confirmed", payload, at, PICKER)
        assert result["status"] == "applied", result

    def count(
        self,
        count_id: int,
        quantity: int,
        at: datetime,
        user_id: int = COUNTER,
        sku: str = "SKU-T1",
    ) -> dict[str, Any]:
        items = [{"sku": sku, "quantity": quantity}] if quantity else []
        return self.push(
            "count-01", "count.finished", {"count_id": count_id, "items": items}, at, user_id
        )

    def on_hand(self) -> int:
        s = t.cols(t.Stock)
        with self.site.parts.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(s.quantity).where(s.id == self.work.stock_id)
                ).scalar_one()
            )


@pytest.fixture
def floor(site: Site) -> Floor:
    work = released_task(site.parts.engine, on_hand=10, quantity=5)
    site.client.post(f"{API}/tasks/next", headers=site.login(Role.PICKER))
    people = site.parts.services.people
    stations = {"pick-01": (site.station_id, site.station_token)}
    for name in ("pick-02", "count-01"):
        made = people.register_station(SYSTEM, StationCreate(name=name))
        stations[name] = (made.station.id, made.token)
    return Floor(site, work, stations)


def request(site: Site, **where: Any) -> list[int]:
    reply = site.client.post(
        f"{API}/counts/requests", json=where, headers=site.login(Role.SUPERVISOR)
    )
    assert reply.status_code == 201, reply.text
    return [task["id"] for task in reply.json()["created"]]


def view(site: Site, count_id: int) -> dict[str, Any]:
    reply = site.client.get(f"{API}/counts/{count_id}", headers=site.login(Role.SUPERVISOR))
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def variance(site: Site, count_id: int) -> int:
    return sum(line["variance"] for line in view(site, count_id)["lines"])


def decide(site: Site, count_id: int, approve: bool) -> dict[str, Any]:
    reply = site.client.post(
        f"{API}/counts/{count_id}/decision",
        json={"approve": approve, "note": "checked the shelf"},
        headers=site.login(Role.SUPERVISOR),
    )
    assert reply.status_code == 200, reply.text
    found: dict[str, Any] = reply.json()
    return found


def live_counts(site: Site) -> list[tuple[str, str]]:
    c, loc = t.cols(CycleCount), t.cols(t.Location)
    with site.parts.engine.connect() as connection:
        rows = connection.execute(
            sa.select(loc.code, c.reason)
            .join(t.table(t.Location), loc.id == c.location_id)
            .where(c.status.in_(("open", "awaiting_approval")))
            .order_by(c.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_picks_before_during_and_after_a_count_give_no_variance_error(floor: Floor) -> None:
    """Three units went missing from the shelf before anyone counted. Picks come before the
    count, between the count and its approval, after the approval, and one made before the
    count reaches the server after it (its station was offline): every count's variance is
    the three missing units exactly, and the book ends where the shelf is."""
    site = floor.site
    shelf = 10 - 3  # what is really there
    (first,) = request(site, location=LOCATION)
    floor.pick(minute(1))  # before the count
    shelf -= 1
    offline_pick_at = minute(2)  # made before the count on pick-02, which is offline
    shelf -= 1
    result = floor.count(first, shelf, minute(3))
    assert result["status"] == "applied"
    recount = result["result"]["recount"]
    assert recount is not None  # 4 off as far as the server knows yet: over 2, recounted
    floor.pick(minute(4))  # between the count and the recount
    shelf -= 1
    floor.pick(offline_pick_at, station="pick-02")  # reaches the server now
    # The late pick belongs in the first count's book: its variance is what it really was.
    assert variance(site, first) == -3
    assert view(site, first)["outcome"] == "recounted"
    result = floor.count(recount, shelf, minute(5), user_id=SUPERVISOR)
    assert result["status"] == "applied"
    assert view(site, recount)["status"] == "awaiting_approval"
    assert variance(site, recount) == -3
    floor.pick(minute(6))  # after the recount, before its approval
    shelf -= 1
    decided = decide(site, recount, approve=True)
    assert (decided["status"], decided["outcome"], decided["variance_units"]) == (
        "closed",
        "adjusted",
        3,
    )
    assert floor.on_hand() == shelf
    floor.pick(minute(7))  # after the approval
    shelf -= 1
    assert floor.on_hand() == shelf == 2
    # Never locked: every pick above was applied while the counts were live.
    assert live_counts(site) == []


def test_odoo_42997_a_pick_during_the_count_is_not_counted_twice(floor: Floor) -> None:
    """Counting starts with 10 on the book; a picker takes one while the counter works; the
    counter finishes with the 9 left. A count against the book as it was when the count was
    opened says 1 missing and takes it off again: the pick counted twice. Here it is 0."""
    site = floor.site
    (count_id,) = request(site, location=LOCATION)
    floor.pick(minute(1))
    floor.count(count_id, 9, minute(2))
    found = view(site, count_id)
    assert (found["outcome"], found["variance_units"]) == ("accurate", 0)
    assert floor.on_hand() == 9


def test_oca_2343_a_pick_posted_before_the_count_but_made_after_it_is_not_lost(
    floor: Floor,
) -> None:
    """The counter finishes offline with 10 on the shelf; a pick made later reaches the
    server first. Setting the position to what was counted would lose that pick (the book
    says 10, the shelf holds 9); against the book at the count's moment, nothing is lost."""
    site = floor.site
    (count_id,) = request(site, location=LOCATION)
    floor.pick(minute(5))
    floor.count(count_id, 10, minute(2))  # counted at 08:02, pushed after the 08:05 pick
    assert view(site, count_id)["outcome"] == "accurate"
    assert floor.on_hand() == 9


def test_a_pick_made_before_a_count_the_book_took_is_absorbed_not_taken_twice(
    floor: Floor,
) -> None:
    """One unit missing (within tolerance: the book takes the count at once). A pick made
    before the count reaches the server after that: the count already saw the shelf without
    it, so it is not taken off again, and the count turns out to have been exact."""
    site = floor.site
    (count_id,) = request(site, location=LOCATION)
    floor.count(count_id, 9, minute(3))  # the shelf after an 08:01 pick not yet pushed
    assert view(site, count_id)["outcome"] == "adjusted"
    assert floor.on_hand() == 9
    floor.pick(minute(1), station="pick-02")
    assert floor.on_hand() == 9
    found = view(site, count_id)
    assert (found["outcome"], found["variance_units"]) == ("accurate", 0)
    m = t.cols(StockMove)
    with site.parts.engine.connect() as connection:
        kinds = connection.execute(sa.select(m.kind, m.delta).order_by(m.id)).all()
    assert [tuple(k) for k in kinds] == [("count", -1), ("pick", -1), ("count_absorbed", 1)]


def test_openboxes_5092_triggers_and_schedules_at_once_make_one_count(floor: Floor) -> None:
    """A schedule run twice, a supervisor's request and a short pick, all for one location:
    one live count, never a second piece of the same work (racing runs: the test below)."""
    site = floor.site
    counts = site.parts.services.counts
    boss = site.login(Role.SUPERVISOR)
    first = site.client.post(f"{API}/counts/schedule", headers=boss).json()
    again = site.client.post(f"{API}/counts/schedule", headers=boss).json()
    assert [c["location"] for c in first["created"]] == [LOCATION]
    assert (again["created"], again["already_open"]) == ([], 1)
    asked = site.client.post(f"{API}/counts/requests", json={"location": LOCATION}, headers=boss)
    assert asked.json() == {"created": [], "already_open": 1}
    floor.push(
        "pick-01",
        "pick.shorted",
        {"task_line_id": floor.work.task_line_id, "missing": 1},
        minute(1),
        PICKER,
    )
    assert live_counts(site) == [(LOCATION, "schedule")]
    # The database refuses a second live count even to a writer that skips the service.
    with site.parts.engine.connect() as connection:
        loc = connection.execute(
            sa.select(t.cols(t.Location).id).where(t.cols(t.Location).code == LOCATION)
        ).scalar_one()
    second = sa.insert(t.table(CycleCount)).values(
        location_id=loc,
        status="open",
        reason="request",
        reference="",
        created_at=START,
        variance_units=0,
        outcome="",
        note="",
    )
    with site.parts.engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(second)
    assert len(counts.open_counts(SYSTEM)) == 1


def test_a_short_pick_and_a_face_picked_empty_trigger_counts(floor: Floor) -> None:
    site = floor.site
    floor.push(
        "pick-01",
        "pick.shorted",
        {"task_line_id": floor.work.task_line_id, "missing": 1},
        minute(1),
        PICKER,
    )
    assert live_counts(site) == [(LOCATION, "short")]
    other = released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
        on_hand=2,
        quantity=2,
    )
    with site.parts.engine.begin() as connection:  # handed to the picker
        task = t.cols(t.Task)
        connection.execute(
            sa.update(t.table(t.Task)).where(task.id == other.task_id).values(status="assigned")
        )
    emptied_it = floor.push(
        "pick-01",
        "pick.confirmed",
        {"task_line_id": other.task_line_id, "quantity": 2},
        minute(2),
        PICKER,
    )
    assert emptied_it["status"] == "applied", emptied_it
    assert live_counts(site) == [(LOCATION, "short"), ("01-002-1", "empty")]
    # Confirming it empty: nothing counted, nothing on the book, an accurate count.
    (emptied,) = [
        c.id for c in site.parts.services.counts.open_counts(SYSTEM) if c.location == "01-002-1"
    ]
    assert floor.count(emptied, 0, minute(3))["status"] == "applied"
    assert view(site, emptied)["outcome"] == "accurate"


def test_a_recount_goes_to_another_person(floor: Floor) -> None:
    site = floor.site
    (first,) = request(site, location=LOCATION)
    recount = floor.count(first, 6, minute(1))["result"]["recount"]
    counter = site.login(Role.COUNTER)
    listed = site.client.get(f"{API}/counts/open", headers=counter).json()
    assert recount not in [c["id"] for c in listed]
    supervisor = site.client.get(f"{API}/counts/open", headers=site.login(Role.SUPERVISOR))
    assert [(c["id"], c["recount"]) for c in supervisor.json()] == [(recount, True)]
    # The first counter cannot take it, by the API or by a pushed event.
    refused = site.client.post(
        f"{API}/counts/{recount}/finish", json={"items": []}, headers=counter
    )
    assert refused.status_code == 409
    assert "someone other than the first counter" in refused.json()["detail"]
    pushed = floor.count(recount, 6, minute(2))
    assert pushed["status"] == "rejected"
    assert "someone other than the first counter" in pushed["reason"]
    assert view(site, recount)["status"] == "open"


def test_a_rejected_variance_is_recounted_and_an_approved_one_adjusts_with_audit(
    floor: Floor,
) -> None:
    site = floor.site
    (first,) = request(site, location=LOCATION)
    recount = floor.count(first, 5, minute(1))["result"]["recount"]
    floor.count(recount, 5, minute(2), user_id=SUPERVISOR)
    assert view(site, recount)["status"] == "awaiting_approval"
    assert floor.on_hand() == 10  # nothing adjusted while it waits
    rejected = decide(site, recount, approve=False)
    assert (rejected["status"], rejected["outcome"]) == ("closed", "rejected")
    (again,) = site.parts.services.counts.open_counts(SYSTEM)
    assert again.recount
    # The recounter of the rejected count does not count it again.
    refused = floor.count(again.id, 5, minute(3), user_id=SUPERVISOR)
    assert refused["status"] == "rejected"
    floor.count(again.id, 5, minute(3), user_id=COUNTER)
    approved = decide(site, again.id, approve=True)
    assert approved["outcome"] == "adjusted"
    assert floor.on_hand() == 5
    audit = site.client.get(
        f"{API}/audit", params={"action": "stock.adjusted"}, headers=site.login(Role.ADMIN)
    ).json()["items"]
    assert [(a["detail"]["delta"], a["detail"]["reason"], a["detail"]["note"]) for a in audit] == [
        (-5, "count", f"count {again.id}")
    ]
    decided = site.client.get(
        f"{API}/audit", params={"action": "count.decided"}, headers=site.login(Role.ADMIN)
    ).json()["items"]
    assert len(decided) == 2
    # Deciding twice is refused with a sentence, and changes nothing.
    twice = site.client.post(
        f"{API}/counts/{again.id}/decision",
        json={"approve": True},
        headers=site.login(Role.SUPERVISOR),
    )
    assert twice.status_code == 409
    assert "not awaiting" in twice.json()["detail"]
    assert floor.on_hand() == 5


def test_the_count_task_is_blind_on_the_wire(floor: Floor) -> None:
    """No field of a count task carries a quantity, and the answer to a finished count says
    nothing of the book either."""
    site = floor.site
    (count_id,) = request(site, location=LOCATION)
    assert set(cc.CountTask.model_fields) == {
        "id",
        "location",
        "zone",
        "reason",
        "recount",
        "created_at",
    }
    listed = site.client.get(f"{API}/counts/open", headers=site.login(Role.COUNTER))
    assert listed.status_code == 200
    (task,) = listed.json()
    assert set(task) == {"id", "location", "zone", "reason", "recount", "created_at"}
    assert "10" not in listed.text.replace(str(count_id), "").replace("2026-12", "")
    pushed = floor.count(count_id, 7, minute(1))
    assert set(pushed["result"]) == {"count_id", "location", "recount"}
    # A picker or packer may not count (unless the site lets anyone count).
    assert site.client.get(f"{API}/counts/open", headers=site.login(Role.PACKER)).status_code == 403


def test_requests_by_aisle_and_sku_and_bad_requests(floor: Floor) -> None:
    site = floor.site
    released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
    )
    boss = site.login(Role.SUPERVISOR)
    by_sku = site.client.post(f"{API}/counts/requests", json={"sku": "SKU-T2"}, headers=boss)
    assert [c["location"] for c in by_sku.json()["created"]] == ["01-002-1"]
    by_aisle = site.client.post(f"{API}/counts/requests", json={"aisle": 1}, headers=boss)
    assert by_aisle.json()["already_open"] == 1
    assert [c["location"] for c in by_aisle.json()["created"]] == [LOCATION]
    for body, status in (
        ({}, 422),
        ({"location": LOCATION, "sku": "SKU-T2"}, 422),
        ({"location": "09-999-9"}, 404),
        ({"aisle": "1"}, 422),
    ):
        reply = site.client.post(f"{API}/counts/requests", json=body, headers=boss)
        assert reply.status_code == status, (body, reply.text)
    picker = site.login(Role.PICKER)
    assert (
        site.client.post(f"{API}/counts/requests", json={"aisle": 1}, headers=picker).status_code
        == 403
    )
    # Unknown SKUs in a count are refused whole; the count stays open.
    (count_id,) = [c.id for c in site.parts.services.counts.open_counts(SYSTEM)][:1]
    bad = site.client.post(
        f"{API}/counts/{count_id}/finish",
        json={"items": [{"sku": "NOPE", "quantity": 1}]},
        headers=site.login(Role.COUNTER),
    )
    assert bad.status_code == 409
    assert "no product with SKU NOPE" in bad.json()["detail"]
    assert (
        site.client.post(
            f"{API}/counts/{count_id}/finish",
            json={"items": [{"sku": "SKU-T1", "quantity": -1}]},
            headers=site.login(Role.COUNTER),
        ).status_code
        == 422
    )
    assert view(site, count_id)["status"] == "open"


def test_accuracy_per_zone_and_class(floor: Floor) -> None:
    site = floor.site
    released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
    )
    with site.parts.engine.begin() as connection:
        p = t.cols(t.Product)
        connection.execute(
            sa.update(t.table(t.Product)).where(p.sku == "SKU-T2").values(velocity="A")
        )
    first, second = request(site, aisle=1)
    floor.count(first, 10, minute(1))
    floor.count(second, 9, minute(1), sku="SKU-T2")
    report = site.client.get(f"{API}/counts/accuracy", headers=site.login(Role.SUPERVISOR)).json()
    assert [
        (r["velocity"], r["counted"], r["accurate"], r["accuracy_pct"]) for r in report["rows"]
    ] == [
        ("A", 1, 0, 0.0),
        ("C", 1, 1, 100.0),
    ]
    assert (report["counted"], report["accurate"]) == (2, 1)


def test_the_schedule_counts_each_class_at_its_interval(floor: Floor) -> None:
    site = floor.site
    counts = site.parts.services.counts
    (first,) = [c.id for c in counts.schedule(SYSTEM, START).created]
    floor.count(first, 10, START)
    # C: yearly. Not due after a month, due after a year.
    assert counts.schedule(SYSTEM, START + timedelta(days=31)).created == []
    with site.parts.engine.begin() as connection:
        p = t.cols(t.Product)
        connection.execute(sa.update(t.table(t.Product)).values(velocity="A"))
    assert counts.schedule(SYSTEM, START + timedelta(days=29)).created == []
    assert [c.location for c in counts.schedule(SYSTEM, START + timedelta(days=31)).created] == [
        LOCATION
    ]
    assert p is not None


def test_anyone_may_count_only_where_the_site_says_so(floor: Floor) -> None:
    site = floor.site
    request(site, location=LOCATION)
    picker = Actor(PICKER, None, Role.PICKER, "a picker")
    uow = SqlUnitOfWorkFactory(site.parts.engine)
    with pytest.raises(Forbidden):
        CountService(uow, CountPolicy()).open_counts(picker)
    anyone = CountService(uow, CountPolicy(anyone_may_count=True))
    assert [c.location for c in anyone.open_counts(picker)] == [LOCATION]
    assert count_policy(Settings()).anyone_may_count is False


def test_a_refused_put_away_opens_a_count_of_its_location(dock: Site) -> None:
    """The receiver found the bin not as the book says (here: not empty): count it."""
    picker = dock.client.get(f"{API}/auth/me", headers=dock.login(Role.PICKER)).json()["id"]
    storage(dock, "01-002-3", mixing="empty_only")
    plate, other = receive(dock, 10), receive(dock, 3, sku="SKU-B")
    where = {"location": "01-002-3", "reason": "cannot_reach"}
    first = putaway_event(1, {"plate": plate.code, **where}, picker)
    clash = putaway_event(2, {"plate": other.code, **where}, picker)
    assert [r["status"] for r in putaway_push(dock, first, clash)] == ["applied", "rejected"]
    assert live_counts(dock) == [("01-002-3", "putaway_conflict")]


def test_two_servers_scheduling_at_once_open_each_count_once(floor: Floor) -> None:
    """Two scheduler runs racing (two server processes): one count per location, no error."""
    site = floor.site
    released_task(
        site.parts.engine,
        reference="SO-2",
        sku="SKU-T2",
        location="01-002-1",
        barcode="4006381333948",
    )
    services = [CountService(SqlUnitOfWorkFactory(site.parts.engine)) for _ in range(2)]
    start = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def run(service: CountService) -> None:
        start.wait()
        try:
            made.extend(c.id for c in service.schedule(SYSTEM, START).created)
        except BaseException as exc:  # a clash would surface here, in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) == 2
    assert sorted(live_counts(site)) == [(LOCATION, "schedule"), ("01-002-1", "schedule")]


def test_a_variance_worth_more_than_the_value_threshold_is_recounted(floor: Floor) -> None:
    site = floor.site
    (count_id,) = request(site, location=LOCATION)
    policy = CountPolicy(
        thresholds=Thresholds(recount_units=100, approval_units=100, recount_value=5.0),
        unit_values={"SKU-T1": 3.0},
    )
    counter = Actor(COUNTER, None, Role.COUNTER, "a counter")
    service = CountService(SqlUnitOfWorkFactory(site.parts.engine), policy)
    items = cc.CountFinish(items=[cc.CountedItem(sku="SKU-T1", quantity=8)])
    recount = service.finish(counter, count_id, items, minute(1))
    assert recount is not None  # 2 units off is within 100, but 6.0 is over 5.0
    assert view(site, count_id)["outcome"] == "recounted"


def test_the_background_job_opens_the_counts_due_once(floor: Floor) -> None:
    site = floor.site
    assert site.parts.counts is not None  # [counts] schedule_minutes = 60 by default
    assert site.parts.counts.every_seconds == 3600
    job = CountScheduler(site.parts.services.counts, 0.01, clock=lambda: START)
    job.start()
    try:
        deadline = time.monotonic() + 30
        while not live_counts(site) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        job.stop()
    assert live_counts(site) == [(LOCATION, "schedule")]
    # Another server's job, running too: nothing more.
    other = CountScheduler(site.parts.services.counts, 3600, clock=lambda: START)
    assert other.run_once() == 0
    off = settings_with(schedule_minutes=0)
    assert build_count_scheduler(site.parts.services, off) is None


def settings_with(**counts: Any) -> Settings:
    return Settings().model_copy(update={"counts": CountSettings(**counts)})
