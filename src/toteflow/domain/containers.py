"""Totes and carts through their life: free, in a task's slot, travelling, at packing, free."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from toteflow.domain.errors import Refused
from toteflow.domain.tasks import FloorRefusal
from toteflow.domain.zone_pass import destination_words

# Where a closed tote goes when its task names no other destination: the pack stations.
PACK = "pack"
# At most this many labels from one range: a typo ("T1-T9999999") must not fill the registry.
MAX_RANGE = 10_000


class ContainerKind(StrEnum):
    TOTE = "tote"
    CART = "cart"


class ContainerState(StrEnum):
    FREE = "free"
    IN_TASK = "in_task"  # in a slot of a task (a cart: taken for a task)
    TRAVELLING = "travelling"  # closed, on its way to its destination
    AT_PACKING = "at_packing"  # opened at a pack station


class ContainerRefusal(Refused):
    """A tote or cart that cannot be used here; str() says what to take instead."""


def place_name(destination: str) -> str:
    """`packing`, `zone B`, `consolidation`: where a closed tote travels to."""
    if destination in ("", PACK):
        return "packing"
    return destination_words(destination) if destination.startswith("zone:") else destination


def _units(n: int) -> str:
    return f"{n} unit{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Holding:
    """Where a tote or a cart is in its life, and what it holds (a cart: its task only)."""

    state: ContainerState = ContainerState.FREE
    task_id: int | None = None
    slot: int | None = None
    order_reference: str = ""
    destination: str = ""
    # Units in the tote when it was closed (picks of its slot), for the people looking at it.
    units: int = 0

    @property
    def free(self) -> bool:
        return self.state is ContainerState.FREE

    @property
    def travelling_to(self) -> str | None:
        """The destination of a closed tote on its way (`pack`, `zone B`, ...), else None."""
        if self.state is not ContainerState.TRAVELLING:
            return None
        return self.destination or PACK

    def describe(self) -> str:
        """`free`, `in slot 2 of task 7`, `travelling to zone B`, `waiting at packing`."""
        if self.state is ContainerState.IN_TASK:
            where = f"slot {self.slot} of " if self.slot is not None else ""
            return f"in {where}task {self.task_id}"
        if self.state is ContainerState.TRAVELLING:
            to = self.travelling_to or PACK
            return "waiting at packing" if to == PACK else f"travelling to {place_name(to)}"
        if self.state is ContainerState.AT_PACKING:
            return "open at a pack station"
        return "free"


def _tote_taken(code: str, holding: Holding) -> str:
    if holding.state is ContainerState.IN_TASK:
        order = f" (order {holding.order_reference})" if holding.order_reference else ""
        return f"tote {code} is {holding.describe()}{order}: take an empty tote"
    return (
        f"tote {code} holds order {holding.order_reference} ({_units(holding.units)}), "
        f"{holding.describe()}: take an empty tote"
    )


def _unregistered(kind: ContainerKind, code: str) -> ContainerRefusal:
    return ContainerRefusal(
        f"{kind.value} {code} is not registered: take another {kind.value} "
        "or ask a supervisor to register it"
    )


def take_tote(
    code: str,
    holding: Holding | None,
    *,
    registry_in_force: bool,
    task_id: int,
    slot: int,
    order_reference: str,
) -> Holding:
    """The tote put into a task's slot for an order, or ContainerRefusal saying why not.

    `holding` None: the tote is not registered, refused once the registry holds totes (a
    site that registered none works as before). A travelling tote of the same order is
    taken on by the next zone (pick and pass); any other tote in use is refused.
    """
    if holding is None:
        if registry_in_force:
            raise _unregistered(ContainerKind.TOTE, code)
        holding = Holding()
    same_slot = holding.task_id == task_id and holding.slot == slot
    if holding.state is ContainerState.IN_TASK and same_slot:
        return holding
    handed_on = (
        holding.state is ContainerState.TRAVELLING
        and holding.travelling_to != PACK
        and holding.order_reference == order_reference
    )
    if not holding.free and not handed_on:
        raise ContainerRefusal(_tote_taken(code, holding))
    return Holding(
        ContainerState.IN_TASK,
        task_id=task_id,
        slot=slot,
        order_reference=order_reference,
        units=holding.units if handed_on else 0,
    )


def close_tote(
    code: str, holding: Holding, *, task_id: int, slot: int, destination: str, units: int
) -> Holding:
    """The tote of a task's slot closed and sent to `destination` with `units` in it."""
    in_use = holding.state in (ContainerState.IN_TASK, ContainerState.TRAVELLING)
    if not in_use or (holding.task_id, holding.slot) != (task_id, slot):
        raise ContainerRefusal(
            f"tote {code} is not in slot {slot} of task {task_id} ({holding.describe()}): "
            "it cannot be closed there"
        )
    return replace(
        holding, state=ContainerState.TRAVELLING, destination=destination or PACK, units=units
    )


