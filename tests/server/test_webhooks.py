"""Webhooks: signed, retried with backoff while the receiver is down, delivered once it is back."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Database
from tests.server.conftest import BADGES, PINS, Site
from tests.server.test_shipping_api import API, block, carton, close, picked, sscc_of, statuses
from tests.server.test_sync_api import event, push
from toteflow.central.bootstrap import build_server
from toteflow.central.store.uow import SqlUnitOfWorkFactory
from toteflow.config import load_settings
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role
from toteflow.domain.webhooks import SIGNATURE_HEADER, backoff_seconds, verify

SECRET = "webhook-secret-0123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    """A loopback HTTP receiver: refuses the first `fail_first` posts with 503, then takes them."""

    def __init__(self, port: int, fail_first: int = 0) -> None:
        self.received: list[tuple[bytes, dict[str, str], int]] = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 503 if len(outer.received) < outer.fail_first else 200
                outer.received.append((body, dict(self.headers.items()), status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def hooked(database: Database, tmp_path: Path) -> Iterator[tuple[Site, int]]:
    """A server whose webhooks go to a loopback port that nothing listens on yet."""
    port = free_port()
    settings = load_settings(
        environ={
            "TOTEFLOW_SERVER_DATABASE_URL": database.url,
            "TOTEFLOW_STATION_DATA_DIR": str(tmp_path / "station"),
            "TOTEFLOW_WEBHOOKS_URL": f"http://127.0.0.1:{port}/hook",
            "TOTEFLOW_WEBHOOKS_SECRET": SECRET,
            "TOTEFLOW_WEBHOOKS_TIMEOUT_SECONDS": "2",
            "TOTEFLOW_WEBHOOKS_BACKOFF_INITIAL_SECONDS": "0.05",
            "TOTEFLOW_WEBHOOKS_BACKOFF_MAX_SECONDS": "0.2",
            "TOTEFLOW_WEBHOOKS_POLL_SECONDS": "0.05",
        }
    )
    parts = build_server(settings, schema=database.schema)
    for role in Role:
        parts.services.people.add_user(
            SYSTEM,
            UserCreate(name=f"{role.value} one", badge=BADGES[role], pin=PINS[role], role=role),
        )
    registered = parts.services.people.register_station(SYSTEM, StationCreate(name="pack-01"))
    with TestClient(parts.app, raise_server_exceptions=False) as client:
        yield Site(parts, client, registered.token, registered.station.id), port
    parts.engine.dispose()


def wait_for(check: Any, what: str, limit: float = 30.0) -> Any:
    """Poll until `check()` is truthy; the limit only stops a broken test from hanging."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def ship(site: Site) -> None:
    picked(site)
    b = block(site)
    key = str(uuid.uuid4())
    reply = push(
        site,
        event(2, "carton.packed", carton(key, "SO-1", 1, sscc_of(b, 0), {"SKU-SO-1": 2})),
        event(3, "shipment.closed", close(key, "SO-1", 1)),
    )
    assert statuses(reply) == ["applied", "applied"]
    supervisor = site.login(Role.SUPERVISOR)
    made = site.client.post(f"{API}/manifests", json={"carrier": "UPS"}, headers=supervisor)
    assert made.status_code == 201, made.text


def test_a_webhook_waits_out_a_receiver_that_is_down_and_arrives_signed(
    hooked: tuple[Site, int],
) -> None:
    site, port = hooked
    ship(site)
    admin = site.login(Role.ADMIN)

    def log() -> dict[str, Any]:
        body: dict[str, Any] = site.client.get(f"{API}/webhooks/deliveries", headers=admin).json()
        return body

    # Nothing listens: the sender keeps trying, and the log says why it has not arrived.
    wait_for(lambda: log()["items"] and log()["items"][0]["attempts"] >= 3, "three failed tries")
    pending = log()["items"][0]
    assert pending["status"] == "pending"
    assert pending["last_error"]
    # The receiver comes back, still refusing twice (503) before it acknowledges.
    receiver = Receiver(port, fail_first=2)
    try:
        wait_for(lambda: log()["items"][0]["status"] == "delivered", "the delivery")
    finally:
        receiver.stop()
    delivered = log()["items"][0]
    assert delivered["last_status"] == 200
    assert delivered["attempts"] >= 6
    acknowledged = [r for r in receiver.received if r[2] == 200]
    assert len(acknowledged) == 1
    assert len(receiver.received) == 3
    for body, headers, _ in receiver.received:
        assert verify(SECRET, body, headers[SIGNATURE_HEADER])
        assert not verify("another secret", body, headers[SIGNATURE_HEADER])
    payload = json.loads(acknowledged[0][0])
    assert payload["event"] == "order.shipped"
    assert payload["order"] == "SO-1"
    assert payload["shipment"]["boxes"][0]["sscc"]
    assert payload["shipment"]["status"] == "shipped"
    # Read by people with the audit right only.
    assert (
        site.client.get(f"{API}/webhooks/deliveries", headers=site.login(Role.PACKER)).status_code
        == 403
    )


def test_two_senders_never_claim_the_same_delivery(site: Site) -> None:
    uow = SqlUnitOfWorkFactory(site.parts.engine)
    with uow() as unit:
        unit.webhooks.enqueue(
            [
                {"event": "order.shipped", "entity_id": f"SO-{n}", "url": "http://x", "body": "{}"}
                for n in range(40)
            ]
        )
        unit.commit()
    claimed: list[list[int]] = [[], []]
    now = datetime.now(UTC) + timedelta(seconds=1)

    def claim(slot: int) -> None:
        while True:
            with uow() as unit:
                got = unit.webhooks.claim_deliveries(now, now + timedelta(hours=1), 3)
                unit.commit()
            if not got:
                return
            claimed[slot] += [d.id for d in got]

    threads = [threading.Thread(target=claim, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    everything = claimed[0] + claimed[1]
    assert len(everything) == 40
    assert len(set(everything)) == 40


def test_backoff_doubles_up_to_the_maximum() -> None:
    assert [backoff_seconds(n, 5, 60) for n in range(1, 6)] == [5, 10, 20, 40, 60]
    assert backoff_seconds(10_000, 5, 3600) == 3600
