"""Wire models for users, stations, log-in sessions and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints

from toteflow.contracts.common import Flag, Model, ShortText
from toteflow.domain.roles import Role

Badge = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9\-]{3,40}$")]
Pin = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4,12}$")]


class UserCreate(Model):
    name: ShortText
    badge: Badge
    pin: Pin
    role: Role


class UserUpdate(Model):
    name: ShortText | None = None
    pin: Pin | None = None
    role: Role | None = None
    active: Flag | None = None


class User(Model):
    id: int
    name: str
    badge: str
    role: Role
    active: bool


class StationCreate(Model):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_]{0,59}$")
    ]


class Station(Model):
    id: int
    name: str
    active: bool
    created_at: datetime
    last_seen_at: datetime | None


class StationRegistered(Model):
    """Returned once at registration: the token is never shown again."""

    station: Station
    token: str


class Login(Model):
    badge: Badge
    pin: Pin | None = None


class SessionOut(Model):
    token: str
    user: User
    station: str
    expires_at: datetime


class AuditEntry(Model):
    id: int
    at: datetime
    user_id: int | None
    station_id: int | None
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]
    event_id: str | None
