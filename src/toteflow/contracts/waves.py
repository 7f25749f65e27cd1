"""Wire models for waves: filters, templates, previews, releases, progress and floor exceptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from toteflow.contracts.common import (
    CarrierCode,
    Day,
    Id,
    Int,
    Model,
    Number,
    Optional200,
    Text40,
    Text80,
)

Profile = Literal["single_unit", "single_line", "multi_line"]
Strategy = Literal["discrete", "cart", "zone"]
WaveStatus = Literal["planned", "released", "on_hold", "cancelled", "done"]
ShortageAction = Literal["backorder", "order_waits", "line_cancelled"]
ResolveAction = Literal["close", "reallocate", "cancel_line"]

# A time of day as people write it; JSON Schema's "time" format would demand a UTC offset.
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
WaveName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _\-.:/]{0,79}$")
]
ZoneName = Text40
Note = Optional200


class WaveFilters(Model):
    """Which orders a wave takes from the pool of received orders; every filter is optional."""

    carrier: CarrierCode | None = None
    service: CarrierCode | None = None
    # The carrier's pick-up time, "HH:MM" on the site's clock: the wave takes orders due to
    # ship on that pick-up, i.e. by today while it is still ahead, by tomorrow once passed.
    cutoff: ClockTime | None = None
    # Orders to ship on or before this date.
    ship_by: Day | None = None
    # Order priorities to take (1 is the most urgent).
    priorities: list[Annotated[Int, Field(ge=1, le=9)]] | None = Field(None, max_length=9)
    # Only orders whose every line is picked in these zones.
    zones: list[ZoneName] | None = Field(None, max_length=99)
    # single_unit: one line of one unit; single_line: one line; multi_line: two lines or more.
    profile: Profile | None = None
    max_orders: Int | None = Field(None, ge=1, le=100_000)
    max_lines: Int | None = Field(None, ge=1, le=1_000_000)


class PoolQuery(WaveFilters):
    """The wave filters as a query string carries them: every value arrives as text there,
    so the numbers are read from digits (a JSON body still takes JSON integers only)."""

    priorities: list[Annotated[int, Field(ge=1, le=9)]] | None = Field(None, max_length=9)
    max_orders: int | None = Field(None, ge=1, le=100_000)
    max_lines: int | None = Field(None, ge=1, le=1_000_000)

    def filters(self) -> WaveFilters:
        return WaveFilters.model_validate(self.model_dump())


class CartSpec(Model):
    """A cart's limits: tote slots (one order each), litres and kilograms."""

    slots: Int = Field(ge=1, le=99)
    volume_l: Number = Field(gt=0, le=100_000)
    weight_kg: Number = Field(gt=0, le=100_000)


class WaveTemplate(Model):
    """A named wave recipe from config/waves.toml, e.g. "UPS ground before 15:00"."""

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9_\-]{0,39}$")
    ]
    title: Text80
    filters: WaveFilters = WaveFilters()
    strategy: Strategy | None = None
    cart: CartSpec | None = None


class WaveCreate(Model):
    """A wave from a template, from filters, or a template with some filters overridden."""

    name: WaveName | None = None
    template: Text40 | None = None
    filters: WaveFilters | None = None
    strategy: Strategy | None = None
    cart: CartSpec | None = None


class Wave(Model):
    id: int
    name: str
    status: WaveStatus
    strategy: Strategy
    template: str | None
    filters: WaveFilters
    cart: CartSpec
    created_by: int | None
    created_at: datetime
    released_at: datetime | None
    # Filled in at release: what it took and made.
    orders: int = 0
    lines: int = 0
    tasks: int = 0


class Shortage(Model):
    order_reference: str
    line_no: int
    sku: str
    wanted: int
    missing: int
    action: ShortageAction


class ZoneLoad(Model):
    zone: str | None
    lines: int
    units: int


FilterName = Literal[
    "carrier",
    "service",
    "ship_by",
    "cutoff",
    "priorities",
    "profile",
    "zones",
    "max_orders",
    "max_lines",
]


class LeftOut(Model):
    """Waiting orders one filter left out, counted in the order the filters apply (carrier,
    service, ship-by or cut-off, priorities, profile, zones, then the maxima)."""

    filter: FilterName
    words: str  # the filter as a person reads it: "max lines 5", "profile multi line"
    orders: int