# A step of a tote's life that needs nothing but the tote: arriving, being emptied.
HoldingChange = Callable[[str, "Holding"], "Holding"]


def arrive_at_packing(code: str, holding: Holding) -> Holding:
    """A closed tote opened at a pack station."""
    if holding.state is ContainerState.AT_PACKING:
        return holding
    if holding.travelling_to != PACK:
        raise ContainerRefusal(f"tote {code} is {holding.describe()}, not on its way to packing")
    return replace(holding, state=ContainerState.AT_PACKING)


def empty_tote(code: str, holding: Holding) -> Holding:
    """A tote emptied (at packing, or by a supervisor): free again. Not one still in a task."""
    if holding.state is ContainerState.IN_TASK:
        raise ContainerRefusal(
            f"tote {code} is {holding.describe()}: it is freed when that task is finished"
        )
    return Holding()


def take_cart(
    code: str, holding: Holding | None, *, registry_in_force: bool, task_id: int
) -> Holding:
    """The cart taken for a task, or ContainerRefusal: not registered, or in another task."""
    if holding is None:
        if registry_in_force:
            raise _unregistered(ContainerKind.CART, code)
        holding = Holding()
    if holding.state is ContainerState.IN_TASK and holding.task_id != task_id:
        raise ContainerRefusal(
            f"cart {code} is in task {holding.task_id}: take another cart "
            "(or finish that task first)"
        )
    return Holding(ContainerState.IN_TASK, task_id=task_id)


# -- ranges of labels ---------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


class LabelRangeError(ValueError):
    """A range of labels that cannot be expanded; str() says why."""


def expand_range(text: str) -> list[str]:
    """`T000001-T000200` as its 200 labels (same prefix, same number of digits); a single
    label as itself. LabelRangeError when the two ends do not make a range."""
    text = text.strip()
    half, rest = divmod(len(text), 2)
    # The ends have the same width, so a range is two equal halves around the middle "-":
    # labels may have hyphens of their own ("C-0001-C-0009").
    if not rest or text[half] != "-":
        return [text]
    first, last = _NUMBERED.match(text[:half]), _NUMBERED.match(text[half + 1 :])
    if first is None or last is None:
        raise LabelRangeError(f"{text}: both ends of a range must end in digits")
    if first["prefix"] != last["prefix"]:
        raise LabelRangeError(
            f"{text}: both ends must start alike ({first['prefix']!r} and {last['prefix']!r})"
        )
    low, high = int(first["number"]), int(last["number"])
    if low > high:
        raise LabelRangeError(f"{text}: the first label comes after the last")
    if high - low + 1 > MAX_RANGE:
        raise LabelRangeError(f"{text}: {high - low + 1} labels; at most {MAX_RANGE} in one range")
    width = len(first["number"])
    return [f"{first['prefix']}{n:0{width}d}" for n in range(low, high + 1)]


# -- a batch of floor events --------------------------------------------------------------


@dataclass
class ToteRegistry:
    """The totes a batch of floor events names, loaded (and locked) up front, and what the
    batch does to them: refusals say why, as every other floor refusal does."""

    holdings: dict[str, Holding]  # the registered totes among those named
    in_force: bool  # the registry holds totes: an unregistered one is refused
    slot_orders: dict[tuple[int, int], str]  # (task, slot) -> order reference
    changed: dict[str, Holding] = field(default_factory=dict)
    # Totes closed by the batch: their units are counted when it is written, after its picks.
    closed: list[str] = field(default_factory=list)

    def assign(self, task_id: int, slot: int, tote: str) -> None:
        order = self.slot_orders.get((task_id, slot), "")
        try:
            new = take_tote(
                tote,
                self.holdings.get(tote),
                registry_in_force=self.in_force,
                task_id=task_id,
                slot=slot,
                order_reference=order,
            )
        except ContainerRefusal as refusal:
            raise FloorRefusal(str(refusal)) from None
        self._set(tote, new)

    def close(self, task_id: int, slot: int, tote: str, destination: str) -> None:
        holding = self.holdings.get(tote)
        if holding is None:
            return  # not registered and accepted when assigned: nothing to follow
        here = (holding.task_id, holding.slot) == (task_id, slot)
        if holding.state is ContainerState.TRAVELLING and here:
            return  # closed already
        try:
            # The units it carries from an earlier zone; the slot's are added when written.
            new = close_tote(
                tote,
                holding,
                task_id=task_id,
                slot=slot,
                destination=destination,
                units=holding.units,
            )
        except ContainerRefusal as refusal:
            raise FloorRefusal(str(refusal)) from None
        self._set(tote, new)
        self.closed.append(tote)

    def _set(self, tote: str, holding: Holding) -> None:
        if tote in self.holdings:
            self.holdings[tote] = self.changed[tote] = holding
