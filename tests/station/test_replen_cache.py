"""The station's copy of replenishments: kept from the feed, steps kept, re-sourced ones reset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from toteflow.contracts.replenishment import Replenishment
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory


def replen(**changes: Any) -> Replenishment:
    base: dict[str, Any] = {
        "id": 7,
        "status": "open",
        "trigger": "pick",
        "location": "01-001-1",
        "sku": "SKU-R1",
        "description": "Item",
        "source": "01-001-3",
        "source_kind": "reserve",
        "plate": None,
        "lot": "",
        "quantity": 20,
        "moved": 0,
        "wave_id": None,
        "before_task_id": None,
        "created_at": datetime(2026, 12, 7, tzinfo=UTC).isoformat(),
        "barcodes": {"4006381333931": 1, "14006381333938": 12},
    }
    return Replenishment.model_validate({**base, **changes})


def test_the_feed_keeps_steps_resets_a_re_source_and_drops_finished(tmp_path: Path) -> None:
    uow = SqlStationUnitOfWorkFactory(open_store(tmp_path / "station.db"))
    with uow() as u:
        u.replen.keep(replen())
        u.replen.keep(replen(id=8, before_task_id=3))
        u.replen.keep(replen(id=9, status="taken"))  # taken at another station
        u.commit()
    with uow() as u:
        # A wave's first; one another station took is not offered here.
        assert [j.id for j in u.replen.open_jobs()] == [8, 7]
        assert u.replen.job(7) is not None
        u.replen.set_step(7, "short", 0, 5)
        u.commit()
    with uow() as u:
        assert [j.id for j in u.replen.open_jobs()] == [8]
        # The server re-sourced it: offered again, from the new source, from the start.
        u.replen.keep(replen(source="02-004-3", quantity=12))
        job = u.replen.job(7)
        assert job is not None
        assert (job.source, job.quantity, job.step, job.barcodes["14006381333938"]) == (
            "02-004-3",
            12,
            "",
            12,
        )
        u.replen.keep(replen(id=8, status="done"))
        u.commit()
    with uow() as u:
        assert u.replen.job(8) is None
        assert [j.id for j in u.replen.open_jobs()] == [7]
