"""The receiving use cases called online: the same rules as the pushed events, answered at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.receiving.cases import receive_case, receive_pallet
from toteflow.central.services.receiving.closing import close_line, finish, stored_confirmation
from toteflow.central.services.receiving.common import Receiver, announce
from toteflow.central.services.receiving.confirmation import confirmation_csv
from toteflow.central.services.receiving.policy import ReceiptSettings
from toteflow.central.services.receiving.unlisted import receive_unlisted
from toteflow.central.services.waves.common import retrying
from toteflow.contracts import receipts as r
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Refused
from toteflow.domain.roles import Permission

T = TypeVar("T")
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


class ReceivingService:
    def __init__(
        self, uow: UnitOfWorkFactory, settings: ReceiptSettings, *, clock: Clock = _now
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.clock = clock

    def receive_case(self, actor: Actor, body: r.CaseReceived) -> r.ReceiptResult:
        actor.require(Permission.PUT_AWAY)
        return self._run(
            actor, body.notice, lambda uow, who: receive_case(uow, who, body, self.clock())
        )

    def receive_pallet(self, actor: Actor, body: r.PalletReceived) -> r.ReceiptResult:
        actor.require(Permission.PUT_AWAY)
        return self._run(
            actor, body.notice, lambda uow, who: receive_pallet(uow, who, body, self.clock())
        )

    def not_on_notice(self, actor: Actor, body: r.NotOnNotice) -> r.ReceiptResult:
        """Units held for a supervisor, and the floor exception that asks them to decide."""
        actor.require(Permission.PUT_AWAY)

        def work(uow: UnitOfWork, who: Receiver) -> r.ReceiptResult:
            result, raised = receive_unlisted(uow, who, body, self.clock())
            uow.exceptions.open_many(
                [
                    {
                        "kind": "not_on_notice",
                        "reason": raised["reason"][:300],
                        "station_id": actor.station_id,
                        "user_id": actor.user_id,
                        "event_id": None,
                        "task_line_id": None,
                        "detail": raised["detail"],
                    }
                ]
            )
            return result

        return self._run(actor, body.notice, work)

    def close_line(self, actor: Actor, body: r.LineClosed) -> r.ReceiptResult:
        actor.require(Permission.PUT_AWAY)
        return self._run(
            actor, body.notice, lambda uow, who: close_line(uow, who, body, self.clock())
        )

    def finish(self, actor: Actor, reference: str | None) -> r.ReceiptConfirmation:
        """The receiver's "finished": the notice received, its confirmation to the ERP."""
        actor.require(Permission.PUT_AWAY)
        if reference is None:
            raise Refused("a blind receipt has no notice to finish: its cases are in already")
        return self._run(
            actor,
            reference,
            lambda uow, who: finish(uow, who, reference, self.clock(), by="station"),
        )

    def close(self, actor: Actor, reference: str, body: r.CloseNotice) -> r.ReceiptConfirmation:
        """A supervisor closes the notice: what is received is what came."""
        actor.require(Permission.MANAGE_NOTICES)
        return self._run(
            actor,
            reference,
            lambda uow, who: finish(
                uow, who, reference, self.clock(), by="supervisor", reason=body.reason or ""
            ),
        )

    def confirmation(self, actor: Actor, reference: str) -> r.ReceiptConfirmation:
        actor.require(Permission.READ_NOTICES)
        with self.uow() as uow:
            return stored_confirmation(uow, reference)

    def confirmation_csv(self, actor: Actor, reference: str) -> str:
        return confirmation_csv(self.confirmation(actor, reference))

    def _run(
        self, actor: Actor, reference: str | None, work: Callable[[UnitOfWork, Receiver], T]
    ) -> T:
        who = Receiver(actor, self.settings, actor.station_id, None)

        def run(uow: UnitOfWork) -> T:
            done = work(uow, who)
            if reference is not None:
                announce(uow, {reference})
            uow.commit()
            return done

        # A lost deadlock or serialization race (40P01, 40001) is run again from the start.
        return retrying(self.uow, run)
