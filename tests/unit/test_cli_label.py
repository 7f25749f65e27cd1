"""`toteflow label sample`: a label as a picture that scans, or sent to a configured printer."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from toteflow.cli import _register, app

_register()


def test_a_sample_label_is_a_picture_that_scans(tmp_path: Path) -> None:
    out = tmp_path / "label.png"
    result = CliRunner().invoke(app, ["label", "sample", "--out", str(out)])
    assert result.exit_code == 0, result.output
    texts = {r.text for r in zxingcpp.read_barcodes(Image.open(out))}
    assert "(00)006141410000000005" in texts


def test_a_sample_label_goes_to_a_folder_printer_or_says_why_not(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(
        '[printing]\nprinters = { shelf = "folder:out?format=zpl", gone = "tcp://127.0.0.1:1" }\n'
        'label_printer = "shelf"\nslip_printer = ""\n'
    )
    runner = CliRunner()
    base = ["label", "sample", "--config", str(config), "--dir", str(tmp_path)]
    ok = runner.invoke(app, [*base, "--printer", "shelf"])
    assert ok.exit_code == 0, ok.output
    assert ">;>800" in (tmp_path / "out" / "sample-label.zpl").read_text()
    down = runner.invoke(app, [*base, "--printer", "gone"])
    assert down.exit_code == 1
    assert "does not answer" in down.output
    unknown = runner.invoke(app, [*base, "--printer", "laser"])
    assert unknown.exit_code == 2
    assert runner.invoke(app, ["label", "sample", "--out", str(tmp_path / "x.gif")]).exit_code == 2
