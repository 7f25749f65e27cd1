"""Who is acting: the person and the station every change is recorded against."""

from __future__ import annotations

from dataclasses import dataclass

from toteflow.domain.errors import Forbidden
from toteflow.domain.roles import Permission, Role, allows


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    station_id: int | None
    role: Role | None
    name: str = ""

    def require(self, permission: Permission) -> None:
        if self.role is None or not allows(self.role, permission):
            who = self.role.value if self.role else "a station without a logged-in person"
            raise Forbidden(f"{who} may not {permission.value.replace('_', ' ')}")


SYSTEM = Actor(user_id=None, station_id=None, role=Role.ADMIN, name="system")
