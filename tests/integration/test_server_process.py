"""The real `toteflow server` process: HTTPS with a verified certificate, several workers."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, require_postgres
from toteflow.central import bootstrap
from toteflow.config import load_settings
from toteflow.contracts.people import StationCreate, UserCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.roles import Role


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes], **client: object) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"server exited early:\n{out}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2, **client).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("server did not answer within a minute")


def _serve(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "toteflow", "server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_is_served_and_verified_against_the_configured_ca(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    port = _free_port()
    url = f"https://127.0.0.1:{port}"
    process = _serve(
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{tmp_path / 'tls.db'}",
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
    )
    try:
        trusted = ssl.create_default_context(cafile=str(cert))
        _wait(url, process, verify=trusted)
        assert httpx.get(f"{url}/healthz", verify=trusted).json()["status"] == "ok"
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz")  # not trusted without the site's CA file
    finally:
        _stop(process)


def test_tls_needs_both_files(tmp_path: Path, certificate: tuple[Path, Path]) -> None:
    cert, _key = certificate
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toteflow",
            "server",
            "--tls-cert",
            str(cert),
            "--database-url",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "HTTPS needs both --tls-cert and --tls-key" in done.stderr


@pytest.fixture
def pg_schema() -> Iterator[str]:
    require_postgres()
    schema = f"w_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.postgres
def test_several_workers_serve_one_site_on_postgres(pg_schema: str) -> None:
    engine = bootstrap.open_database(PG_URL, schema=pg_schema)
    services = bootstrap.build_services(engine, load_settings(environ={}))
    services.people.add_user(
        SYSTEM, UserCreate(name="Sam", badge="B77777", pin="7777", role=Role.SUPERVISOR)
    )
    token = services.people.register_station(SYSTEM, StationCreate(name="w-01")).token
    engine.dispose()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    database = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
    process = _serve("--port", str(port), "--database-url", database, "--workers", "2")
    try:
        _wait(url, process)
        station = {"Authorization": f"Bearer {token}"}
        sessions = []
        pids = set()
        # Log in and use sessions over fresh connections: each may land on either worker,
        # and must work there, because nothing a request needs lives in one process.
        for _ in range(12):
            with httpx.Client(base_url=url, headers=station) as client:
                reply = client.post("/api/v1/auth/login", json={"badge": "B77777", "pin": "7777"})
                assert reply.status_code == 200, reply.text
                sessions.append(reply.json()["token"])
        for session in sessions:
            with httpx.Client(base_url=url, headers=station) as client:
                me = client.get("/api/v1/auth/me", headers={"X-Toteflow-Session": session})
                assert me.status_code == 200
                assert me.json()["badge"] == "B77777"
    finally:
        _stop(process)
        output = process.stdout.read() if process.stdout else b""
    for line in output.decode(errors="replace").splitlines():
        if "Started server process" in line:
            pids.add(line.split("[")[-1].rstrip("]"))
    assert len(pids) == 2, output.decode(errors="replace")[-2000:]


def test_several_workers_on_sqlite_are_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toteflow",
            "server",
            "--workers",
            "2",
            "--database-url",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 2
    assert "several workers need PostgreSQL" in done.stderr
