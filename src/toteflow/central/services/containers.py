"""Use cases for carts and totes: register them, list them."""

from __future__ import annotations

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.contracts import containers as c
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission


class ContainerService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def add(self, actor: Actor, body: c.ContainersCreate) -> c.ContainersCreated:
        actor.require(Permission.MANAGE_CATALOGUE)
        with self.uow() as uow:
            carts, totes = uow.containers.add(body.carts, body.totes)
            uow.audit.record(
                actor, "containers.added", "container", "", {"carts": carts, "totes": totes}
            )
            uow.commit()
        return c.ContainersCreated(carts_added=carts, totes_added=totes)

    def carts(self, actor: Actor, offset: int, limit: int) -> Page[c.Cart]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.containers.carts(offset, limit)

    def totes(self, actor: Actor, offset: int, limit: int) -> Page[c.Tote]:
        actor.require(Permission.READ_CATALOGUE)
        with self.uow() as uow:
            return uow.containers.totes(offset, limit)
