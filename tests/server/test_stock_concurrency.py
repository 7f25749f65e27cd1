"""Twenty clients adjusting one stock row at once: never below reserved or zero, nothing lost."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.conftest import Database
from toteflow.central.bootstrap import ServerParts, build_server
from toteflow.config import Settings
from toteflow.contracts.catalogue import LocationCreate, ProductCreate, StockAdjustment
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Role

CLIENTS = 20
ROUNDS = 8
LOCATION, SKU = "01-001-1", "SKU-1"
REFUSAL = re.compile(
    rf"^only (-?\d+) free to take from {LOCATION} \((\d+) on hand, (\d+) reserved\)$"
)


@dataclass
class Outcome:
    accepted: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture
def parts(settings: Settings, database: Database) -> Iterator[ServerParts]:
    built = build_server(settings, schema=database.schema)
    catalogue = built.services.catalogue
    system = Actor(None, None, Role.ADMIN, "setup")
    catalogue.add_location(system, LocationCreate(code=LOCATION))
    catalogue.add_product(
        system,
        ProductCreate(
            sku=SKU, description="Blue widget", units=[{"uom": "EA", "barcode": "4006381333931"}]
        ),
    )
    yield built
    built.engine.dispose()


def adjustment(delta: int) -> StockAdjustment:
    return StockAdjustment(
        location=LOCATION, sku=SKU, delta=delta, reason="count" if delta < 0 else "found"
    )


def run_clients(parts: ServerParts, deltas: list[list[int]]) -> Outcome:
    """Each client is a thread with its own supervisor, sessions and connections."""
    outcome = Outcome()
    lock = threading.Lock()
    start = threading.Barrier(len(deltas))

    def client(number: int, mine: list[int]) -> None:
        actor = Actor(None, None, Role.SUPERVISOR, f"client {number}")
        start.wait()
        for delta in mine:
            try:
                parts.services.catalogue.adjust_stock(actor, adjustment(delta))
            except Refused as refusal:
                with lock:
                    outcome.refused.append((delta, str(refusal)))
            except BaseException as exc:
                with lock:
                    outcome.errors.append(exc)
            else:
                with lock:
                    outcome.accepted.append(delta)

    threads = [
        threading.Thread(target=client, args=(n, mine), name=f"client-{n}")
        for n, mine in enumerate(deltas)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def stock_row(parts: ServerParts) -> tuple[int, int, int]:
    with parts.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT id, quantity, reserved FROM stock")).one()
    return row.id, row.quantity, row.reserved


def audited(parts: ServerParts) -> list[tuple[int, int]]:
    """(delta, quantity after) of every audited adjustment, in the order they were written."""
    entries = []
    page = parts.services.people.audit(
        Actor(None, None, Role.ADMIN), None, None, "stock.adjusted", 0, 500
    )
    for entry in reversed(page.items):
        entries.append((entry.detail["delta"], entry.detail["quantity_after"]))
    return entries


def test_twenty_clients_creating_the_same_position_at_once_lose_nothing(
    parts: ServerParts,
) -> None:
    """The first adjustment of a position inserts its row: twenty inserts race, one row wins."""
    deltas = [[n + 1] for n in range(CLIENTS)]
    outcome = run_clients(parts, deltas)
    assert outcome.errors == []
    assert outcome.refused == []
    _, quantity, _ = stock_row(parts)
    assert quantity == sum(range(1, CLIENTS + 1))


def test_twenty_clients_adjusting_one_row_never_go_negative_or_lose_an_adjustment(
    parts: ServerParts,
) -> None:
    system = Actor(None, None, Role.SUPERVISOR)
    parts.services.catalogue.adjust_stock(system, adjustment(30))
    stock_id, initial, _ = stock_row(parts)
    reserved = 4
    with parts.engine.begin() as connection:
        connection.execute(sa.text("UPDATE stock SET reserved = :r"), {"r": reserved})

    # Takes outweigh puts, so some must be refused; seeded, so every run asks the same.
    rng = random.Random(20)
    deltas = [
        [rng.choice([-7, -5, -3, -2, -1, 1, 2, 3]) for _ in range(ROUNDS)] for _ in range(CLIENTS)
    ]
    outcome = run_clients(parts, deltas)

    assert outcome.errors == []
    assert len(outcome.accepted) + len(outcome.refused) == CLIENTS * ROUNDS
    assert outcome.refused, "takes outweigh puts: some should have been refused"
    _, final, still_reserved = stock_row(parts)
    assert still_reserved == reserved
    assert final == initial + sum(outcome.accepted)
    assert final >= reserved

    # Every refusal says why, with the figures that made it impossible at that moment.
    for delta, message in outcome.refused:
        match = REFUSAL.match(message)
        assert match, message
        free, on_hand, held = (int(group) for group in match.groups())
        assert held == reserved
        assert free == on_hand - held
        assert -delta > free

    # The audit log replays the row exactly: each accepted adjustment once, in commit order,
    # each starting from the quantity the previous one left.
    history = audited(parts)
    assert len(history) == 1 + len(outcome.accepted)
    assert sorted(delta for delta, _ in history[1:]) == sorted(outcome.accepted)
    quantity = 0
    for delta, after in history:
        assert after == quantity + delta
        quantity = after
    assert min(after for _, after in history[1:]) >= reserved
    assert quantity == final
    assert stock_id == stock_row(parts)[0]
