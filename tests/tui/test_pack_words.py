"""At 80x24 the pack desk's long sentences are shown whole: the label printed to a folder
names the whole folder, and what to do next after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.station_world import LiveServer, on_screen, press
from tests.tui.test_pack_demo import demo_key, log_in, pick_the_cart
from tests.tui.test_station_demo import DemoSite, demo_site  # noqa: F401  (the fixture)
from toteflow.station import bootstrap as station_bootstrap
from toteflow.station.tui.screens.pack_box import PackBoxScreen
from toteflow.station.tui.screens.pack_dialogs import PackWeightScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.pack_order import PackOrderScreen
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def panel_text(app: Any, widget: ScanFeedback) -> str:
    """The words inside a bordered panel, its rows joined as a person reads on."""
    region = widget.content_region
    rows = [strip.text for strip in app.screen._compositor.render_strips()]
    return " ".join(
        " ".join(row[region.x : region.right].split()) for row in rows[region.y : region.bottom]
    )


async def test_the_label_folder_sentence_is_whole_at_80x24(
    demo_site: tuple[DemoSite, LiveServer],  # noqa: F811  (the fixture)
) -> None:
    site, server = demo_site
    await station_bootstrap.register_with_token(site.settings.station, server.url, site.token)
    built = station_bootstrap.build_station_app(site.settings, demo=True, tune_gc=False)
    app = built.app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pick_the_cart(pilot)
            await log_in(pilot, "packer")
            await on_screen(pilot, PackHomeScreen)
            await demo_key(pilot)  # the first tote
            await on_screen(pilot, PackOrderScreen)
            while isinstance(app.screen, PackOrderScreen):
                await demo_key(pilot)  # each item
            box: PackBoxScreen = await on_screen(pilot, PackBoxScreen)
            await demo_key(pilot)  # the suggested box
            await press(pilot, "f4")
            await on_screen(pilot, PackWeightScreen)
            await press(pilot, "enter")
            await on_screen(pilot, PackBoxScreen)
            await press(pilot, "f10")
            assert box.desk.boxing is not None
            assert box.desk.boxing.prints[-1].ok
            folder = Path(site.settings.station.data_dir) / "labels"
            said = panel_text(app, box.query_one(ScanFeedback))
            assert "LABEL PRINTED" in said
            # A path longer than a row breaks where the row ends (pytest's are long).
            assert f"labeltothefolder{folder}:".replace(" ", "") in said.replace(" ", "")
            assert said.endswith(("F10 finishes the order", "scan the next box"))
            assert "Help" in app.screen._compositor.render_strips()[-1].text
    finally:
        built.close()
