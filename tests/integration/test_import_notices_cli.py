"""`toteflow import notices` on SQLite and PostgreSQL: the sample, bad rows, --skip-bad, re-runs."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session, func, select

from tests.integration.test_import_cli import SAMPLES, Site, import_samples, site, toteflow_import
from toteflow.central.services.importing.columns import COLUMNS as IMPORT_COLUMNS
from toteflow.central.store.notices_tables import InboundNotice, InboundNoticeLine, InboundSscc
from toteflow.central.store.tables import AuditEntry, Change
from toteflow.contracts.notices import NoticeFilter
from toteflow.domain.actor import SYSTEM
from toteflow.domain.gs1 import with_check_digit

__all__ = ["site"]  # the fixture, shared with the other import tests

COLUMNS = list(IMPORT_COLUMNS["notices"].names)
PALLET = with_check_digit("00614141200000001")
CASE = with_check_digit("00614141200000002")


def row(reference: str, sku: str = "MUG-350", quantity: int = 1, **fields: str) -> dict[str, str]:
    values = dict.fromkeys(COLUMNS, "")
    values.update(
        reference=reference,
        kind="po",
        supplier_code="ACME",
        supplier_name="Acme Housewares, Ltd",
        expected_on="2026-12-14",
        sku=sku,
        quantity=str(quantity),
    )
    values.update(fields)
    return values


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(site: Site, model: object) -> int:
    with Session(site.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())  # type: ignore[arg-type]


def references(site: Site) -> list[str]:
    page = site.services.notices.find(SYSTEM, NoticeFilter(), 0, 100)
    return sorted(notice.reference for notice in page.items)


def test_the_sample_imports_once_with_audit_and_feed(site: Site) -> None:
    import_samples(site)
    path = str(SAMPLES / "notices.csv")
    code, out, err = toteflow_import(site, "notices", path)
    assert (code, out.strip(), err) == (0, "imported 2 notices, 0 already present, 0 bad", "")
    code, out, err = toteflow_import(site, "notices", path)
    assert (code, out.strip()) == (0, "imported 0 notices, 2 already present, 0 bad")
    assert references(site) == ["ASN-3001", "PO-2001"]
    assert (count(site, InboundNotice), count(site, InboundNoticeLine)) == (2, 4)
    assert count(site, InboundSscc) == 4
    asn = site.services.notices.by_sscc(SYSTEM, with_check_digit("00614141100000003"))
    assert asn.reference == "ASN-3001"
    assert [(line.sku, line.quantity, line.base_quantity) for line in asn.lines] == [
        ("TEA-GRN-20", 400, 400),
        ("GLOVE-NIT-M", 5, 50),
    ]
    with Session(site.engine) as session:
        audited = session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "notice.created")
        ).one()
        fed = session.exec(
            select(func.count()).select_from(Change).where(Change.kind == "notice.updated")
        ).one()
    assert (audited, fed) == (2, 2)


def test_bad_rows_import_nothing_and_say_what_is_wrong(site: Site, tmp_path: Path) -> None:
    import_samples(site)
    rows = [
        row("PO-1"),
        row("PO-2", sku="NOPE-1"),
        row("PO-3", uom="PL"),
        row("PO-4", quantity=0),
        row("PO-5", expected_on="2026-13-01"),
        row("PO-6", lot="L\x1b[31m"),
        row("ASN-7", kind="asn", sscc=PALLET[:-1] + str((int(PALLET[-1]) + 1) % 10)),
        row("ASN-8", kind="asn", sscc=CASE),
        row("ASN-9", kind="asn", sscc=CASE),
        row("PO-10", sscc=PALLET),
        row("PO-11", quantity=1_000_001),
        row("PO-12", supplier_name="Other name"),
        row("PO-12", sku="TAPE-48"),
    ]
    code, out, err = toteflow_import(site, "notices", str(write(tmp_path / "in.csv", rows)))
    assert code != 0
    assert "nothing imported" in err
    for words in (
        "line 3: unknown SKU NOPE-1",
        "line 4: SKU MUG-350 has no unit PL (it has CS, EA)",
        "line 5: quantity 0 is out of range: 1 to 1000000",
        "line 6: expected_on '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 7: lot 'L\\x1b[31m' holds a control or invisible character (U+001B at character 2)",
        f"line 8: sscc {PALLET[:-1]}",
        "has a wrong check digit",
        f"line 10: SSCC {CASE} is on notice ASN-8 too (line 9)",
        "line 11: sscc is given on a notice that is not an ASN",
        "line 12: quantity 1000001 is out of range",
        "line 14: notice PO-12: supplier_name 'Acme Housewares, Ltd' differs from line 13",
    ):
        assert words in out, (words, out)
    assert count(site, InboundNotice) == 0


def test_skip_bad_imports_the_good_notices_and_a_re_run_creates_nothing(
    site: Site, tmp_path: Path
) -> None:
    import_samples(site)
    rows = [
        row("PO-1"),
        row("PO-1", sku="TAPE-48", quantity=5),
        row("PO-2", line_no="1"),
        row("PO-2", line_no="1", sku="TAPE-48"),  # one line number, two SKUs: PO-2 goes whole
        row("ASN-3", kind="asn", quantity=6, sscc=CASE, parent_sscc=PALLET),
        row("ASN-3", kind="asn", quantity=6, uom="EA", sscc=PALLET),
    ]
    path = write(tmp_path / "in.csv", rows)
    bad = tmp_path / "bad.csv"
    code, out, err = toteflow_import(site, "notices", str(path), "--skip-bad", str(bad))
    assert (code, err) == (0, "")
    assert out.strip() == (
        f"imported 2 notices, 0 already present, 1 bad (1 rows); bad rows written to {bad}"
    )
    assert references(site) == ["ASN-3", "PO-1"]
    asn = site.services.notices.get(SYSTEM, "ASN-3")
    # Two rows of one SKU, unit, lot and expiry make one line; each SSCC holds its own part.
    assert [(line.line_no, line.quantity) for line in asn.lines] == [(1, 12)]
    assert {s.sscc: (s.parent_sscc, [c.quantity for c in s.contents]) for s in asn.ssccs} == {
        CASE: (PALLET, [6]),
        PALLET: (None, [6]),
    }
    with bad.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(r["reference"], r["sku"], r["error"][:40]) for r in written] == [
        ("PO-2", "MUG-350", "notice PO-2 left out: line 5 is bad"),
        ("PO-2", "TAPE-48", "line_no 1 is MUG-350 in EA on line 4, no"),
    ]
    code, out, _err = toteflow_import(site, "notices", str(path), "--skip-bad", str(bad))
    assert (code, out.strip()[:48]) == (0, "imported 0 notices, 2 already present, 1 bad (1 ")
    assert count(site, InboundNotice) == 2

    # The same case on another notice: refused, naming the notice that has it.
    other = write(tmp_path / "other.csv", [row("ASN-4", kind="asn", sscc=CASE)])
    code, out, err = toteflow_import(site, "notices", str(other))
    assert code != 0
    assert f"line 2: SSCC {CASE} is already on notice ASN-3" in out
    assert count(site, InboundNotice) == 2
