"""What the replenisher's desk needs of the station store: the open replenishments and steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from toteflow.contracts.replenishment import Replenishment


@dataclass(frozen=True)
class ReplenJob:
    """One replenishment as this station knows it, with how far it got here."""

    id: int
    location: str  # the pick face to fill
    sku: str
    description: str
    source: str
    plate: str | None
    lot: str
    quantity: int
    before_task_id: int | None
    step: str  # "", "taken", "placed" or "short"
    taken: int
    barcodes: dict[str, int] = field(default_factory=dict)  # barcode -> units it counts


class ReplenCache(Protocol):
    def keep(self, replenishment: Replenishment) -> None:
        """The feed's word on one replenishment; done or cancelled ones are dropped."""
        ...

    def open_jobs(self) -> list[ReplenJob]:
        """Those still to do here: a wave's first (in its tasks' order), then the oldest."""
        ...

    def job(self, replen_id: int) -> ReplenJob | None: ...
    def set_step(self, replen_id: int, step: str, taken: int, user_id: int | None) -> None: ...
