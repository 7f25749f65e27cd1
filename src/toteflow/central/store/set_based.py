"""Set-based writes over lists of ids, for the repositories that change thousands of rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

# SQLite allows 32,766 parameters a statement; lists of ids go in chunks well below that.
# PostgreSQL takes a whole list as one array parameter instead.
CHUNK = 5000


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def rowcount(result: Any) -> int:
    # An UPDATE's result is a CursorResult; Session.execute is typed with the plain Result.
    return int(result.rowcount)


class SetBasedRepo:
    """A repository on one session, with WHERE clauses and increments for many ids at once."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _pg(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _id_filters(self, column: Any, ids: Sequence[int]) -> list[Any]:
        """One WHERE clause per statement to run: an array on PostgreSQL, chunks on SQLite."""
        ids = list(ids)
        if not ids:
            return []
        if self._pg:
            return [column == sa.any_(sa.bindparam(None, ids, type_=ARRAY(sa.BigInteger)))]
        return [column.in_(chunk) for chunk in _chunks(ids)]

    def _add_by_id(
        self, table: str, column: str, amounts: dict[int, int], *, guard: str | None = None
    ) -> int:
        """`column += amount` for each row id, optionally only where `guard` holds; rows hit."""
        if not amounts:
            return 0
        ids = sorted(amounts)
        if self._pg:
            # One statement for any number of rows: the ids and amounts go in as two arrays.
            where = f" AND {guard.format(t='x', n='v.n')}" if guard else ""
            result = self.session.execute(
                sa.text(
                    f"UPDATE {table} AS x SET {column} = x.{column} + v.n "
                    "FROM unnest(CAST(:ids AS bigint[]), CAST(:ns AS bigint[])) AS v(id, n) "
                    f"WHERE x.id = v.id{where}"
                ),
                {"ids": ids, "ns": [amounts[i] for i in ids]},
            )
        else:
            where = f" AND {guard.format(t=table, n=':n')}" if guard else ""
            result = self.session.execute(
                sa.text(f"UPDATE {table} SET {column} = {column} + :n WHERE id = :id{where}"),
                [{"id": i, "n": amounts[i]} for i in ids],
            )
        return rowcount(result)


def new_ids(session: Session, table: str, count: int) -> list[int]:
    """Ids for `count` rows about to be written to `table` in this transaction, in order.

    Rows bulk-loaded with COPY (or one executemany) give no ids back, and their child rows
    need them: PostgreSQL hands out a block from the table's own sequence (what the rows
    would have drawn one by one, safe beside concurrent writers); SQLite, whose BEGIN
    IMMEDIATE makes this transaction the only writer, continues after the largest id.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # The sequence named first: nextval() of a constant costs a tenth of nextval() of
        # a looked-up name, per id. The ids come back as one array, not a row each.
        sequence = session.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table}
        ).scalar_one()
        drawn = session.execute(
            sa.text(
                "SELECT array_agg(nextval(CAST(:sequence AS regclass)) ORDER BY n) "
                "FROM generate_series(1, :n) AS n"
            ),
            {"sequence": sequence, "n": count},
        ).scalar_one()
        return [int(i) for i in drawn]
    last = session.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()
    return list(range(last + 1, last + 1 + count))


def text_filters(session: Session, column: Any, values: Sequence[str]) -> list[Any]:
    """`column` among `values`, as WHERE clauses: one array on PostgreSQL (an IN of thousands
    of parameters costs more to build than to run), chunks of parameters on SQLite."""
    values = list(values)
    if not values:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [column == sa.any_(sa.bindparam(None, values, type_=ARRAY(sa.String)))]
    return [column.in_(values[start : start + CHUNK]) for start in range(0, len(values), CHUNK)]
