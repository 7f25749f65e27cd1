"""The background sync worker: push the outbox in order, pull the change feed, report status."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from toteflow.station.ports.store import (
    StationIdentity,
    StationUnitOfWorkFactory,
    SyncState,
    SyncStateName,
    SyncStatus,
)
from toteflow.station.server_client.client import (
    BadReply,
    ServerTrouble,
    StationRefused,
    SyncClient,
    SyncError,
    TokenRefused,
)
from toteflow.station.services import sync as station_sync

__all__ = ["Backoff", "SyncStateName", "SyncStatus", "SyncWorker"]

log = logging.getLogger("toteflow.sync")
Sleeper = Callable[[float], Awaitable[None]]


class Backoff:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s... up to `cap`, each spread by half."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None):
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def delay(self, failures: int) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(0, failures - 1))
        # "Equal jitter": never less than half, so a fleet of stations coming back after an
        # outage spreads out without any one of them hammering the server.
        return float(ceiling / 2 + self.rng.uniform(0, ceiling / 2))


def utcnow() -> datetime:
    return datetime.now(UTC)


class SyncWorker:
    """Runs until stopped; pauses and resumes with the network without anyone's help."""

    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        http: httpx.AsyncClient,
        *,
        batch_size: int = 500,
        page_size: int = 500,
        interval: float = 2.0,
        backoff: Backoff | None = None,
        sleep: Sleeper | None = None,
        clock: Callable[[], datetime] = utcnow,
        close_http: bool = False,
    ) -> None:
        if not 1 <= batch_size <= 500:
            raise ValueError("batch_size must be 1 to 500 (the server's limit)")
        self.uow = uow
        self.http = http
        self.batch_size = batch_size
        self.page_size = page_size
        self.interval = interval
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.close_http = close_http
        # Tests pass a sleeper that records delays and returns at once: no wall-clock waits.
        self._sleep = sleep
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._status = SyncStatus("starting")
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._kick: asyncio.Event | None = None
        self._stopping = False
        self._woken = False
        # Ask the server where it stands at the first quiet round after a start or a failure:
        # a server restored from a backup would otherwise learn of the events it lost only at
        # this station's next push.
        self._verify = True

    # -- status ------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    def subscribe(self, listener: Callable[[SyncStatus], None]) -> Callable[[], None]:
        """Call `listener` with every new status (on the worker's thread); returns unsubscribe.

        A Textual app passes a function that posts a Message: post_message is thread-safe.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _publish(self, status: SyncStatus) -> None:
        with self._lock:
            if status == self._status:
                return
            self._status = status
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:
                log.exception("a sync status listener failed")

    def _publish_from_store(
        self, state: SyncStateName, *, error: str | None = None, contact: bool = False
    ) -> None:
        with self.uow() as uow:
            sync_state = uow.sync.get()
            waiting = uow.outbox.count_pending()
            exceptions = uow.exceptions.count_open()
        previous = self.status
        self._publish(
            SyncStatus(
                state=state,
                waiting=waiting,
                last_error=sync_state.last_error if error is None else error,
                exceptions_open=exceptions,
                cursor=sync_state.cursor,
                last_acked_seq=sync_state.last_acked_seq,
                last_contact_at=self.clock() if contact else previous.last_contact_at,
            )
        )

    # -- control (thread-safe) ---------------------------------------------------------

    def wake(self) -> None:
        """Push now rather than at the next interval (a floor action was just recorded)."""
        self._woken = True
        self._kick_loop()

    def stop(self) -> None:
        self._stopping = True
        self._kick_loop()

    def _kick_loop(self) -> None:
        loop, kick = self._loop, self._kick
        if loop is not None and kick is not None and not loop.is_closed():
            # RuntimeError: the loop closed in between, so nothing is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(kick.set)

    # -- running -----------------------------------------------------------------------

    def run_forever(self) -> None:
        """Run on the calling thread until stop(): for a thread worker or a standalone process."""
        asyncio.run(self.run())

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._kick = asyncio.Event()
        failures = 0
        try:
            while not self._stopping:
                self._woken = False
                try:
                    await self.sync_once()
                except SyncError as exc:
                    failures += 1
                    self._verify = True
                    delay = self.backoff.delay(failures)
                    if isinstance(exc, ServerTrouble) and exc.retry_after is not None:
                        delay = min(max(delay, exc.retry_after), self.backoff.cap * 2)
                    await self._pause(delay, wakeable=False)
                    continue
                failures = 0
                if not self._woken:
                    await self._pause(self.interval, wakeable=True)
        finally:
            self._loop = None
            if self.close_http:
                await self.http.aclose()

    async def _pause(self, delay: float, *, wakeable: bool) -> None:
        if self._sleep is not None:
            await self._sleep(delay)
            return
        assert self._loop is not None
        assert self._kick is not None
        deadline = self._loop.time() + delay
        while not self._stopping:
            remaining = deadline - self._loop.time()
            if remaining <= 0 or (wakeable and self._woken):
                return
            self._kick.clear()
            try:
                await asyncio.wait_for(self._kick.wait(), timeout=remaining)
            except TimeoutError:
                return
            # During a backoff a wake is ignored: a scan must not turn retries into a storm.

    async def sync_once(self) -> None:
        """Push everything waiting, then pull every change; raises SyncError to retry later."""
        with self.uow() as uow:
            identity = uow.identity.get()
            state = uow.sync.get()
        if identity is None:
            self._publish_from_store("not_registered")
            return
        if state.needs_reregistration:
            self._publish_from_store("needs_reregistration")
            return
        client = SyncClient(self.http, identity.server_url, identity.token)
        try:
            await self._push(client, identity, state)
            await self._pull(client, state)
        except TokenRefused as exc:
            self._needs_reregistration(identity, str(exc))
            return
        except StationRefused as exc:
            self._failed("error", str(exc))
            raise
        except BadReply as exc:
            self._failed("error", str(exc))
            raise
        except SyncError as exc:
            self._failed("offline", str(exc))
            raise
        self._verify = False
        self._publish_from_store("online", contact=True)

    async def _push(self, client: SyncClient, identity: StationIdentity, state: SyncState) -> None:
        after = state.last_acked_seq
        # Only what was waiting when this round began: a picker who scans faster than a push
        # goes round would otherwise keep the pull (new work, cancellations) out for good.
        # Later events go in the next round, which the wake that recorded them starts.
        until = state.next_seq - 1
        gaps = 0
        size = self.batch_size
        while not self._stopping:
            with self.uow() as uow:
                batch = [e for e in uow.outbox.after(after, size) if e.seq <= until]
            if not batch:
                if not self._verify or after == 0:
                    return
                self._verify = False
                server_last = await client.probe_last_seq(identity.station_id)
                if server_last >= after:
                    return
                log.warning("the server is at seq %d, not %d: resending", server_last, after)
                with self.uow() as uow:
                    station_sync.reopen_after(uow, server_last)
                    uow.commit()
                after = server_last
                continue
            self._publish_from_store("catching_up", contact=True)
            try:
                response = await client.push(identity.station_id, [e.to_wire() for e in batch])
            except BadReply as exc:
                if exc.status != 413 or size == 1:
                    raise
                # Too large for the server's body limit: smaller batches, same order.
                size = max(1, size // 2)
                continue
            with self.uow() as uow:
                outcome = station_sync.apply_push_response(uow, batch, response, self.clock())
                uow.commit()
            if outcome.rejected:
                log.warning("%d event(s) rejected by the server: see exceptions", outcome.rejected)
            if outcome.gap:
                gaps += 1
                log.warning("the server is at seq %d: resending from there", response.last_seq)
                if gaps > 3:
                    raise BadReply(
                        f"the server keeps answering a gap after seq {response.last_seq}"
                    )
            elif outcome.acked == 0:
                raise BadReply("the server answered none of the events pushed")
            else:
                gaps = 0
                # An answer in sequence already shows where the server stands.
                self._verify = False
            after = outcome.resume_after

    async def _pull(self, client: SyncClient, state: SyncState) -> None:
        cursor = state.cursor
        while not self._stopping:
            page = await client.changes(cursor, self.page_size)
            with self.uow() as uow:
                outcome = station_sync.apply_changes(uow, page, self.clock())
                uow.commit()
            for problem in outcome.skipped:
                log.warning("change feed: %s", problem)
            if not page.more:
                return
            if page.cursor <= cursor:
                raise BadReply(f"the change feed says more but stays at cursor {cursor}")
            cursor = page.cursor
            self._publish_from_store("catching_up", contact=True)

    def _failed(self, state: SyncStateName, message: str) -> None:
        log.warning("sync: %s", message)
        with self.uow() as uow:
            uow.sync.set_flags(last_error=message)
            uow.commit()
        self._publish_from_store(state, error=message)

    def _needs_reregistration(self, used: StationIdentity, message: str) -> None:
        log.warning("sync: %s", message)
        with self.uow() as uow:
            current = uow.identity.get()
            # A register run meanwhile (new token) must not be undone by the old token's 401.
            if current is not None and current.token == used.token:
                uow.sync.set_flags(needs_reregistration=True, last_error=message)
                uow.commit()
        self._publish_from_store("needs_reregistration")
