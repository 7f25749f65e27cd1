"""Webhook sending over httpx, and the server's background thread that drains the queue."""

from __future__ import annotations

import logging
import threading

import httpx

from toteflow.central.ports.shipping import WebhookFailed
from toteflow.central.services.webhooks import WebhookService

log = logging.getLogger("toteflow.webhooks")


class HttpxWebhookSender:
    """POSTs with an injected httpx.Client (tests hand in a MockTransport or a real one)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise WebhookFailed(f"{exc.__class__.__name__}: {exc}") from None
        return response.status_code


class WebhookWorker:
    """Runs `WebhookService.deliver_due` every `poll_seconds` until stopped.

    Several server processes may each run one: the queue is in the database and deliveries
    are claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), so none is sent twice
    at once and none is lost when a process stops.
    """

    def __init__(self, service: WebhookService, poll_seconds: float) -> None:
        self.service = service
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="toteflow-webhooks", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due deliveries now (e.g. right after a manifest was closed)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.service.deliver_due()
            except Exception:
                # A database hiccup must not end the thread: log it and try again next round.
                log.exception("webhook delivery round failed")
                sent = 0
            if sent:
                continue
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
