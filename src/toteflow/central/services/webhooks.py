"""Webhook delivery: claim due messages from the database, POST them signed, retry with backoff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.ports.shipping import DueDelivery, WebhookFailed, WebhookSender
from toteflow.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    backoff_seconds,
    sign,
)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebhookPolicy:
    secret: str
    timeout_seconds: float = 10.0
    backoff_initial_seconds: float = 5.0
    backoff_max_seconds: float = 3600.0
    batch: int = 20


class WebhookService:
    """One pass delivers what is due; the queue is in the database, so restarts lose nothing."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        sender: WebhookSender,
        policy: WebhookPolicy,
        *,
        clock: Clock = utcnow,
    ) -> None:
        self.uow = uow
        self.sender = sender
        self.policy = policy
        self.clock = clock

    def deliver_due(self) -> int:
        """Send the deliveries that are due; how many were acknowledged."""
        now = self.clock()
        # Long enough for every claimed send to time out: meanwhile no other process retries.
        lease = now + timedelta(seconds=self.policy.timeout_seconds * (self.policy.batch + 1))
        with self.uow() as uow:
            due = uow.webhooks.claim_deliveries(now, lease, self.policy.batch)
            uow.commit()
        delivered = 0
        for delivery in due:
            delivered += self._send(delivery)
        return delivered

    def _send(self, delivery: DueDelivery) -> int:
        body = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.policy.secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: str(delivery.id),
        }
        status: int | None = None
        error = ""
        try:
            status = self.sender.send(delivery.url, body, headers)
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except WebhookFailed as exc:
            error = str(exc) or exc.__class__.__name__
        now = self.clock()
        with self.uow() as uow:
            if not error and status is not None:
                uow.webhooks.delivery_succeeded(delivery.id, status, now)
            else:
                wait = backoff_seconds(
                    delivery.attempts,
                    self.policy.backoff_initial_seconds,
                    self.policy.backoff_max_seconds,
                )
                uow.webhooks.delivery_failed(
                    delivery.id, status, error, now + timedelta(seconds=wait)
                )
            uow.commit()
        return 0 if error else 1
