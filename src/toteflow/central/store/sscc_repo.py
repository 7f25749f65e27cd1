"""SSCC serials over SQLModel: blocks handed out by one conditional update of a counter."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from toteflow.central.store import shipping_tables as st
from toteflow.central.store import tables as t
from toteflow.contracts import shipping as sh
from toteflow.domain.errors import Refused
from toteflow.domain.gs1 import SSCC_LENGTH


class SqlSsccRepo:
    def __init__(self, session: Session) -> None:
        self.session = session

    def reserve(
        self,
        company_prefix: str,
        extension_digit: int,
        count: int,
        station_id: int,
        user_id: int | None,
    ) -> sh.SsccBlock:
        counter = t.cols(st.SsccCounter)
        key = (counter.company_prefix == company_prefix) & (
            counter.extension_digit == extension_digit
        )
        exists = self.session.execute(sa.select(counter.next_serial).where(key)).first()
        if exists is None:
            try:
                # A savepoint: two first-ever reservations racing must not abort the request.
                with self.session.begin_nested():
                    self.session.execute(
                        sa.insert(t.table(st.SsccCounter)).values(
                            company_prefix=company_prefix,
                            extension_digit=extension_digit,
                            next_serial=1,
                        )
                    )
            except IntegrityError:
                pass
        ceiling = 10 ** (SSCC_LENGTH - 2 - len(company_prefix))
        # The conditional update is the whole guarantee: it moves the counter past the block
        # in one statement, so two stations can never be handed overlapping serials.
        after = self.session.execute(
            sa.update(t.table(st.SsccCounter))
            .where(key, counter.next_serial + count <= ceiling)
            .values(next_serial=counter.next_serial + count)
            .returning(counter.next_serial)
        ).scalar_one_or_none()
        if after is None:
            raise Refused(
                f"the SSCC serials of company prefix {company_prefix} are used up: "
                "configure a new prefix or extension digit"
            )
        first, last = int(after) - count, int(after) - 1
        t.insert_rows(
            self.session,
            st.SsccBlock,
            [
                {
                    "station_id": station_id,
                    "company_prefix": company_prefix,
                    "extension_digit": extension_digit,
                    "first_serial": first,
                    "last_serial": last,
                    "issued_at": t.utcnow(),
                    "issued_to": user_id,
                }
            ],
        )
        return sh.SsccBlock(
            company_prefix=company_prefix, extension_digit=extension_digit, first=first, last=last
        )
