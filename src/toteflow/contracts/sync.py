"""The station/server sync protocol: numbered events pushed in order, a change feed pulled."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator, model_validator

from toteflow.contracts.common import Id, Model, Moment, finite_json

EventType = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z_]*\.[a-z][a-z_]*$", max_length=40)
]


class Event(Model):
    """One floor action, numbered by the station that made it (1, 2, 3, ... without gaps)."""

    id: UUID
    seq: Id
    user_id: Id | None = None
    type: EventType
    payload: dict[str, Any] = Field(default_factory=dict)
    # The station's clock, for people reading the audit log; ordering never uses it.
    station_time: Moment

    @field_validator("payload")
    @classmethod
    def _storable(cls, payload: dict[str, Any]) -> dict[str, Any]:
        # Each event type's parser checks its own fields (and refuses the event alone); what
        # no event may carry is a number JSON cannot give back (1e999 reads as Infinity).
        # It is kept as JSON too: neither database can store a lone UTF-16 surrogate (JSON
        # may spell one, "\ud800") or, in PostgreSQL, a NUL: refuse them here (422).
        finite_json(payload)
        _check_text(payload, "payload")
        return payload


def _check_text(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)
    elif isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where} must not contain NUL (0x00) characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{where} is not valid Unicode text (a lone UTF-16 surrogate)"
            ) from None


class PushRequest(Model):
    station_id: Id
    events: list[Event] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _consecutive(self) -> PushRequest:
        seqs = [event.seq for event in self.events]
        if seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            raise ValueError("events must be in sequence order without gaps inside a batch")
        ids = [event.id for event in self.events]
        if len(set(ids)) != len(ids):
            twice = sorted({str(i) for i in ids if ids.count(i) > 1})
            raise ValueError(f"each event needs its own id; sent more than once: {twice[:5]}")
        return self


EventStatus = Literal["applied", "duplicate", "rejected"]


class EventResult(Model):
    id: UUID
    seq: int
    status: EventStatus
    # Why a rejected event was refused, in a sentence for the floor ("order SO-1 was cancelled").
    reason: str = ""
    result: dict[str, Any] = Field(default_factory=dict)


class PushResponse(Model):
    results: list[EventResult]
    # The highest sequence number the server has applied (or rejected) for this station.
    last_seq: int
    # Set when the batch started after a gap: resend from last_seq + 1.
    gap: bool = False


class Change(Model):
    seq: int
    kind: str
    entity: str
    entity_id: str
    payload: dict[str, Any]


class ChangesPage(Model):
    changes: list[Change]
    cursor: int
    more: bool
