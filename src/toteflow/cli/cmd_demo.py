"""`toteflow demo`: seed the demo warehouse, run a server in the background, open a station."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import platformdirs
import typer

from toteflow.central import bootstrap
from toteflow.central.services import demo as demo_data
from toteflow.cli.common import ConfigOption, app, fail, settings_or_exit
from toteflow.config import Settings
from toteflow.domain.actor import SYSTEM


def demo_dir() -> Path:
    return Path(platformdirs.user_data_dir("toteflow", appauthor=False)) / "demo"


@app.command()
def demo(
    config: ConfigOption = None,
    seed: Annotated[int | None, typer.Option(help="seed number: same seed, same warehouse")] = None,
    port: Annotated[
        int | None, typer.Option(help="server port (default: configured, or free)")
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="reuse the last demo database instead of seeding anew")
    ] = False,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="where the demo keeps its files")
    ] = None,
) -> None:
    """Seed a demo warehouse, start a server in the background and open a station."""
    settings = settings_or_exit(config)
    home = folder or demo_dir()
    database = home / "server.db"
    url = f"sqlite:///{database}"
    if not keep and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    token_file = home / "station-token"
    if not keep or not database.exists():
        token = _seed(
            settings, url, seed if seed is not None else settings.demo.seed, home / "delivery"
        )
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
    chosen_port = port or _free_port(settings.server.port)
    server = _start_server(url, chosen_port, home / "server.log")
    try:
        base = f"http://127.0.0.1:{chosen_port}"
        _wait_healthy(base, server, home / "server.log")
        _banner(base, home)
        _run_station_or_wait(base, token_file)
    except KeyboardInterrupt:
        typer.echo("\nstopping the demo server…")
    finally:
        _stop(server)
    typer.echo("demo stopped; nothing is left running.")


def _seed(settings: Settings, url: str, seed: int, labels_dir: Path) -> str:
    from toteflow.shared.layout_file import load_layout

    layout_path = settings.resolve(settings.layout.file)
    try:
        layout = load_layout(layout_path)
    except ValueError as exc:
        fail(str(exc))
    started = time.perf_counter()
    typer.echo(f"seeding the demo warehouse (seed {seed}) from {layout_path} …")
    plan = demo_data.plan(
        layout,
        seed=seed,
        products=settings.demo.products,
        orders=settings.demo.orders,
        today=date.today(),
    )
    engine = bootstrap.open_database(url)
    services = bootstrap.build_services(engine, settings)
    site = demo_data.seed(
        services.catalogue,
        services.orders,
        services.people,
        services.containers,
        plan,
        services.notices,
    )
    if plan.delivery is not None:
        _print_delivery_labels(plan.delivery, labels_dir)
    # Faces' min/max before the release, so that the release replenishes what its waves
    # empty; then the sweep finds the face that starts below its minimum.
    faces = demo_data.set_face_limits(services.replenishment, plan)
    # Released waves, so that the demo picker finds work at the station.
    task_ids = demo_data.release_work(services.waves, services.wave_release)
    counted = demo_data.open_counts(services.counts, plan)
    services.replenishment.sweep(SYSTEM)
    replens = services.replenishment.open(SYSTEM, 0, 1).total
    engine.dispose()
    counts = ", ".join(f"{n} {what}" for what, n in site.counts.items())
    typer.echo(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
    typer.echo(
        f"released 2 waves: {len(task_ids)} pick tasks (a cart of orders first, then single "
        "orders) for the demo picker"
    )
    typer.echo(f"opened {counted} cycle counts for the demo counter")
    typer.echo(
        f"set a minimum and a maximum on {faces} pick faces: {replens} replenishments "
        "open for the demo replenisher"
    )
    return site.station_token


def _print_delivery_labels(delivery: demo_data.DemoDelivery, folder: Path) -> None:
    """Today's delivery's labels as pictures: what a receiver scans (or F9 scans for them)."""
    from toteflow.shared.labels.containers import ContainerLabel, render_container_labels
    from toteflow.shared.labels.inbound import case_label, pallet_label, render_inbound_png

    folder.mkdir(parents=True, exist_ok=True)
    for label in delivery.labels:
        if label.kind == "notice":
            caption = f"NOTICE · {label.description}"[:40]
            png = render_container_labels([ContainerLabel(label.code, caption)], "png")[0]
        elif label.kind == "pallet":
            png = render_inbound_png(pallet_label(label.code, label.description))
        else:
            made = case_label(
                label.code or None,
                lot=label.lot,
                expiry=label.expiry,
                description=label.description,
            )
            png = render_inbound_png(made)
        (folder / f"{label.name}.png").write_bytes(png)
    typer.echo(f"notice {delivery.notice.reference} arrives today: its labels are in {folder}")


def _free_port(preferred: int) -> int:
    """The preferred port if nothing listens there, else any free one."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "toteflow",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        url,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=_stop_with_parent
        )


