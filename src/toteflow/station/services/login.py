"""Log-in at a station: a badge (and PIN) checked by the server, the person's role and session."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Protocol

from toteflow.domain.errors import ServiceError
from toteflow.domain.roles import Role


class ServerUnreachable(ServiceError):
    """The server did not answer: what needs it (log-in, new work) waits for the network."""


@dataclass(frozen=True)
class Person:
    """Who is logged in at this station, with the session the server gave them."""

    user_id: int
    name: str
    badge: str
    role: Role
    session_token: str = field(repr=False)

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else self.badge


class PeopleServer(Protocol):
    """The server's log-in API, as seen from a station (adapters.sync implements it).

    Refusals raise services.errors.Unauthenticated with the server's sentence; a server
    that cannot be reached raises ServerUnreachable.
    """

    async def login(self, badge: str, pin: str | None) -> Person: ...

    async def logout(self, person: Person) -> None: ...


class StationLogin:
    """Badge then PIN (when the site asks for one) into a Person, or a sentence why not."""

    def __init__(self, server: PeopleServer, *, pin_required: bool = True) -> None:
        self.server = server
        self.pin_required = pin_required

    async def login(self, badge: str, pin: str | None = None) -> Person:
        if self.pin_required and not pin:
            raise ServiceError("enter your PIN")
        return await self.server.login(badge.strip(), pin or None)

    async def logout(self, person: Person) -> None:
        """End the session on the server; offline, it simply runs out on its own."""
        with contextlib.suppress(ServerUnreachable):
            await self.server.logout(person)