class WavePreview(Model):
    """What releasing the wave would do now (or, in a release, what it did)."""

    orders: int
    lines: int
    units: int
    zones: list[ZoneLoad]
    shortages: list[Shortage]
    short_units: int
    # Orders that stay in the pool (nothing reservable, or waiting for all of it).
    orders_left: list[str]
    # Orders cancelled because every line was short (shortage policy cancel_line).
    orders_cancelled: list[str]
    tasks: int
    carts: int
    totes: int
    distance_m: float
    walking_seconds: float
    picking_seconds: float
    pick_seconds: float
    cutoff_at: datetime | None
    shortage_policy: Literal["partial", "wait", "cancel_line"]
    # The received orders waiting, how many of them the filters take (the pool shows the
    # same count for the same filters), and which filter left the others out.
    waiting: int = 0
    matched: int = 0
    left_out: list[LeftOut] = Field(default_factory=list)


class WaveRelease(Model):
    wave: Wave
    result: WavePreview
    task_ids: list[int]


class WaveCancelled(Model):
    wave: Wave
    # Orders put back in the pool (nothing picked yet), and those whose picking goes on.
    orders_returned: list[str]
    orders_kept: list[str]
    tasks_cancelled: int


class ZoneProgress(Model):
    zone: str | None
    lines: int
    lines_done: int
    units: int
    units_picked: int


class PickerProgress(Model):
    user_id: int
    name: str
    tasks: int
    lines_done: int
    lines_per_hour: float
    # Units picked, and of them those keyed in (the SKU typed, not scanned): the share
    # scanned is the picker's scan accuracy.
    units_picked: int = 0
    units_keyed: int = 0
    scanned_pct: float = 100.0


class TaskProgress(Model):
    """A task of the wave still to finish, with whoever holds it (for reassigning)."""

    id: int
    kind: str
    zone: str | None
    status: str
    user_id: int | None
    name: str | None
    lines: int
    lines_done: int


class WaveProgress(Model):
    wave: Wave
    tasks: int
    tasks_done: int
    lines: int
    lines_done: int
    lines_short: int
    units: int
    units_picked: int
    # Units picked on a typed-in SKU rather than a scan.
    units_keyed: int = 0
    percent_done: float
    lines_per_hour: float
    finished: bool
    zones: list[ZoneProgress]
    pickers: list[PickerProgress]
    # Tasks not yet done or cancelled, in id order.
    open_tasks: list[TaskProgress]


class PoolGroup(Model):
    """Received orders waiting for a wave, counted by carrier, service and ship-by date."""

    carrier: str
    service: str
    ship_by: date
    orders: int
    lines: int
    units: int
    single_unit: int
    single_line: int
    multi_line: int


class Pool(Model):
    """The received orders a wave with these filters would take, grouped; the same selection
    as a preview's (before stock is reserved), with what each filter left out."""

    waiting: int  # received orders in the pool, whatever the filters
    orders: int  # those the filters take
    lines: int
    units: int
    groups: list[PoolGroup]
    left_out: list[LeftOut]


class LoggedInPicker(Model):
    """Someone who may take pick tasks and is logged in at a station now: a task given to
    them goes to that station."""

    user_id: int
    name: str
    badge: str
    station_id: int
    station: str
    since: datetime


class FloorException(Model):
    id: int
    kind: str
    status: Literal["open", "resolved"]
    reason: str
    order_reference: str | None
    task_line_id: int | None
    station_id: int | None
    user_id: int | None
    detail: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: int | None
    resolution: str
    # The names behind station_id and user_id, as a supervisor reads them.
    station: str | None = None
    user_name: str | None = None


class ExceptionResolve(Model):
    """close: noted and closed. reallocate: reserve the missing units now and add them to a
    task. cancel_line: the missing units are cut from the order line."""

    action: ResolveAction = "close"
    note: Note = ""


class ExceptionResolved(Model):
    exception: FloorException
    reallocated: int
    task_id: int | None


class TaskReassign(Model):
    user_id: Id
    reason: Note = ""


class TaskUnassign(Model):
    reason: Note = ""
