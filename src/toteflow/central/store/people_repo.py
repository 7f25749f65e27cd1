"""Users, stations and log-in sessions over SQLModel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.central.ports.repos import Credentials, SessionInfo
from toteflow.central.store import tables as t
from toteflow.contracts import people as p
from toteflow.contracts.common import Page
from toteflow.domain.errors import Conflict
from toteflow.domain.roles import Role


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timestamps back without a zone; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _user(row: t.User) -> p.User:
    return p.User(
        id=row.id or 0, name=row.name, badge=row.badge, role=Role(row.role), active=row.active
    )


def _station(row: t.Station) -> p.Station:
    return p.Station(
        id=row.id or 0,
        name=row.name,
        active=row.active,
        created_at=_aware(row.created_at) or row.created_at,
        last_seen_at=_aware(row.last_seen_at),
    )


class SqlPeopleRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_user(self, user: p.UserCreate, pin_hash: str) -> p.User:
        if self.session.exec(select(col(t.User.id)).where(col(t.User.badge) == user.badge)).first():
            raise Conflict(f"badge {user.badge} is already in use")
        row = t.User(name=user.name, badge=user.badge, pin_hash=pin_hash, role=user.role.value)
        self.session.add(row)
        self.session.flush()
        return _user(row)

    def update_user(
        self, user_id: int, changes: dict[str, Any], pin_hash: str | None
    ) -> p.User | None:
        row = self.session.get(t.User, user_id)
        if row is None:
            return None
        for key, value in changes.items():
            setattr(row, key, value.value if isinstance(value, Role) else value)
        if pin_hash is not None:
            row.pin_hash = pin_hash
            row.failed_logins = 0
            row.locked_until = None
        self.session.add(row)
        self.session.flush()
        return _user(row)

    def get_user(self, user_id: int) -> p.User | None:
        row = self.session.get(t.User, user_id)
        return _user(row) if row else None

    def known_user_ids(self, user_ids: set[int]) -> set[int]:
        if not user_ids:
            return set()
        query = sa.select(col(t.User.id)).where(col(t.User.id).in_(sorted(user_ids)))
        return {int(row) for row in self.session.execute(query).scalars()}

    def list_users(self, offset: int, limit: int) -> Page[p.User]:
        total = self.session.exec(select(func.count()).select_from(t.User)).one()
        rows = self.session.exec(
            select(t.User).order_by(col(t.User.id)).offset(offset).limit(limit)
        )
        return Page(items=[_user(r) for r in rows], total=total, offset=offset, limit=limit)

    def credentials(self, badge: str) -> Credentials | None:
        row = self.session.exec(select(t.User).where(col(t.User.badge) == badge)).first()
        if row is None:
            return None
        return Credentials(_user(row), row.pin_hash, row.failed_logins, _aware(row.locked_until))

    def login_failed(self, user_id: int, *, lock_at: int, lock_until: datetime) -> int:
        # Counted and decided in one statement: wrong PINs sent at the same moment each see
        # the count the others left, so the one that reaches `lock_at` sets the lock.
        user = col(t.User.failed_logins)
        counted = (
            sa.update(t.User)
            .where(col(t.User.id) == user_id)
            .values(
                failed_logins=user + 1,
                locked_until=sa.case(
                    (user + 1 >= lock_at, lock_until), else_=col(t.User.locked_until)
                ),
            )
            .returning(col(t.User.failed_logins))
        )
        return int(self.session.execute(counted).scalar_one())

    def login_succeeded(self, user_id: int, now: datetime) -> bool:
        # Only while the badge is not locked: wrong PINs that locked it after this log-in's
        # PIN was read must not be wiped out by it.
        locked_until = col(t.User.locked_until)
        reset = (
            sa.update(t.User)
            .where(col(t.User.id) == user_id)
            .where(sa.or_(locked_until.is_(None), locked_until <= now))
            .values(failed_logins=0, locked_until=None)
            .returning(col(t.User.id))
        )
        return self.session.execute(reset).first() is not None

    def active_admins(self) -> list[int]:
        # Locked, so that two admins demoting each other at once cannot both go through:
        # the second waits, then no longer counts the first.
        query = (
            sa.select(col(t.User.id))
            .where(col(t.User.role) == Role.ADMIN.value, col(t.User.active).is_(True))
            .order_by(col(t.User.id))
            .with_for_update()
        )
        return [int(row) for row in self.session.execute(query).scalars()]

    def add_station(self, name: str, token_hash: str) -> p.Station:
        if self.session.exec(select(col(t.Station.id)).where(col(t.Station.name) == name)).first():
            raise Conflict(f"a station named {name} already exists")
        row = t.Station(name=name, token_hash=token_hash)
        self.session.add(row)
        self.session.flush()
        return _station(row)

    def station_by_token(self, token_hash: str) -> p.Station | None:
        row = self.session.exec(
            select(t.Station).where(col(t.Station.token_hash) == token_hash)
        ).first()
        return _station(row) if row else None

    def get_station(self, station_id: int) -> p.Station | None:
        row = self.session.get(t.Station, station_id)
        return _station(row) if row else None

    def list_stations(self, offset: int, limit: int) -> Page[p.Station]:
        total = self.session.exec(select(func.count()).select_from(t.Station)).one()
        rows = self.session.exec(
            select(t.Station).order_by(col(t.Station.id)).offset(offset).limit(limit)
        )
        return Page(items=[_station(r) for r in rows], total=total, offset=offset, limit=limit)

    def set_station(self, station_id: int, *, active: bool, token_hash: str | None) -> None:
        values: dict[str, Any] = {"active": active}
        if token_hash is not None:
            values["token_hash"] = token_hash
        self.session.execute(
            sa.update(t.Station).where(col(t.Station.id) == station_id).values(**values)
        )

    def touch_station(self, station_id: int, at: datetime) -> None:
        self.session.execute(
            sa.update(t.Station).where(col(t.Station.id) == station_id).values(last_seen_at=at)
        )

    def add_session(
        self, token_hash: str, user_id: int, station_id: int, expires_at: datetime
    ) -> None:
        self.session.add(
            t.UserSession(
                token_hash=token_hash,
                user_id=user_id,
                station_id=station_id,
                expires_at=expires_at,
            )
        )
        self.session.flush()

    def session_by_token(self, token_hash: str) -> SessionInfo | None:
        found = self.session.exec(
            select(t.UserSession, t.User)
            .join(t.User, col(t.User.id) == col(t.UserSession.user_id))
            .where(col(t.UserSession.token_hash) == token_hash)
        ).first()
        if found is None:
            return None
        session, user = found
        return SessionInfo(
            user=_user(user),
            station_id=session.station_id,
            expires_at=_aware(session.expires_at) or session.expires_at,
            ended=session.ended_at is not None,
        )

    def end_session(self, token_hash: str, at: datetime) -> None:
        self.session.execute(
            sa.update(t.UserSession)
            .where(col(t.UserSession.token_hash) == token_hash)
            .values(ended_at=at)
        )
