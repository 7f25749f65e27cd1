"""Plan a batch of pack-station events in memory: cartons, labels, closed shipments, shorts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toteflow.domain.gs1 import SSCC_LENGTH, has_valid_check_digit
from toteflow.domain.orders import IllegalTransition, OrderStatus, advance
from toteflow.domain.tasks import FloorRefusal

# An order may be packed while its last totes are still being picked (several zones).
PACKABLE = frozenset({OrderStatus.PICKING, OrderStatus.PICKED})


@dataclass(frozen=True)
class PackCarton:
    shipment_key: str
    order: str
    box_no: int
    box_code: str
    sscc: str
    tracking: str
    carrier: str
    service: str
    weight_g: int
    expected_weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    contents: dict[str, int]


@dataclass(frozen=True)
class LabelPrinted:
    sscc: str
    printer: str


@dataclass(frozen=True)
class CloseShipment:
    shipment_key: str
    order: str
    box_count: int
    carrier: str
    service: str
    cost_cents: int | None
    partial: bool
    overridden: bool
    # Units the packer keyed in (the SKU typed, not scanned): they count against accuracy.
    keyed_units: int = 0


@dataclass(frozen=True)
class PackShort:
    order: str
    sku: str
    missing: int
    reason: str


ShippingCommand = PackCarton | LabelPrinted | CloseShipment | PackShort


@dataclass
class OrderState:
    id: int
    reference: str
    status: OrderStatus
    # Units picked per SKU: a box may not hold more than was picked for the order.
    picked: dict[str, int]


@dataclass
class ShipmentState:
    id: int | None  # None until written
    key: str
    order_id: int
    status: str  # open, packed, shipped
    boxes: int
    packed: dict[str, int]  # units per SKU in its boxes so far


@dataclass(frozen=True)
class SsccBlockRange:
    company_prefix: str
    extension_digit: int
    first: int
    last: int

    def holds(self, sscc: str) -> bool:
        if sscc[0] != str(self.extension_digit) or sscc[1 : 1 + len(self.company_prefix)] != (
            self.company_prefix
        ):
            return False
        serial = int(sscc[1 + len(self.company_prefix) : -1])
        return self.first <= serial <= self.last


@dataclass
class ShippingBatch:
    """What the batch may touch, read and locked up front; rows to write at the end."""

    orders: dict[str, OrderState]
    shipments: dict[str, ShipmentState]  # by key
    open_by_order: dict[int, str]  # order id -> key of its open or packed shipment
    known_ssccs: set[str]
    blocks: list[SsccBlockRange]
    new_shipments: list[tuple[ShipmentState, PackCarton]] = field(default_factory=list)
    new_boxes: list[PackCarton] = field(default_factory=list)
    printed: list[LabelPrinted] = field(default_factory=list)
    closed: list[CloseShipment] = field(default_factory=list)
    packed_orders: set[int] = field(default_factory=set)
    shorts: list[tuple[PackShort, int]] = field(default_factory=list)

    def apply(self, command: ShippingCommand) -> dict[str, Any]:
        """Apply in memory, or raise FloorRefusal having changed nothing."""
        if isinstance(command, PackCarton):
            return self._carton(command)
        if isinstance(command, LabelPrinted):
            return self._printed(command)
        if isinstance(command, CloseShipment):
            return self._close(command)
        return self._short(command)

    def _order(self, reference: str) -> OrderState:
        order = self.orders.get(reference)
        if order is None:
            raise FloorRefusal(f"there is no order {reference} on the server")
        return order

    def _carton(self, c: PackCarton) -> dict[str, Any]:
        order = self._order(c.order)
        if order.status not in PACKABLE:
            raise FloorRefusal(
                f"order {c.order} is {order.status.value.replace('_', ' ')}: "
                f"unpack box {c.box_no} and give the items to a supervisor"
            )
        if len(c.sscc) != SSCC_LENGTH or not has_valid_check_digit(c.sscc):
            raise FloorRefusal(f"{c.sscc} is not an SSCC with a valid check digit")
        if c.sscc in self.known_ssccs:
            raise FloorRefusal(f"SSCC {c.sscc} is already on another box: relabel box {c.box_no}")
        if not any(block.holds(c.sscc) for block in self.blocks):
            raise FloorRefusal(
                f"SSCC {c.sscc} was not issued to this station: relabel box {c.box_no}"
            )
        shipment = self.shipments.get(c.shipment_key)
        if shipment is None:
            other = self.open_by_order.get(order.id)
            if other is not None and other != c.shipment_key:
                raise FloorRefusal(f"order {c.order} is already packed or being packed elsewhere")
            shipment = ShipmentState(None, c.shipment_key, order.id, "open", 0, {})
        elif shipment.order_id != order.id:
            raise FloorRefusal(f"shipment {c.shipment_key} belongs to another order")
        elif shipment.status != "open":
            raise FloorRefusal(f"the shipment of order {c.order} is already closed")
        for sku, quantity in c.contents.items():
            picked = order.picked.get(sku)
            if picked is None:
                raise FloorRefusal(f"{sku} is not on order {c.order}: take it out of the box")
            if shipment.packed.get(sku, 0) + quantity > picked:
                raise FloorRefusal(
                    f"box {c.box_no} would bring {sku} to "
                    f"{shipment.packed.get(sku, 0) + quantity} packed, but {picked} were picked"
                )
        if shipment.key not in self.shipments:
            self.shipments[shipment.key] = shipment
            self.open_by_order[order.id] = shipment.key
            self.new_shipments.append((shipment, c))
        for sku, quantity in c.contents.items():
            shipment.packed[sku] = shipment.packed.get(sku, 0) + quantity
        shipment.boxes += 1
        self.known_ssccs.add(c.sscc)
        self.new_boxes.append(c)
        return {"shipment": c.shipment_key, "box_no": c.box_no, "sscc": c.sscc}

    def _printed(self, p: LabelPrinted) -> dict[str, Any]:
        if p.sscc not in self.known_ssccs:
            raise FloorRefusal(f"no box with SSCC {p.sscc} on the server")
        self.printed.append(p)
        return {"sscc": p.sscc}

    def _close(self, c: CloseShipment) -> dict[str, Any]:
        order = self._order(c.order)
        shipment = self.shipments.get(c.shipment_key)
        if shipment is None or shipment.order_id != order.id:
            raise FloorRefusal(f"no boxes of order {c.order} reached the server for this shipment")
        if shipment.status != "open":
            raise FloorRefusal(f"the shipment of order {c.order} is already closed")
        if shipment.boxes != c.box_count:
            raise FloorRefusal(
                f"the station packed {c.box_count} boxes but the server has {shipment.boxes}"
            )
        if order.status == OrderStatus.PICKING:
            raise FloorRefusal(f"order {c.order} is still being picked: wait for its last totes")
        try:
            move = advance(order.status, OrderStatus.PACKED)
        except IllegalTransition as exc:
            raise FloorRefusal(f"order {c.order}: {exc}") from None
        order.status = move.status
        shipment.status = "packed"
        self.closed.append(c)
        self.packed_orders.add(order.id)
        return {"shipment": c.shipment_key, "order": c.order, "status": "packed"}

    def _short(self, s: PackShort) -> dict[str, Any]:
        order = self._order(s.order)
        self.shorts.append((s, order.id))
        return {"order": s.order, "sku": s.sku, "missing": s.missing}
