"""Carts and totes against the station's copy of the registry: decided here, offline too.

Each check runs in the floor action's own transaction and updates the copy with what the
station just did, so the next check at this station sees it before the server does. The
server checks again on push; a conflict it finds comes back as a refused event.
"""

from __future__ import annotations

from toteflow.domain import containers
from toteflow.domain.containers import ContainerState, Holding
from toteflow.station.ports.store import StationUnitOfWork


def take_tote(
    uow: StationUnitOfWork, task_id: int, slot: int, tote: str, order_reference: str
) -> None:
    """The tote goes into the slot, or ContainerRefusal says why it cannot."""
    held = containers.take_tote(
        tote,
        uow.containers.get("tote", tote),
        registry_in_force=uow.containers.in_force("tote"),
        task_id=task_id,
        slot=slot,
        order_reference=order_reference,
    )
    uow.containers.set("tote", tote, held)


def close_tote(
    uow: StationUnitOfWork,
    task_id: int,
    slot: int,
    tote: str,
    destination: str,
    units: int | None = None,
) -> None:
    """This station closed the tote: it travels with its slot's order and units."""
    current = uow.tasks.container(task_id, slot)
    if units is None:
        task = uow.tasks.get(task_id)
        lines = task.lines if task is not None else []
        units = sum(line.picked for line in lines if line.slot == slot)
    uow.containers.set(
        "tote",
        tote,
        Holding(
            ContainerState.TRAVELLING,
            task_id=task_id,
            slot=slot,
            order_reference=current.order_reference if current is not None else "",
            destination=destination or containers.PACK,
            units=units,
        ),
    )


def take_cart(uow: StationUnitOfWork, task_id: int, cart: str) -> bool:
    """The cart is taken for the task (True), was already (False), or ContainerRefusal."""
    current = uow.containers.get("cart", cart)
    held = containers.take_cart(
        cart, current, registry_in_force=uow.containers.in_force("cart"), task_id=task_id
    )
    if held == current:
        return False
    uow.containers.set("cart", cart, held)
    return True
