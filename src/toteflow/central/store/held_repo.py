"""Held plates for a supervisor's list, with the receipt cases (notice, damage) behind them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from toteflow.central.ports.putaway import HeldRow, PlateOrigin
from toteflow.central.store import notices_tables as nt
from toteflow.central.store import putaway_tables as pt
from toteflow.central.store import tables as t
from toteflow.central.store.putaway_repo import _aware
from toteflow.central.store.receipts_tables import ReceiptCase
from toteflow.central.store.set_based import SetBasedRepo


class SqlHeldRepo(SetBasedRepo):
    def held_plates(self, offset: int, limit: int) -> tuple[list[HeldRow], int]:
        pl, loc, p = t.cols(pt.Plate), t.cols(t.Location), t.cols(t.Product)
        where = sa.and_(pl.status == "held", pl.remaining > 0)
        total = self.session.execute(sa.select(sa.func.count()).where(where)).scalar_one()
        rows = self.session.execute(
            sa.select(
                pl.code,
                pl.product_id,
                p.sku,
                pl.lot,
                pl.expiry,
                pl.remaining,
                loc.code,
                loc.kind,
                pl.hold_reason,
                pl.received_at,
            )
            .join(t.table(t.Location), loc.id == pl.location_id)
            .join(t.table(t.Product), p.id == pl.product_id)
            .where(where)
            .order_by(pl.received_at, pl.id)
            .offset(offset)
            .limit(limit)
        )
        found = []
        for row in rows:
            values = list(row)
            values[9] = _aware(values[9])
            found.append(HeldRow(*values))
        return found, int(total)

    def origins(self, plates: Sequence[HeldRow]) -> dict[str, PlateOrigin]:
        if not plates:
            return {}
        rc, notice = t.cols(ReceiptCase), t.cols(nt.InboundNotice)
        wanted = {p.code for p in plates}
        # The plates column is a JSON list, not searchable alike on both databases: the
        # product's cases since the oldest plate (by the product and lot index) are few.
        since = min(p.received_at for p in plates) - timedelta(minutes=1)
        rows = self.session.execute(
            sa.select(rc.plates, rc.kind, rc.damage, notice.reference)
            .select_from(t.table(ReceiptCase))
            .outerjoin(t.table(nt.InboundNotice), notice.id == rc.notice_id)
            .where(
                rc.product_id.in_(sorted({p.product_id for p in plates})),
                rc.received_at >= since,
            )
            .order_by(rc.id)
        )
        found: dict[str, PlateOrigin] = {}
        for codes, kind, damage, reference in rows:
            for code in set(_codes(codes)) & wanted:
                seen = found.get(code, PlateOrigin(reference, False, {}))
                merged = dict(seen.damage)
                for reason, units in (damage or {}).items():
                    merged[reason] = merged.get(reason, 0) + int(units)
                found[code] = PlateOrigin(
                    seen.notice or reference, seen.not_on_notice or kind == "not_on_notice", merged
                )
        return found


def _codes(value: Any) -> list[str]:
    return [str(c) for c in value] if isinstance(value, list) else []
