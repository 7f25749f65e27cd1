"""`toteflow import face-limits` on SQLite and PostgreSQL: all rows checked first, --skip-bad,
re-runs change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.integration.test_import_cli import SAMPLE_LOCATIONS, SAMPLES, Site, toteflow_import
from toteflow.central import bootstrap
from toteflow.config import Settings
from toteflow.contracts.catalogue import LocationCreate, LocationStorageUpdate
from toteflow.domain.actor import SYSTEM

HEADER = "location,sku,minimum,maximum\n"


@pytest.fixture
def site(database: Database, settings: Settings) -> Iterator[Site]:
    engine = bootstrap.open_database(database.url, schema=database.schema)
    services = bootstrap.build_services(engine, settings)
    services.catalogue.apply_layout(
        SYSTEM,
        [],
        [LocationCreate(code=code) for code in SAMPLE_LOCATIONS]
        + [LocationCreate(code="01-009-3", kind="reserve")],
    )
    url = database.url
    if database.schema:
        url += f"?options=-csearch_path%3D{database.schema}"
    made = Site(engine, services, bootstrap.build_importer(engine), url)
    code, _out, err = toteflow_import(made, "products", str(SAMPLES / "products.csv"))
    assert code == 0, err
    yield made
    engine.dispose()


def limits(site: Site) -> dict[tuple[str, str], tuple[int, int]]:
    page = site.services.replenishment.limits(SYSTEM, 0, 100)
    return {(i.location, i.sku): (i.minimum, i.maximum) for i in page.items}


def test_the_sample_imports_and_a_second_run_changes_nothing(site: Site) -> None:
    sample = str(SAMPLES / "face-limits.csv")
    code, out, err = toteflow_import(site, "face-limits", sample)
    assert (code, out.strip(), err) == (0, "imported 3 face limits, 0 unchanged, 0 bad", "")
    assert limits(site)[("01-001-1", "MUG-350")] == (6, 24)
    code, out, _err = toteflow_import(site, "face-limits", sample)
    assert (code, out.strip()) == (0, "imported 0 face limits, 3 unchanged, 0 bad")
    assert len(limits(site)) == 3


def test_bad_rows_import_nothing_unless_skipped(site: Site, tmp_path: Path) -> None:
    site.services.catalogue.set_location_storage(
        SYSTEM, "01-003-1", LocationStorageUpdate(home_sku="MUG-350", max_quantity=30)
    )
    file = tmp_path / "limits.csv"
    file.write_text(
        HEADER
        + "01-001-1,MUG-350,6,24\n"  # good
        + "01-001-2,MUG-350,30,20\n"  # min above max
        + "01-009-3,MUG-350,1,5\n"  # a reserve location
        + "01-002-1,NOPE-1,1,5\n"  # unknown SKU
        + "01-003-1,MUG-350,5,31\n"  # above the face's capacity
        + "01-002-2,MUG-350,x,5\n"  # not a number
        + "01-001-1,MUG-350,2,8\n",  # the same face and SKU again
        encoding="utf-8",
    )
    code, out, err = toteflow_import(site, "face-limits", str(file))
    assert code != 0
    text = out + err
    for words in (
        "line 3: minimum 30 is above maximum 20",
        "line 4: 01-009-3 is a reserve, not a pick face",
        "line 5: unknown SKU NOPE-1",
        "line 6: maximum 31 is more than 01-003-1 holds (30)",
        "line 7: minimum",
        "line 8: the same location and SKU as line 2",
    ):
        assert words in text, text
    assert limits(site) == {}
    bad = tmp_path / "bad.csv"
    code, out, err = toteflow_import(site, "face-limits", str(file), "--skip-bad", str(bad))
    assert code == 0, err
    assert limits(site) == {("01-001-1", "MUG-350"): (6, 24)}
    assert len(bad.read_text(encoding="utf-8").splitlines()) == 7
