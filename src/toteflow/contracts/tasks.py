"""Pick tasks as a station receives them: everything needed to finish the task offline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.common import Model

TaskKind = Literal["discrete", "cart", "zone"]
TaskStatus = Literal["ready", "assigned", "in_progress", "paused", "done", "cancelled"]
LineStatus = Literal["open", "picked", "short", "cancelled"]


class TaskLine(Model):
    id: int
    stop_no: int
    location: str
    zone: str | None
    aisle: int | None
    bay: int | None
    level: int | None
    sku: str
    description: str
    units: list[ProductUnit]
    lot_tracked: bool
    expiry_tracked: bool
    lot_substitution: bool
    lot: str
    expiry: date | None
    quantity: int
    picked: int
    shorted: int
    slot: int
    order_reference: str
    status: LineStatus


class TaskContainer(Model):
    slot: int
    order_reference: str
    tote: str | None
    status: Literal["open", "closed"]
    # Where the slot's tote goes when it is closed: "" or "pack" (the pack stations), the
    # next zone of a zone-picked order ("zone:B", see domain/zone_pass.py), "consolidation".
    # Set when the work is planned; the station sends it back in tote.closed.
    destination: str = ""
    # Pick-and-pass: the tote the order's zone before closed towards this slot, and that
    # zone. The picker scans it to take it on; None when nothing was sent on.
    arriving_tote: str | None = None
    arriving_from: str | None = None


class Task(Model):
    id: int
    wave: str | None
    kind: TaskKind
    zone: str | None
    status: TaskStatus
    cart: str | None
    slots: int
    distance_m: float
    user_id: int | None
    station_id: int | None
    assigned_at: datetime | None
    lines: list[TaskLine]
    containers: list[TaskContainer]
