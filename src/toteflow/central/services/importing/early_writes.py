"""Orders written while the rest of their file is checked, committed only once all of it passed."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.importing.plan import OrderDraft, Plan

# What a writer does with one batch in its open unit of work: (created, already present).
WriteBatch = Callable[[UnitOfWork, Sequence[OrderDraft]], tuple[int, int]]
Step = tuple[int, tuple[int, int]]  # orders gone through, (created, already present)

_WRITTEN = "written"  # every batch before this one is written: say so
_COMMIT = "commit"
_ABANDON = "abandon"


class WritesFailed(Exception):
    """A writer failed after others had committed: `steps` is what those wrote."""

    def __init__(self, steps: list[Step], cause: BaseException) -> None:
        super().__init__(str(cause))
        self.steps = steps
        self.cause = cause


@dataclass
class _Writer:
    """One thread with one unit of work kept open from its first batch to the commit."""

    inbox: queue.SimpleQueue[Sequence[OrderDraft] | str] = field(default_factory=queue.SimpleQueue)
    steps: list[Step] = field(default_factory=list)
    written: threading.Event = field(default_factory=threading.Event)
    committed: bool = False
    failure: BaseException | None = None
    thread: threading.Thread | None = None


class EarlyWriter:
    """Writes a file's orders while its later rows are still being checked.

    The check takes one core of the client and the database's work another: done one after
    the other, as a plain import does, each waits for the other. Here each chunk of checked
    orders goes to `writers` threads, each keeping one transaction open, and nothing is
    committed until the whole file has passed: all-or-nothing holds exactly as before.

    An order is handed over once a later order's first row has come (an order's rows come
    together in the files ERPs write). Should a later row touch an order already handed over
    (its rows spread through the file), or a row be bad where nothing may be written, or a
    writer fail, every transaction is rolled back and `finish` returns None: the import then
    writes the plan the plain way, with the same outcome, only later.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        write: WriteBatch,
        *,
        writers: int,
        max_orders: int,
        max_lines: int,
        keep_going_on_bad_rows: bool,
    ) -> None:
        self.uow = uow
        self.write = write
        self.max_orders = max_orders
        self.max_lines = max_lines
        # With --skip-bad a bad row only leaves its own order out: the others still go.
        self.keep_going = keep_going_on_bad_rows
        self._writers = [_Writer() for _ in range(writers)]
        self._next = 0
        self._taken = 0  # how many of plan.fresh have been looked at
        self._batch: list[OrderDraft] = []
        self._lines = 0
        self._live = True

    @property
    def live(self) -> bool:
        return self._live

    def checked(self, plan: Plan) -> None:
        """Hand over the orders that later rows can no longer change (check_file's hook)."""
        if not self._live:
            return
        if self._spoiled(plan):
            self.abandon()
            return
        # The newest order may still get rows from the next chunk: it waits.
        self._take(plan, len(plan.fresh) - 1)

    def finish(self, plan: Plan) -> Iterator[Step] | None:
        """After the whole file was checked: the steps written, once every writer has
        committed; None when nothing was committed and the plan is to be written anew."""
        if not self._live or self._spoiled(plan):
            self.abandon()
            return None
        self._take(plan, len(plan.fresh))
        self._send_batch()
        return self._commit()

    def abandon(self) -> None:
        """Roll every writer's transaction back; nothing they wrote stays."""
        self._live = False
        for writer in self._writers:
            if writer.thread is not None:
                writer.inbox.put(_ABANDON)
        for writer in self._writers:
            if writer.thread is not None:
                writer.thread.join()

    def _spoiled(self, plan: Plan) -> bool:
        failed = any(writer.failure is not None for writer in self._writers)
        return failed or plan.spoiled or (bool(plan.problems) and not self.keep_going)

    def _take(self, plan: Plan, end: int) -> None:
        for draft in plan.fresh[self._taken : max(end, self._taken)]:
            # An order with a bad row is left out at the end of the check: never written.
            if draft.first.reference in plan.bad_keys:
                continue
            draft.sealed = True
            if self._batch and (
                len(self._batch) >= self.max_orders
                or self._lines + len(draft.lines) > self.max_lines
            ):
                self._send_batch()
            self._batch.append(draft)
            self._lines += len(draft.lines)
        self._taken = max(end, self._taken)

    def _send_batch(self) -> None:
        if not self._batch:
            return
        writer = self._writers[self._next % len(self._writers)]
        self._next += 1
        if writer.thread is None:
            writer.thread = threading.Thread(
                target=self._work, args=(writer,), name="import-early", daemon=True
            )
            writer.thread.start()
        writer.inbox.put(self._batch)
        self._batch, self._lines = [], 0

    def _work(self, writer: _Writer) -> None:
        try:
            with self.uow() as uow:
                while True:
                    item = writer.inbox.get()
                    if item == _ABANDON:
                        return  # leaving the unit of work rolls it back
                    if item == _WRITTEN:
                        writer.written.set()
                    elif item == _COMMIT:
                        uow.commit()
                        writer.committed = True
                        return
                    else:
                        assert not isinstance(item, str)
                        writer.steps.append((len(item), self.write(uow, item)))
        except BaseException as exc:  # kept, and seen by finish() or _commit()
            writer.failure = exc
        finally:
            writer.written.set()

    def _commit(self) -> Iterator[Step] | None:
        started = [w for w in self._writers if w.thread is not None]
        # Every batch written before the first commit: a failure there still undoes all.
        for writer in started:
            writer.inbox.put(_WRITTEN)
        for writer in started:
            writer.written.wait()
        if any(writer.failure is not None for writer in started):
            self.abandon()
            return None
        done: list[Step] = []
        for writer in started:
            writer.inbox.put(_COMMIT)
            assert writer.thread is not None
            writer.thread.join()
            if writer.failure is not None:
                self.abandon()
                if not done:
                    return None  # nothing committed: the plain way writes it all
                # Those before it have committed: say what they wrote, and stop.
                raise WritesFailed(done, writer.failure)
            done += writer.steps
        self._live = False
        return iter(done)
