"""Making replenishments: faces below minimum get one, never two, sourced by allocation rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from toteflow.central.ports.replenishment import FaceState, NewReplenishment, ReplenRow
from toteflow.central.ports.repos import UnitOfWork
from toteflow.domain.actor import SYSTEM, Actor
from toteflow.domain.replenishment import Trigger, choose_source, units_needed

REPLEN_CHANGE = "replenishment.updated"


@dataclass(frozen=True)
class ReplenPolicy:
    """The site's [replenishment] settings the server uses."""

    default_min_percent: int = 25
    sweep_minutes: float = 15.0


@dataclass
class Made:
    checked: int = 0
    below: int = 0
    created: list[int] = field(default_factory=list)
    without_source: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WaveContext:
    """A release's replenishments: the wave, and per face the first task that picks there."""

    wave_id: int
    first_task: Mapping[tuple[int, int], tuple[int, int]]  # face -> (priority, task id)


def replenish(
    uow: UnitOfWork,
    faces: Sequence[tuple[int, int]],
    trigger: Trigger,
    policy: ReplenPolicy,
    today: date | None,
    *,
    actor: Actor = SYSTEM,
    wave: WaveContext | None = None,
    skip_sources: Sequence[int] = (),
) -> Made:
    """One replenishment for each of these faces below its minimum that has none open.

    The face's level is what is on it (for a wave: what is free on it once the wave's
    reservations are made, the units its picks will take being as good as gone) plus what is
    already on its way; the quantity brings it up to its maximum (physically: what is on it
    counts). The database's unique index on open replenishments is the last word: two
    triggers at once make one, the other's insert does nothing.
    """
    made = Made()
    for state in uow.replenishment.states(faces, policy.default_min_percent):
        made.checked += 1
        level = state.free if wave is not None else state.on_face
        if level < state.limit.minimum:
            made.below += 1
        need = units_needed(level, state.open_units, state.limit)
        need = min(need, state.limit.maximum - state.on_face - state.open_units)
        if need <= 0:
            continue
        choice = choose_source(
            uow.replenishment.sources(state.product_id),
            need,
            fefo=state.expiry_tracked,
            today=today,
            face=state.location,
            skip=skip_sources,
        )
        if choice is None:
            made.without_source.append(f"{state.location} {state.sku}")
            continue
        plate_id = uow.replenishment.plate_id(choice.source.plate) if choice.whole_plate else None
        first = wave.first_task.get((state.location_id, state.product_id)) if wave else None
        new_id = uow.replenishment.add(
            NewReplenishment(
                location_id=state.location_id,
                product_id=state.product_id,
                source_stock_id=choice.source.stock_id,
                plate_id=plate_id,
                quantity=choice.quantity,
                trigger=trigger.value,
                wave_id=wave.wave_id if wave and first else None,
                before_task_id=first[1] if first else None,
                priority=first[0] if first else 5,
            )
        )
        if new_id is None:
            continue
        made.created.append(new_id)
        row = uow.replenishment.get(new_id)
        if row is not None:
            announce(uow, row)
            uow.audit.record(
                actor,
                "replenishment.created",
                "replenishment",
                str(new_id),
                _detail(state, row, trigger),
            )
    return made


def announce(uow: UnitOfWork, row: ReplenRow) -> None:
    """Tell every station: replenishers list open ones, and drop the others."""
    uow.feed.add_change(REPLEN_CHANGE, "replenishment", str(row.id), view(row))


def view(row: ReplenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "trigger": row.trigger,
        "location": row.location,
        "sku": row.sku,
        "description": row.description,
        "source": row.source,
        "source_kind": row.source_kind,
        "plate": row.plate,
        "lot": row.lot,
        "quantity": row.quantity,
        "moved": row.moved,
        "wave_id": row.wave_id,
        "before_task_id": row.before_task_id,
        "created_at": row.created_at.isoformat(),
        "barcodes": dict(row.barcodes),
    }


def _detail(state: FaceState, row: ReplenRow, trigger: Trigger) -> dict[str, Any]:
    return {
        "trigger": trigger.value,
        "face": state.location,
        "sku": state.sku,
        "on_face": state.on_face,
        "free": state.free,
        "minimum": state.limit.minimum,
        "maximum": state.limit.maximum,
        "source": row.source,
        "plate": row.plate,
        "quantity": row.quantity,
        "wave_id": row.wave_id,
        "before_task_id": row.before_task_id,
    }


def after_picks(
    policy: ReplenPolicy, today: Callable[[], date]
) -> Callable[[UnitOfWork, list[int]], None]:
    """The push's trigger: faces the batch's picks took stock from, checked against minimum."""

    def run(uow: UnitOfWork, stock_ids: list[int]) -> None:
        faces = uow.replenishment.faces_of_stock(stock_ids)
        if faces:
            replenish(uow, faces, Trigger.PICK, policy, today())

    return run


def after_release(
    policy: ReplenPolicy, today: Callable[[], date]
) -> Callable[[UnitOfWork, int, set[int], dict[tuple[int, int], tuple[int, int]]], None]:
    """The release's trigger: every face of the wave's products whose free stock, after the
    wave's reservations, is below its minimum, released with the wave and ordered before the
    first task that picks there."""

    def run(
        uow: UnitOfWork,
        wave_id: int,
        products: set[int],
        first_task: dict[tuple[int, int], tuple[int, int]],
    ) -> None:
        faces = uow.replenishment.faces_of_products(products)
        if faces:
            context = WaveContext(wave_id, first_task)
            replenish(uow, faces, Trigger.WAVE, policy, today(), wave=context)

    return run
