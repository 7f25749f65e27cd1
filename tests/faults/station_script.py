"""A scripted picker session in its own process, killed at random by tests/faults: picks + sync."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time

from toteflow.config import StationSettings
from toteflow.station.bootstrap import build_station
from toteflow.station.server_client.worker import SyncWorker
from toteflow.station.services.events import StationView


def say(line: str) -> None:
    # One write per line, flushed at once: a SIGKILL never leaves an ACK half-said, and every
    # line said before the kill is in the file the test reads.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", help="the station's data folder")
    parser.add_argument("--user", type=int, help="the picker's user id")
    parser.add_argument("--line", type=int, help="the task line to pick from")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--picks", type=int, default=100_000, help="at most this many picks")
    parser.add_argument("--max-pause", type=float, default=0.05, help="seconds between picks")
    parser.add_argument("--drain", action="store_true", help="pick nothing: sync, then exit")
    parser.add_argument("--deadline", type=float, default=300.0, help="stop after (seconds)")
    parser.add_argument(
        "--fork-server",
        action="store_true",
        help="import once, then fork a session per JSON command read from stdin",
    )
    return parser


def session(args: argparse.Namespace) -> int:
    """Pick and sync until killed (or the deadline); with --drain, sync until nothing waits."""
    if args.data_dir is None or (not args.drain and (args.user is None or args.line is None)):
        say("a session needs --data-dir, and --user and --line unless it drains")
        return 2
    rng = random.Random(args.seed)
    end = time.monotonic() + args.deadline
    station = build_station(StationSettings(data_dir=args.data_dir, sync_interval_seconds=0.5))
    thread = threading.Thread(target=station.worker.run_forever, name="sync", daemon=True)
    thread.start()
    say("READY")
    try:
        if args.drain:
            return _drain(station.worker, station.view, end)
        for n in range(args.picks):
            if time.monotonic() > end:
                break
            quantity = rng.randint(1, 3)
            say(f"BEGIN {n}")
            # The scan is acknowledged (the picker hears the good-scan beep) once this returns.
            event = station.floor.confirm_pick(args.user, args.line, quantity)
            say(f"ACK {event.seq} {event.id} {quantity}")
            time.sleep(rng.uniform(0, args.max_pause))
        say("DONE")
        return 0
    finally:
        station.worker.stop()
        thread.join(timeout=60)
        station.engine.dispose()


def _drain(worker: SyncWorker, view: StationView, end: float) -> int:
    while time.monotonic() < end:
        if worker.status.state == "online" and view.events_waiting() == 0:
            say(f"DRAINED {view.sync_state().last_acked_seq}")
            return 0
        time.sleep(0.05)
    say(f"NOT DRAINED: {view.events_waiting()} waiting, {worker.status}")
    return 1


def serve_forks() -> int:
    """Fork a fresh session process per command, so a restart costs no Python start-up.

    Each child opens the store anew, as a restarted station does; only the imports are
    shared. Commands (one JSON object a line): {"run": [args], "out": path, "err": path}
    answers {"pid": n}; {"poll": pid} and {"wait": pid} answer {"exit": code or null}.
    """
    # Nothing here may start a thread: fork() copies only the calling one.
    say(json.dumps({"ready": os.getpid()}))
    children: set[int] = set()
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if "run" in command:
                pid = _fork(command["run"], command["out"], command["err"])
                children.add(pid)
                say(json.dumps({"pid": pid}))
            elif "poll" in command or "wait" in command:
                pid = int(command.get("poll") or command["wait"])
                done, status = os.waitpid(pid, os.WNOHANG if "poll" in command else 0)
                if done:
                    children.discard(pid)
                say(json.dumps({"exit": os.waitstatus_to_exitcode(status) if done else None}))
    finally:
        # The test went away: no session outlives it.
        for pid in children:
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:
                pass
    return 0


def _fork(argv: list[str], out: str, err: str) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
        code = session(parser().parse_args(argv))
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # Never back into the fork server's loop or its exit handlers.
        os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.fork_server:
        return serve_forks()
    return session(args)


if __name__ == "__main__":
    sys.exit(main())
