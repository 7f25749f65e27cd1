"""Forty wrong PINs and the right one at the same moment for one badge: the badge is locked."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import col

from tests.conftest import Database
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.central.store import tables as t
from toteflow.config import Settings
from toteflow.contracts.people import Login, Station, StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.errors import Unauthenticated
from toteflow.domain.roles import Role

WRONG = 40
BADGE, PIN = "B20001", "2468"
NOT_RECOGNISED = "badge or PIN not recognised"
LOCKED = "too many wrong PINs: try again in a few minutes"


@pytest.fixture
def parts(settings: Settings, database: Database) -> Iterator[ServerParts]:
    built = build_server(settings, schema=database.schema)
    built.services.people.add_user(
        SYSTEM, UserCreate(name="Pat Picker", badge=BADGE, pin=PIN, role=Role.PICKER)
    )
    yield built
    built.engine.dispose()


def attempt_all_at_once(parts: ServerParts, station: Station, pins: list[str]) -> Counter[str]:
    """Every PIN from its own thread, released together; the answers, counted."""
    answers: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(len(pins))

    def client(pin: str) -> None:
        start.wait()
        try:
            parts.services.people.login(station, Login(badge=BADGE, pin=pin))
        except Unauthenticated as refusal:
            answer = str(refusal)
        except BaseException as exc:
            answer = f"error {exc.__class__.__name__}: {exc}"
        else:
            answer = "logged in"
        with lock:
            answers[answer] += 1

    threads = [threading.Thread(target=client, args=(pin,)) for pin in pins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_forty_wrong_pins_and_the_right_one_at_once_lock_the_badge(parts: ServerParts) -> None:
    people = parts.services.people
    station = people.register_station(SYSTEM, StationCreate(name="pick-race")).station
    limit = people.policy.max_failures
    pins = ["0000"] * WRONG
    pins.insert(WRONG // 2, PIN)

    answers = attempt_all_at_once(parts, station, pins)
    print(f"\nlog-in race [{parts.engine.dialect.name}]: {dict(answers)}")

    assert [a for a in answers if a.startswith("error")] == []
    assert sum(answers.values()) == WRONG + 1
    # Each wrong PIN was counted: at most `limit` before the lock, or (if the right PIN came
    # in between and cleared the count) up to `limit - 1` more; every later one is told.
    assert answers[NOT_RECOGNISED] <= 2 * limit - 1, answers
    assert answers[LOCKED] >= WRONG - (2 * limit - 1), answers
    assert answers["logged in"] <= 1
    with parts.engine.connect() as connection:
        failed, locked_until = connection.execute(
            sa.select(col(t.User.failed_logins), col(t.User.locked_until)).where(
                col(t.User.badge) == BADGE
            )
        ).one()
    assert failed >= limit
    assert locked_until is not None
    # The badge stays locked for the right PIN too.
    with pytest.raises(Unauthenticated, match="too many wrong PINs"):
        people.login(station, Login(badge=BADGE, pin=PIN))