def _stop_with_parent() -> None:
    """In the server's child process: ask Linux for SIGTERM when the demo process dies.

    A newcomer who closes the terminal window kills the demo without its clean-up; the server
    must not be left holding the port and the demo database.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"the demo server stopped at start-up; its log:\n{_tail(log)}", code=1)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    fail(f"the demo server did not answer within a minute; its log:\n{_tail(log)}", code=1)


def _tail(log: Path) -> str:
    lines = log.read_text(errors="replace").splitlines()
    return "\n".join(lines[-20:])


def _banner(base: str, home: Path) -> None:
    people = "\n".join(
        f"    {role.value:<11} badge {badge}  PIN {pin}  ({name})"
        for name, badge, pin, role in demo_data.DEMO_PEOPLE
    )
    typer.echo(
        f"""
toteflow demo server: {base}   (API docs: {base}/docs)
Log in at a station with a badge and PIN:
{people}
Station '{demo_data.DEMO_STATION}' token: {home / "station-token"}
Server log: {home / "server.log"}
"""
    )


def _run_station_or_wait(base: str, token_file: Path) -> None:
    # Without a terminal (a script, a test) there is no screen to open: serve the API.
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if not interactive or importlib.util.find_spec("toteflow.cli.cmd_station") is None:
        if not interactive:
            typer.echo(
                f"Open a station in a terminal: toteflow station --demo --server {base} "
                f"--token $(cat {token_file})"
            )
        typer.echo(
            "Try the API, e.g.\n"
            f"  TOKEN=$(cat {token_file})\n"
            f'  curl -s -X POST {base}/api/v1/auth/login -H "Authorization: Bearer $TOKEN" '
            '-H \'content-type: application/json\' -d \'{"badge": "B00103", "pin": "3333"}\'\n'
            "Press Ctrl+C to stop the demo."
        )
        while True:
            time.sleep(3600)
    station = importlib.import_module("toteflow.cli.cmd_station")
    typer.echo(
        "Opening the station: scan or type badge B00101 and Enter, PIN 1111; F2 asks for "
        "work; F9 scans what the screen asks for; F1 lists the keys.\n"
        "To pack what was picked: Ctrl+L, then badge B00102, PIN 2222; F9 scans the tote and "
        f"its items. Labels land as pictures in {token_file.parent / 'station' / 'labels'}\n"
        "To receive today's delivery: Ctrl+L, badge B00105, PIN 5555; F9 opens the notice "
        "(README: Receiving the demo delivery).\n"
        "To count: Ctrl+L, badge B00106, PIN 6666; F9 scans the location to count.\n"
        "To replenish a pick face: Ctrl+L, badge B00107, PIN 7777; F9 scans the source, the "
        "items and the face."
    )
    station.run_station(
        server_url=base,
        token=token_file.read_text().strip(),
        # Its own store beside the demo database: a fresh demo is a fresh station.
        data_dir=token_file.parent / "station",
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
