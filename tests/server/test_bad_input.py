"""Bad input answered 4xx, never 5xx: lone surrogates, chunked oversize bodies, wrong methods."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from tests.server.conftest import Site
from toteflow.domain.roles import Role

SURROGATE = '"\\ud800"'  # JSON's own spelling of a lone UTF-16 surrogate


@pytest.fixture
def live(site: Site) -> Iterator[int]:
    """The site's app served by uvicorn on a loopback port: a real keep-alive connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    config = uvicorn.Config(
        site.parts.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        assert time.monotonic() < deadline, "uvicorn did not start in time"
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(timeout=20)


def _string_fields(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(method, path, body) for every operation with a JSON body: a field named by a lone
    surrogate, and the first top-level string field set to one (the rest left out)."""
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref")
            )
            if ref is None:
                continue
            concrete = re.sub(r"\{[^}]+\}", "1", path)
            # A surrogate as a field's name too: it is echoed in the error's location.
            yield method.upper(), concrete, f"{{{SURROGATE}: {SURROGATE}}}"
            schema = schemas[ref.rsplit("/", 1)[1]]
            for name, field in schema.get("properties", {}).items():
                kinds = [field.get("type")] + [o.get("type") for o in field.get("anyOf", [])]
                if "string" in kinds:
                    yield method.upper(), concrete, f'{{"{name}": {SURROGATE}}}'
                    break


def test_a_lone_surrogate_is_a_422_on_every_endpoint_and_the_connection_lives_on(
    site: Site, live: int
) -> None:
    admin = site.login(Role.ADMIN)
    cases = list(_string_fields(site.client.get("/openapi.json").json()))
    assert len(cases) >= 40
    connection = http.client.HTTPConnection("127.0.0.1", live, timeout=30)
    headers = {**admin, "Content-Type": "application/json"}
    for method, path, body in cases:
        connection.request(method, path, body=body.encode(), headers=headers)
        reply = connection.getresponse()
        text = reply.read().decode("utf-8")
        assert reply.status == 422, f"{method} {path}: {reply.status} {text}"
        # The echoed input is valid JSON in UTF-8, the surrogate spelt out.
        assert "\\\\ud800" in text or "ud800" not in text, text
        json.loads(text)
        # The next request on the same keep-alive connection is answered.
        connection.request("GET", "/healthz")
        after = connection.getresponse()
        after.read()
        assert after.status == 200, f"after {method} {path}"
    connection.close()


def test_a_surrogate_in_a_pushed_payload_is_a_422(site: Site) -> None:
    event = (
        '{"id": "6f1c2ab4-3a64-4d33-9d0b-4c1b5e0d2f10", "seq": 1, "type": "pick.confirmed", '
        f'"payload": {{"lot": {SURROGATE}}}, "station_time": "2026-12-01T10:00:00Z"}}'
    )
    body = f'{{"station_id": {site.station_id}, "events": [{event}]}}'
    reply = site.client.post(
        "/api/v1/sync/push",
        content=body.encode(),
        headers={**site.station_headers(), "Content-Type": "application/json"},
    )
    assert reply.status_code == 422, reply.text


def test_an_oversized_chunked_body_is_a_413_like_one_with_a_length(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    limit = 2_000_000
    big = b'{"name": "' + b"x" * (limit + 10) + b'"}'

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    headers = {**admin, "Content-Type": "application/json"}
    chunked = site.client.post("/api/v1/stations", content=chunks(), headers=headers)
    assert chunked.status_code == 413, chunked.text
    assert "larger than" in chunked.json()["detail"]
    sized = site.client.post("/api/v1/stations", content=big, headers=headers)
    assert sized.status_code == 413
    assert sized.json() == chunked.json()
    # Nothing was registered.
    names = [s["name"] for s in site.client.get("/api/v1/stations", headers=admin).json()["items"]]
    assert names == ["pick-01"]


def _methods_by_path(spec: dict[str, Any]) -> dict[str, set[str]]:
    return {path: {m.upper() for m in ops} for path, ops in spec["paths"].items()}


def test_a_405_names_every_method_of_the_path(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    spec = site.client.get("/openapi.json").json()
    checked = 0
    for path, methods in _methods_by_path(spec).items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        expected = methods
        for method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} - methods:
            reply = site.client.request(method, concrete, headers=admin)
            assert reply.status_code == 405, f"{method} {concrete}: {reply.status_code}"
            allow = {m.strip() for m in reply.headers["allow"].split(",")}
            assert allow == expected, f"{method} {concrete}: Allow {allow}"
            if method != "HEAD":
                assert method in reply.json()["detail"]
            checked += 1
    assert checked > 50


def test_get_on_a_post_only_path_beside_a_templated_get_is_405(site: Site) -> None:
    admin = site.login(Role.ADMIN)
    # GET /tasks/{task_id} and GET /orders/{reference} would take these as an id or a name.
    for path in ["/api/v1/tasks/next", "/api/v1/orders/batch", "/api/v1/waves/preview"]:
        reply = site.client.get(path, headers=admin)
        assert reply.status_code == 405, f"{path}: {reply.status_code} {reply.text}"
        assert reply.headers["allow"] == "POST"
    # The templated routes still answer their own paths.
    assert site.client.get("/api/v1/orders/SO-404", headers=admin).status_code == 404
    assert site.client.get("/healthz").status_code == 200
