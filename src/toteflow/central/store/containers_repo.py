"""Carts and totes over SQLModel: the registry and where each container is in its life."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from toteflow.central.store import tables as t
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page
from toteflow.domain.containers import ContainerState, Holding

_IN_USE_AFTER_PICKING = ("travelling", "at_packing")


def _tote_holding(row: Any) -> Holding:
    return Holding(
        ContainerState(row.state),
        task_id=row.task_id,
        slot=row.slot,
        order_reference=row.reference or "",
        destination=row.destination,
        units=row.units,
    )


def _tote_public(row: Any) -> c.Tote:
    holding = _tote_holding(row)
    return c.Tote(
        id=row.id,
        code=row.code,
        volume_l=row.volume_l,
        state=holding.state.value,
        task_id=holding.task_id,
        slot=holding.slot,
        order_reference=holding.order_reference,
        destination=holding.destination,
        units=holding.units,
        travelling_to=holding.travelling_to,
        description=holding.describe(),
    )


class SqlContainerRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    # registering and listing ------------------------------------------------------------

    def add(
        self, carts: list[c.CartCreate], totes: list[c.ToteCreate]
    ) -> tuple[list[str], list[str]]:
        """Insert the codes not known yet; the codes added, carts then totes."""
        known_carts = set(self.session.exec(select(col(t.Cart.code))))
        known_totes = set(self.session.exec(select(col(t.Tote.code))))
        new_carts = {cart.code: cart.model_dump() for cart in carts if cart.code not in known_carts}
        new_totes = {tote.code: tote.model_dump() for tote in totes if tote.code not in known_totes}
        t.insert_rows(self.session, t.Cart, list(new_carts.values()))
        t.insert_rows(self.session, t.Tote, list(new_totes.values()))
        return list(new_carts), list(new_totes)

    def carts(self, offset: int, limit: int, state: str | None = None) -> Page[c.Cart]:
        where = [] if state is None else [col(t.Cart.state) == state]
        total = self.session.exec(select(func.count()).select_from(t.Cart).where(*where)).one()
        rows = self.session.exec(
            select(t.Cart).where(*where).order_by(col(t.Cart.code)).offset(offset).limit(limit)
        )
        items = [c.Cart.model_validate(row, from_attributes=True) for row in rows]
        return Page(items=items, total=total, offset=offset, limit=limit)

    def totes(self, offset: int, limit: int, state: str | None = None) -> Page[c.Tote]:
        tote = t.cols(t.Tote)
        where = [] if state is None else [tote.state == state]
        total = self.session.execute(
            sa.select(sa.func.count()).select_from(t.table(t.Tote)).where(*where)
        ).scalar_one()
        rows = self.session.execute(
            _tote_query().where(*where).order_by(tote.code).offset(offset).limit(limit)
        )
        return Page(
            items=[_tote_public(row) for row in rows], total=total, offset=offset, limit=limit
        )

    def tote(self, code: str) -> c.Tote | None:
        row = self.session.execute(_tote_query().where(t.cols(t.Tote).code == code)).first()
        return None if row is None else _tote_public(row)

    def cart(self, code: str) -> c.Cart | None:
        row = self.session.exec(select(t.Cart).where(col(t.Cart.code) == code)).first()
        return None if row is None else c.Cart.model_validate(row, from_attributes=True)

    def in_force(self, kind: str) -> bool:
        """True once any container of the kind is registered: unknown ones are refused."""
        model = t.Tote if kind == "tote" else t.Cart
        found = self.session.execute(sa.select(sa.exists().select_from(t.table(model))))
        return bool(found.scalar_one())

    # the life cycle ---------------------------------------------------------------------

    def tote_holdings(self, codes: Iterable[str], *, lock: bool = False) -> dict[str, Holding]:
        codes = sorted(set(codes))
        if not codes:
            return {}
        tote = t.cols(t.Tote)
        query = _tote_query().where(tote.code.in_(codes)).order_by(tote.code)
        if lock:
            # In code order: two pushes naming the same totes lock them in the same order.
            query = query.with_for_update(of=t.table(t.Tote))
        return {row.code: _tote_holding(row) for row in self.session.execute(query)}

    def cart_holding(self, code: str, *, lock: bool = False) -> Holding | None:
        cart = t.cols(t.Cart)
        query = sa.select(cart.state, cart.task_id).where(cart.code == code)
        row = self.session.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        return Holding(ContainerState(row.state), task_id=row.task_id)

    def slot_orders(self, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        pairs = set(pairs)
        if not pairs:
            return {}
        box, order = t.cols(t.TaskContainer), t.cols(t.Order)
        rows = self.session.execute(
            sa.select(box.task_id, box.slot, order.reference)
            .join(t.table(t.Order), order.id == box.order_id)
            .where(box.task_id.in_({task for task, _ in pairs}))
        )
        return {(r.task_id, r.slot): r.reference for r in rows if (r.task_id, r.slot) in pairs}

    def save_totes(self, holdings: dict[str, Holding], closed: Iterable[str] = ()) -> None:
        """Write the totes' new holdings; a tote just `closed` gets the units of its slot
        that no earlier tote of that slot (closed when full) carried away."""
        if not holdings:
            return
        closed = set(closed)
        references = {h.order_reference for h in holdings.values() if h.order_reference}
        order = t.cols(t.Order)
        rows = self.session.execute(
            sa.select(order.reference, order.id).where(order.reference.in_(references))
        )
        order_ids = {row.reference: row.id for row in rows}
        now = t.utcnow()
        values = []
        for code, holding in sorted(holdings.items()):
            units = holding.units
            if code in closed and holding.task_id is not None and holding.slot is not None:
                units += self._slot_units_left(code, holding.task_id, holding.slot)
            values.append(
                {
                    "c": code,
                    "state": holding.state.value,
                    "task_id": holding.task_id,
                    "slot": holding.slot,
                    "order_id": order_ids.get(holding.order_reference),
                    "destination": holding.destination,
                    "units": units,
                    "at": now,
                }
            )
        tote = t.cols(t.Tote)
        self.session.execute(
            sa.update(t.table(t.Tote))
            .where(tote.code == sa.bindparam("c"))
            .values(
                state=sa.bindparam("state"),
                task_id=sa.bindparam("task_id"),
                slot=sa.bindparam("slot"),
                order_id=sa.bindparam("order_id"),
                destination=sa.bindparam("destination"),
                units=sa.bindparam("units"),
                state_at=sa.bindparam("at"),
            ),
            values,
        )

    def _slot_units_left(self, code: str, task_id: int, slot: int) -> int:
        line, tote = t.cols(t.TaskLine), t.cols(t.Tote)
        picked = self.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(line.picked), 0)).where(
                line.task_id == task_id, line.slot == slot
            )
        ).scalar_one()
        carried = self.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(tote.units), 0)).where(
                tote.task_id == task_id,
                tote.slot == slot,
                tote.code != code,
                tote.state.in_(_IN_USE_AFTER_PICKING),
            )
        ).scalar_one()
        return max(0, int(picked) - int(carried))

    def save_cart(self, code: str, holding: Holding) -> None:
        cart = t.cols(t.Cart)
        self.session.execute(
            sa.update(t.table(t.Cart))
            .where(cart.code == code)
            .values(state=holding.state.value, task_id=holding.task_id, state_at=t.utcnow())
        )

    def free_of_tasks(self, task_ids: Iterable[int]) -> list[c.ContainerRecord]:
        """The carts and the never-closed (empty) totes of finished tasks become free."""
        ids = sorted(set(task_ids))
        if not ids:
            return []
        now = t.utcnow()
        cart, tote = t.cols(t.Cart), t.cols(t.Tote)
        carts = self.session.execute(
            sa.update(t.table(t.Cart))
            .where(cart.task_id.in_(ids), cart.state == "in_task")
            .values(state="free", task_id=None, state_at=now)
            .returning(cart.code)
        ).scalars()
        freed = [c.ContainerRecord(kind="cart", code=code) for code in carts]
        return freed + self._free_totes(
            sa.and_(tote.task_id.in_(ids), tote.state == "in_task"), now
        )

    def free_of_orders(self, references: Iterable[str]) -> list[c.ContainerRecord]:
        """The closed totes of orders just packed become free."""
        references = sorted(set(references))
        if not references:
            return []
        tote, order = t.cols(t.Tote), t.cols(t.Order)
        ids = sa.select(order.id).where(order.reference.in_(references)).scalar_subquery()
        return self._free_totes(
            sa.and_(tote.order_id.in_(ids), tote.state.in_(_IN_USE_AFTER_PICKING)), t.utcnow()
        )

    def _free_totes(self, where: Any, now: Any) -> list[c.ContainerRecord]:
        tote = t.cols(t.Tote)
        codes = self.session.execute(
            sa.update(t.table(t.Tote))
            .where(where)
            .values(
                state="free",
                task_id=None,
                slot=None,
                order_id=None,
                destination="",
                units=0,
                state_at=now,
            )
            .returning(tote.code)
        ).scalars()
        return [c.ContainerRecord(kind="tote", code=code) for code in sorted(codes)]

    def records(self, kind: str, codes: Iterable[str]) -> list[c.ContainerRecord]:
        """The feed's records of these containers, as they now stand."""
        codes = sorted(set(codes))
        if not codes:
            return []
        if kind == "tote":
            return [
                c.ContainerRecord.of("tote", code, holding)
                for code, holding in self.tote_holdings(codes).items()
            ]
        cart = t.cols(t.Cart)
        rows = self.session.execute(
            sa.select(cart.code, cart.state, cart.task_id)
            .where(cart.code.in_(codes))
            .order_by(cart.code)
        )
        return [
            c.ContainerRecord(kind="cart", code=r.code, state=r.state, task_id=r.task_id)
            for r in rows
        ]


def _tote_query() -> Any:
    tote, order = t.cols(t.Tote), t.cols(t.Order)
    return sa.select(
        tote.id,
        tote.code,
        tote.volume_l,
        tote.state,
        tote.task_id,
        tote.slot,
        tote.destination,
        tote.units,
        order.reference,
    ).select_from(t.table(t.Tote).outerjoin(t.table(t.Order), order.id == tote.order_id))
