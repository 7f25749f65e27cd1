"""The demo scanner: the label the walk asks for now, made up (no hardware, no labels)."""

from __future__ import annotations

from toteflow.contracts.tasks import TaskLine
from toteflow.domain.scan import CodeFormats
from toteflow.station.services.picker.state import WalkState


def expected_scan(state: WalkState, formats: CodeFormats) -> str | None:
    """The label the screen asks for now, for the demo key."""
    phase = state.phase
    cart = state.cart or state.task.cart or formats.format_cart(1)
    match phase:
        case "cart":
            return cart
        case "slot":
            return formats.format_cart_slot(cart, state.slot_needing_tote() or 1)
        case "tote" | "new_tote":
            slot = state.new_tote_for or state.setup_slot or state.slot_needing_tote() or 1
            arriving = state.arriving(slot) if phase == "tote" else None
            return arriving[0] if arriving else _free_tote(state, formats, slot)
        case "location":
            line = state.current_line()
            return line.location if line else None
        case "item" | "put":
            line = state.current_line()
            if line is None:
                return None
            if state.in_hand >= line.quantity - line.picked - line.shorted:
                if state.kind == "cart":
                    return formats.format_cart_slot(cart, line.slot)
                container = state.container(line.slot)
                return container.tote if container else None
            return demo_item_label(line)
        case _:
            return None


def _free_tote(state: WalkState, formats: CodeFormats, slot: int) -> str:
    taken = set(state.totes_in_use()) | {t.tote for t in state.closed}
    # A registered free tote when the station knows the registry: others are refused.
    registered = state.view.free_totes(1, exclude=taken)
    if registered:
        return registered[0]
    number = (state.task_id * 10 + slot) % 1_000_000
    while (code := formats.format_tote(number)) in taken:
        number = (number + 1) % 1_000_000
    return code


def demo_item_label(line: TaskLine) -> str | None:
    """What the demo scanner 'scans' for an item: its each barcode, as a GS1 code with
    the reserved lot and expiry when the product tracks them."""
    units = sorted(line.units, key=lambda u: u.units)
    if not units:
        return None
    barcode = units[0].barcode
    if not (line.lot_tracked or line.expiry_tracked) or not barcode.isdigit():
        return barcode
    parts = [f"]C101{barcode.zfill(14)}"]
    if line.expiry is not None:
        parts.append(f"17{line.expiry:%y%m%d}")
    if line.lot:
        parts.append(f"10{line.lot}")
    return "".join(parts)
