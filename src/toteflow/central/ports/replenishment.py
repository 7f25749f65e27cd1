"""What the replenishment use cases need of the store: face limits, faces' state, sources,
and the replenishments themselves (every stock change of one in `complete`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from toteflow.domain.replenishment import FaceLimit, Source


@dataclass(frozen=True)
class Face:
    """A pick face as replenishment sees it."""

    id: int
    code: str
    kind: str
    capacity: int | None  # the layout's max_quantity, when it knows one
    home_product_id: int | None


@dataclass(frozen=True)
class LimitRow:
    location: str
    sku: str
    minimum: int
    maximum: int
    updated_at: datetime


@dataclass(frozen=True)
class FaceState:
    """One SKU at one face: what is on it, its limit (own or default), what is on its way."""

    location_id: int
    location: str
    product_id: int
    sku: str
    on_face: int
    free: int  # on_face less what picks have reserved
    limit: FaceLimit
    open_units: int
    expiry_tracked: bool


@dataclass(frozen=True)
class NewReplenishment:
    location_id: int
    product_id: int
    source_stock_id: int
    plate_id: int | None
    quantity: int
    trigger: str
    wave_id: int | None = None
    before_task_id: int | None = None
    priority: int = 5


@dataclass(frozen=True)
class ReplenRow:
    id: int
    status: str
    trigger: str
    location_id: int
    location: str  # the face
    product_id: int
    sku: str
    description: str
    source_stock_id: int
    source: str  # the source location
    source_kind: str
    plate: str | None
    plate_id: int | None
    lot: str
    quantity: int
    moved: int
    wave_id: int | None
    before_task_id: int | None
    priority: int
    user_id: int | None
    created_at: datetime
    expiry_tracked: bool
    # The product's barcodes with the units each stands for (a case's scan counts its units).
    barcodes: tuple[tuple[str, int], ...] = ()


class ReplenishmentRepo(Protocol):
    def face(self, code: str) -> Face | None: ...
    def product_id(self, sku: str) -> int | None: ...
    def plate_id(self, code: str | None) -> int | None: ...
    def set_limit(self, location_id: int, product_id: int, limit: FaceLimit) -> bool:
        """Store the face's limit; True when it is new, False when it replaced one."""
        ...

    def limits(self, offset: int, limit: int) -> tuple[list[LimitRow], int]: ...
    def limit_of(self, location_id: int, product_id: int) -> LimitRow | None: ...
    def faces_of_stock(self, stock_ids: Iterable[int]) -> list[tuple[int, int]]:
        """(location, product) of the stock rows that are on pick faces."""
        ...

    def faces_of_products(self, product_ids: Iterable[int]) -> list[tuple[int, int]]:
        """(location, product) of the faces that hold or are home to these products."""
        ...

    def faces_with_limits(self) -> list[tuple[int, int]]:
        """Every (location, product) with a limit, own or by default."""
        ...

    def states(self, faces: Sequence[tuple[int, int]], min_percent: int) -> list[FaceState]: ...
    def sources(self, product_id: int) -> list[Source]:
        """Stock of the product that could be brought to a face, with plates and case sizes."""
        ...

    def add(self, new: NewReplenishment) -> int | None:
        """Insert and reserve the source; None (nothing written) when one is already open
        for the face and SKU or the source no longer has the units free."""
        ...

    def get(self, replen_id: int, *, lock: bool = False) -> ReplenRow | None: ...
    def open_list(self, offset: int, limit: int) -> tuple[list[ReplenRow], int]: ...
    def take(self, replen_id: int, user_id: int | None, station_id: int, quantity: int) -> None:
        """Units taken from the source: status taken, the reservation cut to `quantity`."""
        ...

    def resource(
        self, replen_id: int, source_stock_id: int, plate_id: int | None, quantity: int
    ) -> bool:
        """Move the replenishment (and its reservation) to another source."""
        ...

    def cancel(self, replen_id: int) -> None:
        """Cancelled: its source reservation released."""
        ...

    def complete(self, replen_id: int, placed: int, at: datetime) -> None:
        """The one place a replenishment changes stock: source down, face up, plate moved."""
        ...
