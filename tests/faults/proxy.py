"""A loopback HTTP/1.1 proxy that loses, delays, duplicates and reorders requests on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = "127.0.0.1"
PUSH = b"POST /api/v1/sync/push "


@dataclass
class Counters:
    """What the proxy did; read by the tests to prove that a fault really happened."""

    requests: int = 0
    forwarded: int = 0
    duplicates_sent: int = 0
    replies_delayed: int = 0
    replies_dropped: int = 0
    requests_dropped: int = 0
    held: int = 0
    overtaken: int = 0
    # Requests the server has been sent and has not answered yet.
    in_flight: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class _Message:
    """One HTTP/1.1 message as raw bytes, with what framing needs from its head."""

    def __init__(self, head: bytes, body: bytes) -> None:
        self.head = head
        self.body = body

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def first_line(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0]


def _headers(head: bytes) -> dict[bytes, bytes]:
    headers: dict[bytes, bytes] = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


async def _read_message(reader: asyncio.StreamReader, *, response: bool) -> _Message | None:
    """The next request or response on `reader`, or None when the peer closed (or cut it)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    headers = _headers(head)
    try:
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            body = b""
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";", 1)[0].strip(), 16)
                body += size_line
                if size == 0:
                    # Trailers (usually none) end with an empty line.
                    while True:
                        trailer = await reader.readuntil(b"\r\n")
                        body += trailer
                        if trailer == b"\r\n":
                            return _Message(head, body)
                body += await reader.readexactly(size + 2)
        if b"content-length" in headers:
            return _Message(head, await reader.readexactly(int(headers[b"content-length"])))
        status = head.split(b" ", 2)[1] if response else b""
        if response and not (status.startswith(b"1") or status in (b"204", b"304")):
            # No length: the body runs to the end of the connection.
            return _Message(head, await reader.read())
        return _Message(head, b"")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        return None


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()


