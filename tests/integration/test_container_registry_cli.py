"""`toteflow import containers` and `toteflow label containers`: a CSV registers carts and
totes (ranges too) all or nothing; their labels scan back to their codes."""

from __future__ import annotations

import io
from pathlib import Path

import zxingcpp
from PIL import Image
from typer.testing import CliRunner

import toteflow.cli.cmd_label  # noqa: F401  (registers `toteflow label` on the app)
from tests.integration.test_import_cli import Site, site, toteflow_import  # noqa: F401
from toteflow.cli.common import app
from toteflow.domain.actor import SYSTEM


def registered(site: Site) -> tuple[list[str], list[str]]:  # noqa: F811
    carts = site.services.containers.carts(SYSTEM, 0, 500).items
    totes = site.services.containers.totes(SYSTEM, 0, 500).items
    return [c.code for c in carts], [t.code for t in totes]


def test_a_csv_registers_ranges_once_and_a_bad_row_registers_nothing(
    site: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    good = tmp_path / "containers.csv"
    good.write_text(
        "kind,labels,slots,volume_l\n"
        "tote,T000001-T000120,,60\n"
        "cart,C0001-C0003,6,\n"
        "Tote,T000500,,\n",
        encoding="utf-8",
    )
    code, out, err = toteflow_import(site, "containers", str(good))
    assert (code, err) == (0, "")
    assert (
        out.strip()
        == "registered 3 of 3 carts and 121 of 121 totes (the others were registered already)"
    )
    carts, totes = registered(site)
    assert carts == ["C0001", "C0002", "C0003"]
    assert (len(totes), totes[0], totes[-1]) == (121, "T000001", "T000500")
    assert site.services.containers.cart(SYSTEM, "C0002").slots == 6
    again = toteflow_import(site, "containers", str(good))
    assert again[1].strip().startswith("registered 0 of 3 carts and 0 of 121 totes")

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "kind,labels,slots,volume_l\n"
        "tote,T000900-T000950,,\n"
        "box,B1,,\n"
        "tote,T000700-T000600,,\n"
        "tote,T000701,8,\n",
        encoding="utf-8",
    )
    code, _out, err = toteflow_import(site, "containers", str(bad))
    assert code == 2
    assert "3 bad rows, nothing imported" in err
    assert "line 3: kind: 'box' is not cart or tote" in err
    assert "line 4: labels: T000700-T000600: the first label comes after the last" in err
    assert "line 5: slots: not a tote's column" in err
    assert len(registered(site)[1]) == 121


def label(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["label", "containers", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_tote_and_cart_labels_scan_back_to_their_codes(tmp_path: Path) -> None:
    code, out = label("T000001-T000003", "C0007", "--slots", "2", "--out", str(tmp_path / "l.png"))
    assert code == 0, out
    expected = ["T000001", "T000002", "T000003", "C0007", "C0007-S01", "C0007-S02"]
    for wanted in expected:
        image = Image.open(io.BytesIO((tmp_path / f"l-{wanted}.png").read_bytes()))
        assert image.size == (812, 406)
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [wanted]

    code, out = label("T000010-T000012", "--out", str(tmp_path / "totes.zpl"))
    assert code == 0, out
    zpl = (tmp_path / "totes.zpl").read_text(encoding="utf-8")
    assert zpl.count("^XA") == 3
    assert "^PW812" in zpl
    assert "^LL406" in zpl
    assert [f"^FD{c}^FS" in zpl for c in ("T000010", "T000011", "T000012")] == [True] * 3

    code, out = label("X12", "--out", str(tmp_path / "x.zpl"))
    assert code == 2
    assert "X12 is neither a tote nor a cart label" in out
    code, out = label("T000009-T000001", "--out", str(tmp_path / "x.zpl"))
    assert code == 2
    assert "the first label comes after the last" in out
    assert not (tmp_path / "x.zpl").exists()
