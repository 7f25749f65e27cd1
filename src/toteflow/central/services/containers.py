"""Use cases for carts and totes: register them (one by one or by ranges), see where each is
in its life, free a tote emptied by hand. Every change reaches the stations' registry."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.services import container_events
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.containers import ContainerRefusal, empty_tote
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.roles import Permission


class ContainerService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def add(self, actor: Actor, body: c.ContainersCreate) -> c.ContainersCreated:
        return self.register(actor, body.all_carts(), body.all_totes())

    def register(
        self, actor: Actor, carts_in: list[c.CartCreate], totes_in: list[c.ToteCreate]
    ) -> c.ContainersCreated:
        """Register the carts and totes not known yet (an import file's, however many)."""
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            carts, totes = uow.containers.add(carts_in, totes_in)
            uow.audit.record(
                actor,
                "containers.added",
                "container",
                "",
                {"carts": len(carts), "totes": len(totes)},
            )
            container_events.announce(
                uow,
                [c.ContainerRecord(kind="cart", code=code) for code in carts]
                + [c.ContainerRecord(kind="tote", code=code) for code in totes],
            )
            uow.commit()
        return c.ContainersCreated(carts_added=len(carts), totes_added=len(totes))

    def carts(
        self, actor: Actor, offset: int, limit: int, state: str | None = None
    ) -> Page[c.Cart]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.containers.carts(offset, limit, state)

    def totes(
        self, actor: Actor, offset: int, limit: int, state: str | None = None
    ) -> Page[c.Tote]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.containers.totes(offset, limit, state)

    def tote(self, actor: Actor, code: str) -> c.Tote:
        """One tote and where it is: free, in a task's slot, travelling to X, at packing."""
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            found = uow.containers.tote(code)
        if found is None:
            raise NotFound(f"tote {code} is not registered")
        return found

    def cart(self, actor: Actor, code: str) -> c.Cart:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            found = uow.containers.cart(code)
        if found is None:
            raise NotFound(f"cart {code} is not registered")
        return found

    def empty(self, actor: Actor, code: str, body: c.ToteEmptied) -> c.Tote:
        """A tote found empty (at packing, or after a problem): free for any order again."""
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            holding = uow.containers.tote_holdings([code], lock=True).get(code)
            if holding is None:
                raise NotFound(f"tote {code} is not registered")
            try:
                new = empty_tote(code, holding)
            except ContainerRefusal as refusal:
                raise Refused(str(refusal)) from None
            uow.containers.save_totes({code: new})
            uow.audit.record(
                actor,
                "tote.emptied",
                "tote",
                code,
                {
                    "reason": body.reason,
                    "was": holding.describe(),
                    "order": holding.order_reference,
                },
            )
            container_events.announce(uow, uow.containers.records("tote", [code]))
            uow.commit()
            found = uow.containers.tote(code)
        assert found is not None
        return found
