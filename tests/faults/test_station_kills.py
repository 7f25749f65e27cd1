"""kill -9 of a station process at random points of a picking session: none lost, none twice."""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.faults.harness import (
    DRAIN_DEADLINE,
    REPO,
    START_DEADLINE,
    Ack,
    Figures,
    Floor,
    ServerDb,
    ServerProcess,
    check_exactly_once,
    register_station,
    seed_floor,
    wait_for,
)
from tests.faults.proxy import FaultProxy

RecordProperty = Callable[[str, object], None]

QUICK_KILLS = 10
LONG_KILLS = 200
SCRIPT = [sys.executable, "-m", "tests.faults.station_script"]


class Run:
    """One station script process: started fresh, or forked by the fork server."""

    def __init__(self, pid: int, log: Path, forks: ForkServer | None, popen: Any = None) -> None:
        self.pid = pid
        self.log = log
        self._forks = forks
        self._popen: subprocess.Popen[bytes] | None = popen
        self.code: int | None = None

    @property
    def forked(self) -> bool:
        return self._popen is None

    def poll(self) -> int | None:
        if self.code is None:
            if self._popen is not None:
                self.code = self._popen.poll()
            else:
                assert self._forks is not None
                self.code = self._forks.ask({"poll": self.pid})["exit"]
        return self.code

    def wait(self, timeout: float) -> int:
        if self.code is None:
            if self._popen is not None:
                self.code = self._popen.wait(timeout=timeout)
            else:
                assert self._forks is not None
                self.code = self._forks.ask({"wait": self.pid}, timeout=timeout)["exit"]
        assert self.code is not None
        return self.code

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.wait(timeout=60)

    def said(self) -> list[str]:
        # Only whole lines: whatever the kill cut short was never said.
        return self.log.read_text(errors="replace").split("\n")[:-1]

    def errors(self) -> str:
        return self.log.with_suffix(".err").read_text(errors="replace")[-3000:]


class ForkServer:
    """`station_script --fork-server`: imports once, then forks a station process per run."""

    def __init__(self, logs: Path) -> None:
        with (logs / "fork-server.err").open("wb") as err:
            self.process = subprocess.Popen(
                [*SCRIPT, "--fork-server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=REPO,
            )
        self.ask(None, timeout=START_DEADLINE)

    def ask(self, command: dict[str, Any] | None, *, timeout: float = 60.0) -> dict[str, Any]:
        process = self.process
        assert process.stdin is not None
        assert process.stdout is not None
        if command is not None:
            process.stdin.write(json.dumps(command).encode() + b"\n")
            process.stdin.flush()
        ready, _w, _x = select.select([process.stdout], [], [], timeout)
        line = process.stdout.readline() if ready else b""
        if not line:
            pytest.fail(f"the fork server did not answer {command} within {timeout:.0f} s")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        # End of input: the fork server kills whatever child is left, then exits.
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=60)
        if self.process.stdout is not None:
            self.process.stdout.close()


class ScriptRuns:
    """Starts tests/faults/station_script.py again and again on one station folder."""

    def __init__(self, folder: Path, floor: Floor, logs: Path, *, fork: bool) -> None:
        self.folder = folder
        self.floor = floor
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.runs = 0
        self.forks = ForkServer(logs) if fork else None

    def start(self, seed: int, *, drain: bool = False, fresh: bool = False) -> Run:
        """A station session; `fresh`: a new Python process rather than a fork."""
        self.runs += 1
        log = self.logs / f"run-{self.runs:03d}.log"
        args = ["--data-dir", str(self.folder), "--seed", str(seed)]
        if drain:
            args.append("--drain")
        else:
            args += ["--user", str(self.floor.user_id), "--line", str(self.floor.line_id)]
        if self.forks is not None and not fresh:
            err = log.with_suffix(".err")
            # Made here: a kill may land before the child has opened them.
            log.touch()
            err.touch()
            pid = self.forks.ask({"run": args, "out": str(log), "err": str(err)})["pid"]
            return Run(int(pid), log, self.forks)
        with log.open("wb") as out, log.with_suffix(".err").open("wb") as err_file:
            popen = subprocess.Popen([*SCRIPT, *args], stdout=out, stderr=err_file, cwd=REPO)
        return Run(popen.pid, log, None, popen)

    def close(self) -> None:
        if self.forks is not None:
            self.forks.close()


def acks(lines: list[str]) -> dict[int, Ack]:
    found: dict[int, Ack] = {}
    for line in lines:
        if line.startswith("ACK "):
            _ack, seq, event_id, quantity = line.split()
            found[int(seq)] = Ack(UUID(event_id), int(quantity))
    return found