class FaultProxy:
    """Forwards 127.0.0.1:port to 127.0.0.1:upstream_port, request by request.

    Faults are switched from the test's thread by setting attributes; they apply to pushes
    (`POST /api/v1/sync/push`) unless said otherwise:

    - `duplicate`: chance that a push is also sent on a second connection (its reply is
      thrown away); `duplicate_order` says when: "first" (the copy is answered before the
      push goes; the station gets "duplicate" answers), "alongside" (both at once) or "either".
    - `reply_delay`: (low, high) seconds each push reply is held before it is passed on.
    - `hold_next`: that many pushes are held back until a later request (on another
      connection, after the client gave up) has overtaken them; then they are delivered.
    - `cut`: nothing is forwarded either way (every request, not only pushes): requests
      are lost, replies in flight are lost, connections hang until healed or given up.
    - `one_way`: requests (every one) reach the server, their replies are lost.

    Everything is bounded: a held request or hanging connection waits at most `max_hold`
    seconds, and the proxy shuts itself down after `lifetime` seconds.
    """

    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        lifetime: float = 1800.0,
        max_hold: float = 60.0,
        matches: Callable[[bytes], bool] | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.lifetime = lifetime
        self.max_hold = max_hold
        self.matches = matches or (lambda first_line: first_line.startswith(PUSH))
        self.rng = random.Random(seed)
        self.duplicate = 0.0
        self.duplicate_order = "either"
        self.reply_delay: tuple[float, float] | None = None
        self.hold_next = 0
        self.cut = False
        self.one_way = False
        self.counters = Counters()
        # Set while a push reply the server already sent is held (kill tests wait for it).
        self.reply_held = threading.Event()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._held_waiting: list[asyncio.Event] = []
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle (test thread) ---------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=60):
            raise RuntimeError("the fault proxy did not start within a minute")
        return self

    def close(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                future: Future[None] = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
                with contextlib.suppress(Exception):
                    future.result(timeout=30)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def heal(self) -> None:
        """Back to a faithful network: every fault off."""
        self.duplicate = 0.0
        self.duplicate_order = "either"
        self.reply_delay = None
        self.hold_next = 0
        self.cut = False
        self.one_way = False

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counters.extra[name] = self.counters.extra.get(name, 0) + n

    # -- the proxy's own thread ---------------------------------------------------------

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        self._server = await asyncio.start_server(self._track, LOOPBACK, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        with contextlib.suppress(TimeoutError):
            # Bounded in time whatever the test does: the proxy never outlives its lifetime.
            await asyncio.wait_for(self._stopped.wait(), timeout=self.lifetime)
        await self._shutdown()

    async def _shutdown(self) -> None:
        self._stopped.set()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _track(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            _close(writer)
            self._tasks.discard(task)

    async def _open_upstream(
        self,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        try:
            return await asyncio.open_connection(LOOPBACK, self.upstream_port)
        except OSError:
            return None

    async def _exchange(
        self, upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: _Message
    ) -> _Message | None:
        reader, writer = upstream
        try:
            writer.write(request.raw)
            await writer.drain()
        except ConnectionError:
            return None
        with self._lock:
            self.counters.forwarded += 1
            self.counters.in_flight += 1
        try:
            return await _read_message(reader, response=True)
        finally:
            with self._lock:
                self.counters.in_flight -= 1

    async def _hang(self, client: asyncio.StreamReader, until: Callable[[], bool]) -> None:
        """Leave the client waiting (as a lost packet does) until `until()` or it gives up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_hold
        while loop.time() < deadline and not until():
            try:
                data = await asyncio.wait_for(client.read(65536), 0.05)
            except TimeoutError:
                continue
            if not data:
                return

    async def _send_copy(self, request: _Message) -> None:
        upstream = await self._open_upstream()
        if upstream is None:
            return
        try:
            with self._lock:
                self.counters.duplicates_sent += 1
            await self._exchange(upstream, request)
        finally:
            _close(upstream[1])

    async def _connection(self, client: asyncio.StreamReader, out: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                request = await _read_message(client, response=False)
                if request is None:
                    return
                with self._lock:
                    self.counters.requests += 1
                push = self.matches(request.first_line)
                if self.cut:
                    with self._lock:
                        self.counters.requests_dropped += 1
                    await self._hang(client, lambda: not self.cut)
                    return
                if push and self.hold_next > 0:
                    self.hold_next -= 1
                    await self._hold_until_overtaken(client, out, request)
                    return
                # The copy is sent first or at the same time: either way the server sees the
                # same batch twice, and the station's request may be the second to arrive.
                copy: asyncio.Task[None] | None = None
                if push and self.duplicate and self.rng.random() < self.duplicate:
                    order = self.duplicate_order
                    if order == "first" or (order == "either" and self.rng.random() < 0.5):
                        await self._send_copy(request)
                    else:
                        copy = asyncio.create_task(self._send_copy(request))
                if upstream is None:
                    upstream = await self._open_upstream()
                    if upstream is None:
                        return  # the server is down: the client sees its connection close
                reply = await self._exchange(upstream, request)
                if copy is not None:
                    await copy
                if reply is None:
                    return
                self._overtook()
                if self.cut or self.one_way:
                    # The server committed; the station never hears of it.
                    with self._lock:
                        self.counters.replies_dropped += 1
                    await self._hang(client, lambda: not (self.cut or self.one_way))
                    return
                if push and self.reply_delay is not None:
                    low, high = self.reply_delay
                    with self._lock:
                        self.counters.replies_delayed += 1
                    self.reply_held.set()
                    try:
                        await asyncio.sleep(self.rng.uniform(low, high))
                    finally:
                        self.reply_held.clear()
                out.write(reply.raw)
                await out.drain()
        finally:
            if upstream is not None:
                _close(upstream[1])

    def _overtook(self) -> None:
        # A later request got through: the held ones may go now, out of their order.
        for waiting in self._held_waiting:
            waiting.set()

    async def _hold_until_overtaken(
        self, client: asyncio.StreamReader, out: asyncio.StreamWriter, request: _Message
    ) -> None:
        overtaken = asyncio.Event()
        self._held_waiting.append(overtaken)
        with self._lock:
            self.counters.held += 1
        try:
            # The client waits for its reply until it gives up and sends again on a new
            # connection; that later request overtakes this one.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(overtaken.wait(), timeout=self.max_hold)
        finally:
            self._held_waiting.remove(overtaken)
        if overtaken.is_set():
            with self._lock:
                self.counters.overtaken += 1
        upstream = await self._open_upstream()
        if upstream is None:
            return
        try:
            reply = await self._exchange(upstream, request)
        finally:
            _close(upstream[1])
        if reply is not None and not out.is_closing():
            # Usually nobody listens any more; a client that still waits gets its answer.
            with contextlib.suppress(ConnectionError):
                out.write(reply.raw)
                await out.drain()
