"""Fake MT-SICS and NCI scales answering on the master side of a pseudo-terminal."""

from __future__ import annotations

import os
import select
import threading
from dataclasses import dataclass

from tests.integration.ptys import PtyDevice


@dataclass
class Platform:
    """What is on the fake scale right now; tests change it while the scale runs."""

    mode: str = "weight"  # weight | overload | underload | error | busy | silent
    weight: str = "1.234"
    unit: str = "kg"
    stable: bool = True


class FakeScale:
    """Reads commands from the pty and answers like the real protocol would."""

    def __init__(self, device: PtyDevice, protocol: str) -> None:
        self.device = device
        self.protocol = protocol
        self.platform = Platform()
        self.commands: list[bytes] = []
        self._polled = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def wait_commands(self, count: int, timeout: float = 10.0) -> None:
        """Block until `count` commands in all have arrived."""
        with self._polled:
            if not self._polled.wait_for(lambda: len(self.commands) >= count, timeout):
                raise AssertionError(f"only {len(self.commands)} of {count} commands came")

    def _serve(self) -> None:
        master = self.device.master
        assert master is not None
        end = b"\r\n" if self.protocol == "mt-sics" else b"\r"
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                pending += os.read(master, 256)
            except OSError:
                return  # the reader's side is closed between tests
            while end in pending:
                command, pending = pending.split(end, 1)
                with self._polled:
                    self.commands.append(command + end)
                    self._polled.notify_all()
                reply = self.reply(command)
                if reply:
                    self.device.write(reply)

    def reply(self, command: bytes) -> bytes:
        p = self.platform
        if p.mode == "silent":
            return b""
        if self.protocol == "mt-sics":
            if command not in (b"S", b"SI"):
                return b"ES\r\n"
            line = {
                "overload": "S +",
                "underload": "S -",
                "error": "EL",
                "busy": "S I",
            }.get(p.mode)
            if line is None:
                line = f"S {'S' if p.stable else 'D'} {p.weight:>10} {p.unit}"
            return line.encode() + b"\r\n"
        if command != b"W":
            return b"\n?\r\x03"
        if p.mode == "error":
            return b"\n?\r\x03"
        byte1 = 0x30 | (0 if p.stable else 0x01)
        byte2 = 0x30 | {"overload": 0x02, "underload": 0x01}.get(p.mode, 0)
        status = bytes([byte1, byte2])
        if p.mode in ("overload", "underload"):
            return b"\n" + status + b"\r\x03"
        return f"\n{p.weight}{p.unit}\r\n".encode() + status + b"\r\x03"