def kill_session(db: ServerDb, folder: Path, *, kills: int, seed: int, fresh_every: int) -> Figures:
    """Start, SIGKILL and restart the station script `kills` times, then let it drain.

    Most runs are forked from a process that has already imported toteflow (a Python
    start-up costs seconds on a loaded machine); every `fresh_every`-th run, the first and
    the final drain are whole new processes. Either way each run opens the store anew.
    """
    rng = random.Random(seed)
    engine = db.engine()
    floor = seed_floor(engine, 1)
    server = ServerProcess(db, folder).start()
    # Replies to pushes are held a little on their way back: a kill then often lands after
    # the server committed a batch and before the station read the answer.
    proxy = FaultProxy(server.port, seed=seed).start()
    proxy.reply_delay = (0.02, 0.25)
    station = folder / "station"
    acknowledged: dict[int, Ack] = {}
    where: Counter[str] = Counter()
    runs = ScriptRuns(station, floor, folder / "runs", fork=True)
    try:
        register_station(station, floor, proxy.url)
        for kill in range(kills):
            run = runs.start(rng.randrange(2**32), fresh=kill % fresh_every == 0)
            where["fresh processes"] += run.forked is False

            def ready(run: Run = run) -> bool:
                if run.poll() is not None:
                    pytest.fail(f"the station script exited by itself:\n{run.errors()}")
                return "READY" in run.said()

            moment = rng.choices(["start", "any", "reply"], weights=[1, 6, 3])[0]
            if moment == "start":
                # Somewhere in start-up: opening (and checking) the store, the first push.
                time.sleep(rng.uniform(0.0, 1.0))
            else:
                wait_for(ready, deadline=START_DEADLINE, what="the station script to start")
                time.sleep(rng.uniform(0.02, 1.0))
                if moment == "reply":
                    # The server has committed a push and its answer is on the way back.
                    proxy.reply_held.wait(timeout=30)
            held = proxy.reply_held.is_set()
            at_server = proxy.counters.in_flight > 0
            if run.poll() is not None:
                pytest.fail(f"the station script exited before its kill:\n{run.errors()}")
            run.kill()
            said = run.said()
            for seq, ack in acks(said).items():
                assert acknowledged.setdefault(seq, ack) == ack, f"seq {seq} acknowledged twice"
            where["while a push was at the server"] += at_server
            where["while a push reply was held"] += held
            where["in the middle of a scan"] += bool(said) and said[-1].startswith("BEGIN")
            where["before the script was ready"] += "READY" not in said
        run = runs.start(seed, drain=True, fresh=True)
        try:
            code = run.wait(timeout=DRAIN_DEADLINE)
        except subprocess.TimeoutExpired:
            run.kill()
            pytest.fail(f"the station did not drain:\n{run.errors()}\n{server.tail()}")
        assert code == 0, f"{run.said()}\n{run.errors()}"
        figures = check_exactly_once(engine, floor, station, acknowledged, kills=kills)
        figures.notes.update(where)
        figures.notes["push replies held back"] = proxy.counters.replies_delayed
        return figures
    finally:
        runs.close()
        proxy.close()
        server.stop()
        engine.dispose()


def report(figures: Figures, db: ServerDb, record_property: RecordProperty) -> None:
    line = f"{db.kind}: {figures.line()}"
    details = ", ".join(f"{what}: {n}" for what, n in figures.notes.items())
    print(f"{line} ({details})")
    record_property("fault figures", f"{line} ({details})")


@pytest.mark.faults
def test_station_killed_at_random_loses_nothing_and_applies_nothing_twice(
    sqlite_db: ServerDb, tmp_path: Path, record_property: RecordProperty
) -> None:
    figures = kill_session(sqlite_db, tmp_path, kills=QUICK_KILLS, seed=20261122, fresh_every=5)
    report(figures, sqlite_db, record_property)
    assert figures.acknowledged > 0


@pytest.mark.faults
@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_two_hundred_station_kills(
    server_db: ServerDb, tmp_path: Path, record_property: RecordProperty
) -> None:
    seed = int(os.environ.get("TOTEFLOW_FAULT_SEED", "7"))
    figures = kill_session(server_db, tmp_path, kills=LONG_KILLS, seed=seed, fresh_every=10)
    report(figures, server_db, record_property)
    # Every kind of moment was hit, not just the easy ones.
    assert figures.notes["while a push reply was held"] > 0
    assert figures.notes["in the middle of a scan"] > 0
    assert figures.notes["answered as duplicates"] > 0
