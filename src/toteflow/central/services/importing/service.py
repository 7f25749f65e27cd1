"""The import use case: check the whole file, then write it in batches, all or nothing."""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.importing.bad_rows import write_bad_rows
from toteflow.central.services.importing.checking import check_file
from toteflow.central.services.importing.columns import Kind, counted
from toteflow.central.services.importing.lookups import DatabaseLookups, all_stock
from toteflow.central.services.importing.plan import (
    LimitSetting,
    NoticeDraft,
    OrderDraft,
    Plan,
    Problem,
    ProductDraft,
    Provenance,
    StockCount,
)
from toteflow.central.services.importing.reading import ImportFileError, Progress
from toteflow.central.services.notices import NoticeService
from toteflow.central.services.orders import OrderService
from toteflow.central.services.replenishment.service import set_limit_in
from toteflow.contracts import catalogue as cat
from toteflow.domain.actor import Actor
from toteflow.domain.replenishment import FaceLimit
from toteflow.domain.roles import Permission

# Orders a transaction writes at most, and lines: orders go set-based, a batch in a few
# statements. Products and stock positions are written one by one, in shorter transactions
# (a writer holds SQLite's lock meanwhile). Batches, not the file, set the write's memory.
BATCH_SIZE = 5000
BATCH_LINES = 20_000
ROW_BY_ROW_BATCH = 500
T = TypeVar("T")


@dataclass
class ImportReport:
    kind: Kind
    path: Path
    rows: int = 0
    imported: int = 0  # orders or products created, stock positions changed
    already_present: int = 0  # orders or products there before, positions already right
    bad: int = 0  # orders, products or positions left out because of bad rows
    problems: list[Problem] = field(default_factory=list)
    bad_lines: int = 0
    written: bool = False  # False: all-or-nothing refused the file, nothing was written
    bad_rows_file: Path | None = None

    def summary(self) -> str:
        """`imported 480 orders, 20 already present, 0 bad`."""
        left = "unchanged" if self.kind in ("stock", "face-limits") else "already present"
        text = f"imported {counted(self.imported, self.kind)}, {self.already_present} {left}"
        text += f", {self.bad} bad"
        if self.bad_lines:
            text += f" ({self.bad_lines} rows)"
        return text


class ImportInterrupted(Exception):
    """Writing stopped part-way (the database failed, or changed since the check)."""

    def __init__(self, report: ImportReport, cause: BaseException) -> None:
        self.report = report
        self.cause = cause
        super().__init__(
            f"the import stopped after {counted(report.imported, report.kind)} "
            f"({cause.__class__.__name__}: {cause}). What was written stays; run the same "
            "import again to finish it: nothing is imported twice."
        )


