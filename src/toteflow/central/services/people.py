"""Use cases for people and stations: users, station registration, badge log-in, tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.contracts import people as p
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.credentials import hash_pin, new_token, token_digest, verify_pin
from toteflow.domain.errors import Forbidden, NotFound, Refused, Unauthenticated
from toteflow.domain.roles import Permission, Role


@dataclass(frozen=True)
class AuthPolicy:
    session_minutes: int = 600
    max_failures: int = 5
    lockout_minutes: int = 5
    pin_required: bool = True


def _now() -> datetime:
    return datetime.now(UTC)


class PeopleService:
    def __init__(self, uow: UnitOfWorkFactory, policy: AuthPolicy | None = None) -> None:
        self.uow = uow
        self.policy = policy or AuthPolicy()

    # users ------------------------------------------------------------------------------

    def add_user(self, actor: Actor, user: p.UserCreate) -> p.User:
        actor.require(Permission.MANAGE_USERS)
        _guard_admins(actor, target_role=user.role, target=None)
        with self.uow() as uow:
            created = uow.people.add_user(user, hash_pin(user.pin))
            uow.audit.record(
                actor,
                "user.created",
                "user",
                str(created.id),
                {"name": user.name, "badge": user.badge, "role": user.role.value},
            )
            uow.commit()
        return created

    def update_user(self, actor: Actor, user_id: int, changes: p.UserUpdate) -> p.User:
        actor.require(Permission.MANAGE_USERS)
        # An explicit null means 'leave as it is', the same as leaving the field out.
        fields = changes.model_dump(exclude_unset=True, exclude_none=True, exclude={"pin"})
        pin_hash = hash_pin(changes.pin) if changes.pin else None
        with self.uow() as uow:
            target = uow.people.get_user(user_id)
            if target is None:
                raise NotFound(f"no user {user_id}")
            _guard_admins(actor, target_role=changes.role, target=target)
            _guard_self(actor, changes, target)
            if _stops_being_admin(changes, target) and uow.people.active_admins() == [target.id]:
                raise Refused(
                    f"{target.name} is the last active admin: make another person an admin first"
                )
            updated = uow.people.update_user(user_id, fields, pin_hash)
            if updated is None:
                raise NotFound(f"no user {user_id}")
            detail = {k: (v.value if hasattr(v, "value") else v) for k, v in fields.items()}
            uow.audit.record(
                actor,
                "user.updated",
                "user",
                str(user_id),
                {**detail, "pin_changed": pin_hash is not None},
            )
            uow.commit()
        return updated

    def me(self, actor: Actor) -> p.User:
        with self.uow() as uow:
            user = uow.people.get_user(actor.user_id) if actor.user_id is not None else None
        if user is None:
            raise Unauthenticated("no person is logged in at this station")
        return user

    def users(self, actor: Actor, offset: int, limit: int) -> Page[p.User]:
        actor.require(Permission.MANAGE_USERS)
        with self.uow() as uow:
            return uow.people.list_users(offset, limit)

    # stations ---------------------------------------------------------------------------

    def register_station(self, actor: Actor, station: p.StationCreate) -> p.StationRegistered:
        actor.require(Permission.MANAGE_STATIONS)
        token = new_token()
        with self.uow() as uow:
            created = uow.people.add_station(station.name, token_digest(token))
            uow.audit.record(actor, "station.registered", "station", str(created.id), {})
            uow.commit()
        return p.StationRegistered(station=created, token=token)

    def rotate_station_token(self, actor: Actor, station_id: int) -> p.StationRegistered:
        """Issue a new token; the old one stops working at once.

        A revoked station stays revoked: the new token works only once an admin re-activates
        the station explicitly (`activate_station`), so a rotation never undoes a revocation.
        """
        actor.require(Permission.MANAGE_STATIONS)
        token = new_token()
        with self.uow() as uow:
            current = _station(uow, station_id)
            uow.people.set_station(
                station_id, active=current.active, token_hash=token_digest(token)
            )
            uow.audit.record(
                actor,
                "station.token_rotated",
                "station",
                str(station_id),
                {"active": current.active},
            )
            uow.commit()
            station = uow.people.get_station(station_id)
        assert station is not None
        return p.StationRegistered(station=station, token=token)

    def revoke_station(self, actor: Actor, station_id: int) -> p.Station:
        actor.require(Permission.MANAGE_STATIONS)
        with self.uow() as uow:
            _station(uow, station_id)
            uow.people.set_station(station_id, active=False, token_hash=None)
            uow.audit.record(actor, "station.revoked", "station", str(station_id), {})
            uow.commit()
            station = uow.people.get_station(station_id)
        assert station is not None
        return station

    def activate_station(self, actor: Actor, station_id: int) -> p.StationRegistered:
        """Re-activate a revoked station, with a new token: the one it had when revoked (a
        lost or stolen terminal's, perhaps) never works again."""
        actor.require(Permission.MANAGE_STATIONS)
        token = new_token()
        with self.uow() as uow:
            current = _station(uow, station_id)
            if current.active:
                raise Refused(f"station {current.name} is active: rotate its token instead")
            uow.people.set_station(station_id, active=True, token_hash=token_digest(token))
            uow.audit.record(actor, "station.reactivated", "station", str(station_id), {})
            uow.commit()
            station = uow.people.get_station(station_id)
        assert station is not None
        return p.StationRegistered(station=station, token=token)

    def stations(self, actor: Actor, offset: int, limit: int) -> Page[p.Station]:
        actor.require(Permission.MANAGE_STATIONS)
        with self.uow() as uow:
            return uow.people.list_stations(offset, limit)

    # authentication ---------------------------------------------------------------------

    def authenticate_station(self, token: str) -> p.Station:
        """The station a bearer token belongs to; revoked or unknown tokens are refused."""
        with self.uow() as uow:
            station = uow.people.station_by_token(token_digest(token))
            if station is None or not station.active:
                raise Unauthenticated(
                    "this station is not registered or its token was revoked: re-register it"
                )
            now = _now()
            # Writing last-seen on every request would serialise all requests on SQLite.
            if station.last_seen_at is None or now - station.last_seen_at > timedelta(minutes=1):
                uow.people.touch_station(station.id, now)
                uow.commit()
        return station

    def authenticate_session(self, station: p.Station, session_token: str) -> Actor:
        """The person behind a session token, which is only good at the station it began on."""
        with self.uow() as uow:
            info = uow.people.session_by_token(token_digest(session_token))
        if info is None or info.ended or info.expires_at <= _now():
            raise Unauthenticated("your log-in has ended: scan your badge again")
        if info.station_id != station.id:
            raise Unauthenticated("this log-in belongs to another station: scan your badge here")
        if not info.user.active:
            raise Unauthenticated("this user is deactivated")
        return Actor(info.user.id, station.id, info.user.role, info.user.name)

    def login(self, station: p.Station, login: p.Login) -> p.SessionOut:
        """Badge (and PIN) to a short-lived session tied to this station."""
        refused = Unauthenticated("badge or PIN not recognised")
        locked = Unauthenticated("too many wrong PINs: try again in a few minutes")
        with self.uow() as uow:
            creds = uow.people.credentials(login.badge)
            anonymous = Actor(None, station.id, None)
            if creds is None:
                uow.audit.record(
                    anonymous, "login.failed", "badge", login.badge, {"why": "unknown"}
                )
                uow.commit()
                raise refused
            user = creds.user
            actor = Actor(user.id, station.id, user.role, user.name)
            now = _now()
            if creds.locked_until and creds.locked_until > now:
                uow.audit.record(actor, "login.refused", "user", str(user.id), {"why": "locked"})
                uow.commit()
                raise locked
            pin_ok = (
                verify_pin(login.pin, creds.pin_hash)
                if login.pin is not None
                else not self.policy.pin_required
            )
            if not pin_ok or not user.active:
                # The count comes from the update itself, never from the read above: wrong
                # PINs sent at the same moment all read the same old count.
                failures = uow.people.login_failed(
                    user.id,
                    lock_at=self.policy.max_failures,
                    lock_until=now + timedelta(minutes=self.policy.lockout_minutes),
                )
                why = "inactive" if not user.active else "wrong pin"
                detail = {"why": why, "failures": failures}
                uow.audit.record(actor, "login.failed", "user", str(user.id), detail)
                uow.commit()
                # Past the limit, the badge was locked by a try sent alongside this one.
                raise locked if failures > self.policy.max_failures else refused
            if not uow.people.login_succeeded(user.id, now):
                # Wrong PINs sent meanwhile locked the badge: the right one does not undo that.
                uow.audit.record(actor, "login.refused", "user", str(user.id), {"why": "locked"})
                uow.commit()
                raise locked
            token = new_token()
            expires = now + timedelta(minutes=self.policy.session_minutes)
            uow.people.add_session(token_digest(token), user.id, station.id, expires)
            uow.audit.record(actor, "login", "user", str(user.id), {"station": station.name})
            uow.commit()
        return p.SessionOut(token=token, user=user, station=station.name, expires_at=expires)

    def logout(self, actor: Actor, session_token: str) -> None:
        with self.uow() as uow:
            uow.people.end_session(token_digest(session_token), _now())
            uow.audit.record(actor, "logout", "user", str(actor.user_id), {})
            uow.commit()

    def record_denial(self, actor: Actor, action: str, what: str, why: str) -> None:
        """Audit a refused request (401 or 403) in its own transaction."""
        with self.uow() as uow:
            uow.audit.record(actor, action, "request", what[:64], {"why": why})
            uow.commit()

    def audit(
        self,
        actor: Actor,
        entity: str | None,
        entity_id: str | None,
        action: str | None,
        offset: int,
        limit: int,
    ) -> Page[p.AuditEntry]:
        actor.require(Permission.READ_AUDIT)
        with self.uow() as uow:
            return uow.audit.find(entity, entity_id, action, offset, limit)


def _station(uow: UnitOfWork, station_id: int) -> p.Station:
    station = uow.people.get_station(station_id)
    if station is None:
        raise NotFound(f"no station {station_id}")
    return station


def _guard_admins(actor: Actor, *, target_role: Role | None, target: p.User | None) -> None:
    """Only admins make, change or re-PIN admins."""
    if actor.role == Role.ADMIN:
        return
    if target_role == Role.ADMIN or (target is not None and target.role == Role.ADMIN):
        raise Forbidden("only an admin may create or change an admin")


def _guard_self(actor: Actor, changes: p.UserUpdate, target: p.User) -> None:
    """Nobody, an admin neither, changes their own role or deactivates themselves."""
    if target.id != actor.user_id:
        return
    if changes.role not in (None, target.role):
        raise Forbidden("nobody may change their own role: ask another admin")
    if changes.active is False:
        raise Forbidden("nobody may deactivate themselves: ask another admin")


def _stops_being_admin(changes: p.UserUpdate, target: p.User) -> bool:
    """Whether the change takes an active admin out of the admins who can act."""
    if target.role != Role.ADMIN or not target.active:
        return False
    return changes.role not in (None, Role.ADMIN) or changes.active is False
