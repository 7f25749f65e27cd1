"""Registering the station with its server: credentials and where its numbering starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from toteflow.domain.errors import Refused
from toteflow.domain.words import plural
from toteflow.station.ports.store import StationIdentity, StationUnitOfWorkFactory


@dataclass(frozen=True)
class Registered:
    identity: StationIdentity
    # True when the store became another station's (its old history was cleared).
    new_station: bool
    next_seq: int


def register(
    uow_factory: StationUnitOfWorkFactory,
    *,
    station_id: int,
    name: str,
    server_url: str,
    token: str,
    server_last_seq: int | None,
) -> Registered:
    """Store the credentials; a new token for the same station keeps every waiting event."""
    if not token.strip():
        raise Refused("the token is empty")
    identity = StationIdentity(
        station_id=station_id,
        name=name,
        server_url=server_url.rstrip("/"),
        token=token.strip(),
        registered_at=datetime.now(UTC),
    )
    with uow_factory() as uow:
        current = uow.identity.get()
        state = uow.sync.get()
        new_station = current is None or current.station_id != station_id
        if current is not None and current.station_id != station_id:
            waiting = uow.outbox.count_pending()
            unresolved = uow.exceptions.count_open()
            if waiting or unresolved:
                raise Refused(
                    f"this store is station {current.station_id} and still has "
                    f"{plural(waiting, 'event')} waiting and {plural(unresolved, 'exception')} "
                    "open: re-register it as "
                    f"station {current.station_id} (with a new token) until they are done"
                )
            # Another station's history (numbering, tasks, feed position) means nothing here.
            uow.outbox.clear()
            uow.tasks.clear()
            uow.sync.reset(next_seq=1, last_acked_seq=0, cursor=0)
            state = uow.sync.get()
        if server_last_seq is not None and state.next_seq == 1 and server_last_seq > 0:
            # A fresh store for a station the server knows (its old store was lost): number
            # on from the server's count, or every event would be refused as a reused number.
            uow.sync.reset(
                next_seq=server_last_seq + 1, last_acked_seq=server_last_seq, cursor=state.cursor
            )
        uow.identity.set(identity)
        uow.sync.set_flags(needs_reregistration=False, last_error="")
        next_seq = uow.sync.get().next_seq
        uow.commit()
    return Registered(identity, new_station, next_seq)