class ImportService:
    """Check a file, then write it in batches: orders, products or stock counts."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        batch_size: int = BATCH_SIZE,
        writers: int = 1,
    ) -> None:
        self.uow = uow
        self.orders = OrderService(uow)
        self.notices = NoticeService(uow)
        self.batch_size = batch_size
        # Batches of orders written at once, each in its own transaction: 1 for SQLite (one
        # writer at a time), more where the database takes concurrent writers (PostgreSQL).
        self.writers = writers

    def check(self, kind: Kind, path: Path, progress: Progress | None = None) -> Plan:
        return check_file(kind, path, DatabaseLookups(self.uow), progress)

    def run(
        self,
        actor: Actor,
        kind: Kind,
        path: Path,
        *,
        skip_bad: Path | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Check every row; write nothing if any is bad, unless skip_bad names a file for them.

        All-or-nothing across batches without one huge transaction: everything that can make
        a row fail (format, unknown SKU or location, taken barcode, reserved stock) is checked
        before the first write, so a write can only fail on the database itself or on a
        change made since the check. Each batch commits on its own and every batch is
        idempotent (orders by reference, products by SKU, stock by absolute quantity), so
        running the same import again finishes an interrupted one without duplicates.
        """
        actor.require(_PERMISSION[kind])
        if skip_bad is not None and skip_bad.resolve() == path.resolve():
            raise ImportFileError("--skip-bad must name another file than the one imported")
        with _cyclic_gc_paused():
            return self._run(actor, kind, path, skip_bad, progress)

    def _run(
        self,
        actor: Actor,
        kind: Kind,
        path: Path,
        skip_bad: Path | None,
        progress: Progress | None,
    ) -> ImportReport:
        plan = self.check(kind, path, progress)
        report = ImportReport(
            kind,
            path,
            rows=plan.rows,
            problems=sorted(plan.problems, key=lambda problem: problem.line),
            bad=len(plan.bad_units),
            bad_lines=len(plan.bad_lines),
        )
        if not plan.ok and skip_bad is None:
            return report
        if skip_bad is not None:
            try:
                write_bad_rows(plan, skip_bad)
            except OSError as exc:
                raise ImportFileError(f"cannot write {skip_bad}: {exc.strerror}") from None
            report.bad_rows_file = skip_bad
        report.written = True
        self.write(actor, plan, report, progress)
        return report

    def write(
        self, actor: Actor, plan: Plan, report: ImportReport, progress: Progress | None = None
    ) -> None:
        """Write what the plan holds, batch by batch, counting into the report."""
        total, done = plan.to_write(), 0
        if progress is not None:
            progress("importing", 0, total)
        steps: Iterator[tuple[int, tuple[int, int]]]
        if plan.kind == "orders":
            drafts = _order_batches(list(plan.orders.values()), self.batch_size, BATCH_LINES)
            steps = self._order_steps(actor, drafts, Provenance(plan.path.name))
        elif plan.kind == "products":
            steps = self._steps(actor, list(plan.products.values()), plan, self._products)
        elif plan.kind == "notices":
            steps = self._steps(actor, list(plan.notices.values()), plan, self._notices)
        elif plan.kind == "face-limits":
            steps = self._steps(actor, plan.limits, plan, self._limits)
        else:
            steps = self._steps(actor, plan.counts, plan, self._stock)
        while True:
            try:
                step = next(steps, None)
            except Exception as exc:
                # Whatever the cause, say how far it got: earlier batches are committed.
                raise ImportInterrupted(report, exc) from exc
            if step is None:
                return
            size, (imported, present) = step
            report.imported += imported
            report.already_present += present
            done += size
            if progress is not None:
                progress("importing", done, total)

    def _steps(
        self,
        actor: Actor,
        items: Sequence[T],
        plan: Plan,
        write: Callable[[Actor, Sequence[T], Plan], tuple[int, int]],
    ) -> Iterator[tuple[int, tuple[int, int]]]:
        for batch in _chunks(items, min(self.batch_size, ROW_BY_ROW_BATCH)):
            yield len(batch), write(actor, batch, plan)

    def _order_steps(
        self, actor: Actor, batches: Iterator[Sequence[OrderDraft]], source: Provenance
    ) -> Iterator[tuple[int, tuple[int, int]]]:
        """The batches' results in file order, up to `writers` of them written at once.

        Each batch is its own transaction on its own connection: while one waits for the
        database to take in its rows (indexes, foreign keys, the write-ahead log), the next
        one's rows are made ready and sent, and the server works on both.
        """
        if self.writers <= 1:
            for batch in batches:
                yield len(batch), self._orders(actor, batch, source)
            return
        with ThreadPoolExecutor(self.writers, thread_name_prefix="import") as pool:
            running: deque[tuple[int, Future[tuple[int, int]]]] = deque()
            failure: BaseException | None = None
            for batch in batches:
                running.append((len(batch), pool.submit(self._orders, actor, batch, source)))
                if len(running) < self.writers:
                    continue
                size, future = running.popleft()
                try:
                    yield size, future.result()
                except Exception as exc:
                    failure = exc
                    break
            # A batch that failed stops the import; those already sent still finish, and
            # are counted, so the report says what was written.
            for size, future in running:
                try:
                    result = future.result()
                except Exception as exc:
                    failure = failure or exc
                    continue
                yield size, result
            if failure is not None:
                raise failure

    def _orders(
        self, actor: Actor, batch: Sequence[OrderDraft], source: Provenance
    ) -> tuple[int, int]:
        with self.uow() as uow:
            counts = self._orders_in(uow, actor, batch, source)
            uow.commit()
        return counts

    def _orders_in(
        self, uow: UnitOfWork, actor: Actor, batch: Sequence[OrderDraft], source: Provenance
    ) -> tuple[int, int]:
        drafts = {draft.first.reference: draft for draft in batch}
        orders = [draft.order() for draft in batch]
        new = self.orders.add_all(
            uow, actor, orders, lambda order: source.detail(drafts[order.reference])
        )
        return len(new), len(orders) - len(new)

    def _notices(self, actor: Actor, batch: Sequence[NoticeDraft], plan: Plan) -> tuple[int, int]:
        # Checked again in the write's transaction (an SSCC taken since): refused whole.
        result = self.notices.create_all(actor, [draft.notice for draft in batch])
        return len(result.created), len(result.already_present)

    def _products(self, actor: Actor, batch: Sequence[ProductDraft], plan: Plan) -> tuple[int, int]:
        created = present = 0
        with self.uow() as uow:
            for draft in batch:
                product = draft.product
                # Checked again inside the transaction: it may have been added since.
                if draft.present or uow.catalogue.product_by_sku(product.sku) is not None:
                    present += 1
                    continue
                uow.catalogue.add_product(product)
                uow.audit.record(
                    actor, "product.created", "product", product.sku, product.model_dump()
                )
                created += 1
            uow.commit()
        return created, present

    def _limits(self, actor: Actor, batch: Sequence[LimitSetting], plan: Plan) -> tuple[int, int]:
        changed = unchanged = 0
        with self.uow() as uow:
            for row in batch:
                face = uow.replenishment.face(row.location)
                product_id = uow.replenishment.product_id(row.sku)
                current = (
                    uow.replenishment.limit_of(face.id, product_id)
                    if face is not None and product_id is not None
                    else None
                )
                # Idempotent: a face already set so is left alone (and not audited again).
                if current is not None and (current.minimum, current.maximum) == (
                    row.minimum,
                    row.maximum,
                ):
                    unchanged += 1
                    continue
                set_limit_in(uow, actor, row.location, row.sku, FaceLimit(row.minimum, row.maximum))
                changed += 1
            uow.commit()
        return changed, unchanged

    def _stock(self, actor: Actor, batch: Sequence[StockCount], plan: Plan) -> tuple[int, int]:
        changed = unchanged = 0
        note = f"import {plan.path.name}"[:180]
        with self.uow() as uow:
            for count in batch:
                # The delta is worked out inside the transaction that applies it, so a count
                # sets the quantity it names even if stock moved since the check.
                current = next(
                    (
                        row.quantity
                        for row in all_stock(uow, count.location, count.sku)
                        if row.lot == count.lot and row.expiry == count.expiry
                    ),
                    0,
                )
                delta = count.quantity - current
                if delta == 0:
                    unchanged += 1
                    continue
                adjustment = cat.StockAdjustment(
                    location=count.location,
                    sku=count.sku,
                    lot=count.lot,
                    expiry=count.expiry,
                    delta=delta,
                    reason="count",
                    note=f"{note} line {count.line}",
                    received_on=count.received_on,
                )
                row = uow.catalogue.adjust_stock(adjustment, kind="import")
                uow.audit.record(
                    actor,
                    "stock.adjusted",
                    "stock",
                    str(row.id),
                    {**adjustment.model_dump(mode="json"), "quantity_after": row.quantity},
                )
                changed += 1
            uow.commit()
        return changed, unchanged


_PERMISSION: dict[Kind, Permission] = {
    "orders": Permission.MANAGE_ORDERS,
    "products": Permission.MANAGE_CATALOGUE,
    "stock": Permission.ADJUST_STOCK,
    "notices": Permission.MANAGE_NOTICES,
    "face-limits": Permission.ADJUST_STOCK,
}


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is checked and written.

    The plan keeps a draft per order (100,000 of them for a big file, none in a cycle), and
    every full collection walks them all again: more than half of the check's time for such
    a file. They are freed by reference counting as ever; collection resumes at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _order_batches(
    drafts: Sequence[OrderDraft], max_orders: int, max_lines: int
) -> Iterator[Sequence[OrderDraft]]:
    start = lines = 0
    for end, draft in enumerate(drafts):
        if end > start and (end - start >= max_orders or lines + len(draft.lines) > max_lines):
            yield drafts[start:end]
            start, lines = end, 0
        lines += len(draft.lines)
    if start < len(drafts):
        yield drafts[start:]


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
