"""What the wave use cases share: the site policy, a wave as stored and shown, retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.ports.waves import StockRow, WaveRow
from toteflow.contracts import tasks as tk
from toteflow.contracts import waves as wv
from toteflow.domain.allocation import ShortagePolicy, StockCandidate
from toteflow.domain.errors import NotFound, Refused, ServiceError
from toteflow.domain.layout import Layout

T = TypeVar("T")
Clock = Callable[[], datetime]

# A release that loses a deadlock or serialization race to another transaction (PostgreSQL
# aborts one of the two) is simply run again, from a fresh read.
ATTEMPTS = 4


@dataclass(frozen=True)
class WavePolicy:
    """Site settings for waves (config [waves])."""

    shortage_policy: ShortagePolicy = ShortagePolicy.PARTIAL
    strategy: wv.Strategy = "cart"
    cart: wv.CartSpec = field(
        default_factory=lambda: wv.CartSpec(slots=8, volume_l=400.0, weight_kg=150.0)
    )
    walking_speed_m_s: float = 1.0
    seconds_per_pick: float = 10.0


@dataclass(frozen=True)
class Spec:
    filters: wv.WaveFilters
    strategy: wv.Strategy
    cart: wv.CartSpec
    template: str | None

    def stored(self, figures: dict[str, int] | None = None) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "filters": self.filters.model_dump(mode="json", exclude_none=True),
            "cart": self.cart.model_dump(mode="json"),
            "template": self.template,
        }
        if figures is not None:
            spec["figures"] = figures
        return spec


def utc_now() -> datetime:
    return datetime.now(UTC)


def site_layout(layout: Callable[[], Layout]) -> Layout:
    """The warehouse layout, or Refused when the configured file cannot be used."""
    try:
        return layout()
    except ValueError as exc:  # LayoutError: the configured file is missing or invalid
        raise Refused(f"the warehouse layout cannot be used: {exc}") from None


def retrying(uow: UnitOfWorkFactory, work: Callable[[UnitOfWork], T]) -> T:
    """`work` in a fresh unit of work, run again when it lost a deadlock or serialization race."""
    for attempt in range(1, ATTEMPTS + 1):
        unit = uow()
        try:
            with unit:
                return work(unit)
        except ServiceError:
            raise
        except Exception as exc:
            if attempt == ATTEMPTS or not unit.waves.retryable(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def existing(uow: UnitOfWork, wave_id: int, *, lock: bool = False) -> WaveRow:
    row = uow.waves.get(wave_id, lock=lock)
    if row is None:
        raise NotFound(f"no wave {wave_id}")
    return row


def stored_spec(row: WaveRow) -> Spec:
    return Spec(
        filters=wv.WaveFilters.model_validate(row.spec.get("filters", {})),
        strategy=row.strategy,  # type: ignore[arg-type]
        cart=wv.CartSpec.model_validate(row.spec["cart"]),
        template=row.spec.get("template"),
    )


def wave_view(row: WaveRow) -> wv.Wave:
    spec = stored_spec(row)
    figures = row.spec.get("figures", {})
    return wv.Wave(
        id=row.id,
        name=row.name,
        status=row.status,
        strategy=spec.strategy,
        template=spec.template,
        filters=spec.filters,
        cart=spec.cart,
        created_by=row.created_by,
        created_at=row.created_at,
        released_at=row.released_at,
        orders=figures.get("orders", 0),
        lines=figures.get("lines", 0),
        tasks=figures.get("tasks", 0),
    )


def say(status: str) -> str:
    return status.replace("_", " ")


def announce(uow: UnitOfWork, task_id: int, station_id: int) -> tk.Task:
    """Send the task as it now stands to the station that holds it (stations upsert it)."""
    task = uow.tasks.get(task_id)
    assert task is not None
    uow.feed.add_change(
        "task.assigned", "task", str(task_id), task.model_dump(mode="json"), station_id=station_id
    )
    return task


def in_layout(row: StockRow, layout: Layout) -> bool:
    # Stock somewhere the layout does not have cannot be routed to: it is not offered.
    return 1 <= row.aisle <= layout.aisles and 1 <= row.bay <= layout.bays_per_aisle


def stock_candidate(row: StockRow) -> StockCandidate:
    return StockCandidate(
        stock_id=row.id,
        product_id=row.product_id,
        kind=row.kind,
        received_on=row.received_on,
        expiry=row.expiry,
        free=row.free,
        location=row.location,
    )
