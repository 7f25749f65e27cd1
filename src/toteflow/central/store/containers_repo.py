"""Carts and totes over SQLModel."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from toteflow.central.store import tables as t
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page


class SqlContainerRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, carts: list[c.CartCreate], totes: list[c.ToteCreate]) -> tuple[int, int]:
        known_carts = set(self.session.exec(select(col(t.Cart.code))))
        known_totes = set(self.session.exec(select(col(t.Tote.code))))
        new_carts = [cart.model_dump() for cart in carts if cart.code not in known_carts]
        new_totes = [tote.model_dump() for tote in totes if tote.code not in known_totes]
        t.insert_rows(self.session, t.Cart, new_carts)
        t.insert_rows(self.session, t.Tote, new_totes)
        return len(new_carts), len(new_totes)

    def carts(self, offset: int, limit: int) -> Page[c.Cart]:
        total = self.session.exec(select(func.count()).select_from(t.Cart)).one()
        rows = self.session.exec(
            select(t.Cart).order_by(col(t.Cart.code)).offset(offset).limit(limit)
        )
        items = [c.Cart.model_validate(row, from_attributes=True) for row in rows]
        return Page(items=items, total=total, offset=offset, limit=limit)

    def totes(self, offset: int, limit: int) -> Page[c.Tote]:
        total = self.session.exec(select(func.count()).select_from(t.Tote)).one()
        rows = self.session.exec(
            select(t.Tote).order_by(col(t.Tote.code)).offset(offset).limit(limit)
        )
        items = [c.Tote.model_validate(row, from_attributes=True) for row in rows]
        return Page(items=items, total=total, offset=offset, limit=limit)
