"""Totes and carts as pure rules: what may be taken, closed, freed, and why not."""

from __future__ import annotations

import pytest

from toteflow.domain.containers import (
    MAX_RANGE,
    ContainerRefusal,
    ContainerState,
    Holding,
    LabelRangeError,
    ToteRegistry,
    arrive_at_packing,
    close_tote,
    empty_tote,
    expand_range,
    take_cart,
    take_tote,
)
from toteflow.domain.tasks import FloorRefusal

FREE = Holding()


def taken(task_id: int = 7, slot: int = 2, order: str = "SO-1") -> Holding:
    return take_tote(
        "T000001", FREE, registry_in_force=True, task_id=task_id, slot=slot, order_reference=order
    )


def test_a_free_tote_goes_into_a_slot_then_travels_then_is_free_again() -> None:
    holding = taken()
    assert (holding.state, holding.task_id, holding.slot) == (ContainerState.IN_TASK, 7, 2)
    assert holding.describe() == "in slot 2 of task 7"
    closed = close_tote("T000001", holding, task_id=7, slot=2, destination="", units=3)
    assert closed.travelling_to == "pack"
    assert closed.describe() == "waiting at packing"
    at_desk = arrive_at_packing("T000001", closed)
    assert at_desk.state is ContainerState.AT_PACKING
    assert empty_tote("T000001", at_desk) == FREE


def test_a_tote_holding_another_order_is_refused_with_what_to_do() -> None:
    closed = close_tote(
        "T000014", taken(order="SO-100013"), task_id=7, slot=2, destination="pack", units=1
    )
    with pytest.raises(ContainerRefusal) as refused:
        take_tote(
            "T000014",
            closed,
            registry_in_force=True,
            task_id=8,
            slot=1,
            order_reference="SO-100030",
        )
    assert str(refused.value) == (
        "tote T000014 holds order SO-100013 (1 unit), waiting at packing: take an empty tote"
    )
    with pytest.raises(ContainerRefusal, match=r"is in slot 2 of task 7 \(order SO-1\)"):
        take_tote("T1", taken(), registry_in_force=True, task_id=8, slot=1, order_reference="SO-2")


def test_the_same_slot_again_is_no_change_and_the_next_zone_takes_its_order_on() -> None:
    holding = taken()
    assert (
        take_tote("T1", holding, registry_in_force=True, task_id=7, slot=2, order_reference="SO-1")
        == holding
    )
    to_b = close_tote("T1", holding, task_id=7, slot=2, destination="zone B", units=2)
    assert to_b.travelling_to == "zone B"
    assert to_b.describe() == "travelling to zone B"
    in_b = take_tote("T1", to_b, registry_in_force=True, task_id=9, slot=1, order_reference="SO-1")
    assert (in_b.task_id, in_b.units) == (9, 2)
    zone_b = r"holds order SO-1 \(2 units\), travelling to zone B"
    with pytest.raises(ContainerRefusal, match=zone_b):
        take_tote("T1", to_b, registry_in_force=True, task_id=9, slot=1, order_reference="SO-9")


def test_an_unregistered_tote_or_cart_is_refused_once_the_registry_holds_any() -> None:
    with pytest.raises(ContainerRefusal, match="tote T999999 is not registered"):
        take_tote(
            "T999999", None, registry_in_force=True, task_id=1, slot=1, order_reference="SO-1"
        )
    loose = take_tote(
        "T999999", None, registry_in_force=False, task_id=1, slot=1, order_reference="SO-1"
    )
    assert loose.state is ContainerState.IN_TASK
    with pytest.raises(ContainerRefusal, match="cart C0009 is not registered"):
        take_cart("C0009", None, registry_in_force=True, task_id=1)


def test_a_cart_is_one_task_s_until_that_task_ends() -> None:
    cart = take_cart("C0001", FREE, registry_in_force=True, task_id=3)
    assert take_cart("C0001", cart, registry_in_force=True, task_id=3) == cart
    with pytest.raises(ContainerRefusal, match="cart C0001 is in task 3: take another cart"):
        take_cart("C0001", cart, registry_in_force=True, task_id=4)


def test_closing_arriving_and_emptying_refuse_totes_in_the_wrong_place() -> None:
    with pytest.raises(ContainerRefusal, match="not in slot 1 of task 7"):
        close_tote("T1", taken(), task_id=7, slot=1, destination="pack", units=0)
    with pytest.raises(ContainerRefusal, match="not on its way to packing"):
        arrive_at_packing("T1", FREE)
    with pytest.raises(ContainerRefusal, match="freed when that task is finished"):
        empty_tote("T1", taken())


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("T000001-T000003", ["T000001", "T000002", "T000003"]),
        ("T000099-T000101", ["T000099", "T000100", "T000101"]),
        ("C-0001-C-0002", ["C-0001", "C-0002"]),
        ("T000005", ["T000005"]),
        (" C0001 ", ["C0001"]),
    ],
)
def test_a_range_of_labels_expands_keeping_prefix_and_width(text: str, labels: list[str]) -> None:
    assert expand_range(text) == labels


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("T000300-T000299", "the first label comes after the last"),
        ("T000001-X000009", "both ends must start alike"),
        ("TOTE-AB-TOTE-CD", "must end in digits"),
        (f"T000000-T{MAX_RANGE:06d}", f"at most {MAX_RANGE}"),
    ],
)
def test_a_bad_range_says_why(text: str, reason: str) -> None:
    with pytest.raises(LabelRangeError, match=reason):
        expand_range(text)


def test_a_batch_registry_refuses_as_a_floor_refusal_and_keeps_what_it_changed() -> None:
    busy = close_tote("T2", taken(order="SO-1"), task_id=7, slot=2, destination="pack", units=1)
    registry = ToteRegistry(
        holdings={"T1": FREE, "T2": busy},
        in_force=True,
        slot_orders={(8, 1): "SO-2", (8, 2): "SO-3"},
    )
    registry.assign(8, 1, "T1")
    with pytest.raises(FloorRefusal, match="tote T2 holds order SO-1"):
        registry.assign(8, 2, "T2")
    with pytest.raises(FloorRefusal, match="tote T3 is not registered"):
        registry.assign(8, 2, "T3")
    registry.close(8, 1, "T1", "pack")
    assert set(registry.changed) == {"T1"}
    assert registry.changed["T1"].travelling_to == "pack"
    assert registry.closed == ["T1"]
