"""Orders written while their file is still checked (PostgreSQL): all-or-nothing as ever."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.integration.test_import_cli import Site, import_samples, order, write_orders
from tests.integration.test_import_cli import site as site  # the fixture
from toteflow.central.ports.repos import UnitOfWork
from toteflow.central.services.importing.checking import PREFETCH_ROWS
from toteflow.central.services.importing.service import ImportInterrupted, ImportService
from toteflow.contracts.orders import OrderCreate
from toteflow.domain.actor import SYSTEM, Actor

pytestmark = pytest.mark.parametrize(
    "database", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
# More orders than one chunk of checked rows: the first chunk's orders go to the writers
# while the second chunk is checked.
ORDERS = PREFETCH_ROWS + 500


class Spy:
    """add_all() as the import calls it, counting what it was given; optionally failing."""

    def __init__(self, importer: ImportService, fail_on_call: int | None = None) -> None:
        self.real = importer.orders.add_all
        self.fail_on_call = fail_on_call
        self.calls = 0
        self.orders = 0
        self.seen_committed: list[int] = []
        self.site: Site | None = None

    def __call__(
        self,
        uow: UnitOfWork,
        actor: Actor,
        orders: Sequence[OrderCreate],
        detail: Callable[[OrderCreate], str] | None = None,
    ) -> list[OrderCreate]:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise OSError("disk full")
        if self.site is not None:
            # What anyone else sees meanwhile: nothing, until the whole file has passed.
            with self.site.engine.connect() as other:
                count = other.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
            self.seen_committed.append(count)
        self.orders += len(orders)
        return self.real(uow, actor, orders, detail)


def importer_with(
    place: Site, monkeypatch: pytest.MonkeyPatch, spy_fail: int | None = None
) -> tuple[ImportService, Spy]:
    importer = ImportService(place.importer.uow, batch_size=100, writers=2, early_writes=True)
    spy = Spy(importer, spy_fail)
    monkeypatch.setattr(importer.orders, "add_all", spy)
    return importer, spy


def many(count: int = ORDERS) -> list[dict[str, str]]:
    return [order(f"SO-{n:05d}") for n in range(1, count + 1)]


def test_nothing_is_committed_until_the_whole_file_passed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    path = write_orders(tmp_path / "o.csv", [*many(), order("SO-LAST", sku="NO-SUCH-SKU")])
    importer, spy = importer_with(site, monkeypatch)
    spy.site = site
    report = importer.run(SYSTEM, "orders", path)
    assert not report.written
    assert [str(problem) for problem in report.problems] == [
        f"line {ORDERS + 2}: unknown SKU NO-SUCH-SKU"
    ]
    # Batches were written while the rest was checked, seen by nobody, and rolled back.
    assert spy.calls >= 10
    assert set(spy.seen_committed) == {0}
    assert site.orders() == []
    audit = site.services.people.audit(SYSTEM, "order", None, "order.created", 0, 5)
    assert audit.total == 0


def test_a_clean_file_written_early_is_all_there_once(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    path = write_orders(tmp_path / "o.csv", many())
    importer, spy = importer_with(site, monkeypatch)
    seen: list[tuple[str, int, int]] = []
    report = importer.run(
        SYSTEM,
        "orders",
        path,
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    assert (report.imported, report.already_present) == (ORDERS, 0)
    assert spy.orders == ORDERS  # each order written once: no second pass
    assert len(site.orders()) == ORDERS
    assert seen[-1] == ("importing", ORDERS, ORDERS)
    again = importer.run(SYSTEM, "orders", path)
    assert (again.imported, again.already_present) == (0, ORDERS)


def test_an_order_whose_rows_are_spread_is_written_whole(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    # SO-00001's second row comes after its order went to the writers with one line.
    rows = [*many(), order("SO-00001", sku="TEA-GRN-20", quantity=2)]
    importer, spy = importer_with(site, monkeypatch)
    report = importer.run(SYSTEM, "orders", write_orders(tmp_path / "o.csv", rows))
    assert (report.imported, report.already_present, report.problems) == (ORDERS, 0, [])
    placed = site.services.orders.get(SYSTEM, "SO-00001")
    assert [(line.sku, line.quantity) for line in placed.lines] == [
        ("MUG-350", 1),
        ("TEA-GRN-20", 2),
    ]
    assert spy.orders > ORDERS  # what was written early was undone, then written anew
    assert len(site.orders()) == ORDERS


def test_skip_bad_leaves_out_an_order_written_early_and_keeps_the_rest(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    rows = [*many(), order("SO-00002", sku="NO-SUCH-SKU")]
    importer, _spy = importer_with(site, monkeypatch)
    report = importer.run(
        SYSTEM, "orders", write_orders(tmp_path / "o.csv", rows), skip_bad=tmp_path / "bad.csv"
    )
    assert (report.imported, report.bad) == (ORDERS - 1, 1)
    assert "SO-00002" not in site.orders()
    assert len(site.orders()) == ORDERS - 1


def test_a_bad_row_of_a_late_order_with_skip_bad_keeps_the_early_writes(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    rows = [*many(), order("SO-BAD", sku="NO-SUCH-SKU")]
    importer, spy = importer_with(site, monkeypatch)
    report = importer.run(
        SYSTEM, "orders", write_orders(tmp_path / "o.csv", rows), skip_bad=tmp_path / "bad.csv"
    )
    assert (report.imported, report.bad) == (ORDERS, 1)
    assert spy.orders == ORDERS  # nothing written twice


def test_a_writer_failing_early_undoes_its_batches_and_the_import_writes_them_anew(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    importer, spy = importer_with(site, monkeypatch, spy_fail=2)
    report = importer.run(SYSTEM, "orders", write_orders(tmp_path / "o.csv", many()))
    assert (report.imported, report.already_present) == (ORDERS, 0)
    assert len(site.orders()) == ORDERS
    assert spy.calls > ORDERS // 100  # the early batches, then every batch again


def test_a_failure_after_the_check_is_reported_as_an_interrupted_import(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_samples(site)
    importer, _spy = importer_with(site, monkeypatch)
    path = write_orders(tmp_path / "o.csv", many())
    commits = 0

    def failing_factory() -> UnitOfWork:
        uow = site.importer.uow()
        commit = uow.commit

        def second_commit_fails() -> None:
            nonlocal commits
            commits += 1
            if commits == 2:
                raise OSError("disk full")
            commit()

        uow.commit = second_commit_fails  # type: ignore[method-assign]
        return uow

    monkeypatch.setattr(importer, "uow", failing_factory)
    with pytest.raises(ImportInterrupted, match=r"stopped after \d+ orders \(OSError: disk full\)"):
        importer.run(SYSTEM, "orders", path)
    written = len(site.orders())
    assert 0 < written < ORDERS
    monkeypatch.undo()
    report = ImportService(site.importer.uow, early_writes=True, writers=2).run(
        SYSTEM, "orders", path
    )
    assert (report.imported, report.already_present) == (ORDERS - written, written)
