"""The wave console's use cases and its HTTP adapter: filters, and every reply in service terms."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tests.tui.wave_fakes import SUPERVISOR, FakeWaveServer
from toteflow.contracts import waves as wv
from toteflow.domain.errors import Forbidden, NotFound, Refused, ServiceError, Unauthenticated
from toteflow.station.server_client.wave_api import WaveApi
from toteflow.station.services.login import ServerUnreachable
from toteflow.station.services.wave_console import (
    WaveConsole,
    pool_words,
    resolutions,
    short_names,
    status_words,
)
from toteflow.station.services.wave_filters import PoolFilter, parse_filter, parse_ship_by

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_pool_filter() -> None:
    assert PoolFilter().filters() is None
    filters = PoolFilter(carrier="ups", profile="single_line").filters()
    assert filters is not None
    assert filters.model_dump(exclude_unset=True) == {"carrier": "UPS", "profile": "single_line"}
    with pytest.raises(ServiceError, match="not a carrier code"):
        PoolFilter(carrier="U P S").filters()


async def test_the_pool_is_asked_for_with_every_filter() -> None:
    """The server selects the pool as it selects a wave: the filters go as query parameters."""
    seen: list[httpx.Request] = []
    answer = wv.Pool(
        waiting=9,
        orders=2,
        lines=4,
        units=6,
        groups=[],
        left_out=[wv.LeftOut(filter="profile", words="profile multi line", orders=7)],
    )

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer.model_dump(mode="json"))

    console = WaveConsole(SUPERVISOR, api(handler))
    chosen = PoolFilter(carrier="ups", priorities=(1, 3), profile="multi_line", max_lines=5)
    assert await console.pool(chosen) == answer
    (request,) = seen
    assert request.url.path == "/api/v1/waves/pool"
    assert sorted(request.url.params.multi_items()) == [
        ("carrier", "UPS"),
        ("max_lines", "5"),
        ("priorities", "1"),
        ("priorities", "3"),
        ("profile", "multi_line"),
    ]
    assert pool_words(answer) == (
        "Pool: 2 of 9 waiting orders, 4 lines, 6 units\nLeft out by profile multi line: 7"
    )
    whole = answer.model_copy(update={"orders": 9, "left_out": []})
    assert pool_words(whole) == "Pool: 9 orders waiting, 4 lines, 6 units"


def test_wave_names_are_cut_so_that_none_looks_like_another() -> None:
    names = [
        "ups-ground-1500-20261122-093012",
        "ups-ground-1500-20261122-091544",
        "express",
        "a-very-long-name-for-one-wave-x-tail-of-it-1",
        "a-very-long-name-for-two-wave-x-tail-of-it-1",
    ]
    shown = short_names(names, 26)
    assert shown["ups-ground-1500-20261122-093012"] == "ups-ground…20261122-093012"
    assert shown["ups-ground-1500-20261122-091544"] == "ups-ground…20261122-091544"
    assert shown["express"] == "express"
    # Cut alike (same head, same tail): shown whole rather than as one wave twice.
    assert shown["a-very-long-name-for-one-wave-x-tail-of-it-1"] == names[3]
    assert shown["a-very-long-name-for-two-wave-x-tail-of-it-1"] == names[4]
    assert len(set(shown.values())) == len(names)


def test_a_wave_discarded_before_release_is_not_called_cancelled() -> None:
    from tests.tui.wave_fakes import wave

    assert status_words(wave(1, "w", "cancelled", released=False)) == "discarded"
    assert status_words(wave(2, "w", "cancelled")) == "cancelled"
    assert status_words(wave(3, "w", "on_hold")) == "on hold"


def test_ship_by_dates() -> None:
    assert parse_ship_by(" 2026-11-22 ") == date(2026, 11, 22)
    assert parse_ship_by("") is None
    with pytest.raises(ServiceError, match="type it as"):
        parse_ship_by("friday")


def test_the_filter_dialog_fields() -> None:
    typed = {
        "carrier": " ups ",
        "service": "ground",
        "cutoff": "9:05",
        "ship_by": "2026-11-22",
        "priorities": "3, 1 3",
        "zones": "A, B ,A",
        "profile": "Single-Line",
        "max_orders": "1,000",
        "max_lines": "4000",
    }
    chosen = parse_filter(typed)
    assert chosen == PoolFilter(
        carrier="UPS",
        service="GROUND",
        cutoff="09:05",
        ship_by=date(2026, 11, 22),
        priorities=(1, 3),
        zones=("A", "B"),
        profile="single_line",
        max_orders=1000,
        max_lines=4000,
    )
    # What the dialog shows reads back the same, and a template's filters come in whole.
    assert parse_filter(chosen.texts()) == chosen
    assert PoolFilter.of(chosen.exact()) == chosen
    assert parse_filter({}) == PoolFilter()
    assert parse_filter({"profile": "any"}).narrowed is False
    assert chosen.summary() == (
        "UPS · GROUND · cut-off 09:05 · ship by 2026-11-22 · prio 1,3 · zones A,B"
        " · single line · ≤1000 orders · ≤4000 lines"
    )


@pytest.mark.parametrize(
    ("field", "text", "said"),
    [
        ("cutoff", "24:00", "cut-off '24:00' is not used: type the pick-up time as 15:00"),
        ("cutoff", "noon", "cut-off 'noon'"),
        ("ship_by", "2026-02-30", "ship-by '2026-02-30' is not a date"),
        ("priorities", "0", "priority '0' is not used: type priorities 1 to 9"),
        ("priorities", "1,", "priority '1,'"),
        ("zones", "A,,B", "zones 'A,,B' is not used"),
        ("zones", "Z" * 41, "is not used: type zone names"),
        ("profile", "single", "profile 'single' is not used"),
        ("max_orders", "0", "max orders '0' is not used: type a whole number from 1 to 100000"),
        ("max_orders", "100001", "max orders '100001'"),
        ("max_lines", "2.5", "max lines '2.5' is not used"),
        ("service", "2nd day", "service '2ND DAY' is not used: not a service code"),
    ],
)
def test_bad_filter_values_are_named(field: str, text: str, said: str) -> None:
    with pytest.raises(ServiceError) as refused:
        parse_filter({field: text})
    assert said in str(refused.value)


async def test_the_wave_is_built_with_every_filter_shown() -> None:
    """Empty filters go as null too, so a template's filter the supervisor cleared stays so."""
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(409, json={"detail": "a wave named w already exists"})

    console = WaveConsole(SUPERVISOR, api(handler))
    with pytest.raises(Refused, match="already exists"):
        await console.build("singles", PoolFilter(carrier="ups"))
    (body,) = bodies
    assert json.loads(body) == {
        "template": "singles",
        "filters": {
            "carrier": "UPS",
            "service": None,
            "cutoff": None,
            "ship_by": None,
            "priorities": None,
            "zones": None,
            "profile": None,
            "max_orders": None,
            "max_lines": None,
        },
    }


async def test_a_wave_needs_a_template_or_filters() -> None:
    console = WaveConsole(SUPERVISOR, FakeWaveServer())
    with pytest.raises(ServiceError, match="choose a template"):
        await console.build(None, PoolFilter())


async def test_only_people_logged_in_at_a_station_are_offered() -> None:
    """The server lists who is logged in; the supervisor asking (at the console) is left out."""

    def picker(user_id: int, name: str) -> wv.LoggedInPicker:
        at = datetime(2026, 11, 22, 9, tzinfo=UTC)
        return wv.LoggedInPicker(
            user_id=user_id,
            name=name,
            badge=f"B{user_id}",
            station_id=user_id,
            station="s",
            since=at,
        )

    class People(FakeWaveServer):
        async def pickers(self, session_token: str) -> list[wv.LoggedInPicker]:
            return [picker(2, "Amy"), picker(SUPERVISOR.user_id, SUPERVISOR.name), picker(1, "zed")]

    console = WaveConsole(SUPERVISOR, People())
    assert [u.name for u in await console.pickers()] == ["Amy", "zed"]


def api(handler: Any) -> WaveApi:
    return WaveApi(
        lambda: httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        "http://server.test",
        "station-token",
    )


async def test_requests_carry_the_station_token_and_the_session() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "total": 0, "offset": 0, "limit": 30})

    assert await api(handler).waves("session-1", 30) == []
    (request,) = seen
    assert request.url == "http://server.test/api/v1/waves?limit=30"
    assert request.headers["Authorization"] == "Bearer station-token"
    assert request.headers["X-Toteflow-Session"] == "session-1"


async def test_a_template_with_filters_sends_only_what_was_given() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(409, json={"detail": "a wave named w already exists"})

    body = wv.WaveCreate(template="express", filters=wv.WaveFilters(carrier="UPS"))
    with pytest.raises(Refused, match="already exists"):
        await api(handler).create("s", body)
    assert bodies == [b'{"template":"express","filters":{"carrier":"UPS"}}']


@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (401, {"detail": "session expired"}, Unauthenticated, "session expired"),
        (403, {"detail": "supervisors only"}, Forbidden, "supervisors only"),
        (404, {"detail": "no wave 9"}, NotFound, "no wave 9"),
        (409, {"detail": "nothing to release"}, Refused, "nothing to release"),
        (
            422,
            {"detail": [{"loc": ["body", "reason"], "msg": "too long"}]},
            ServiceError,
            "reason: too long",
        ),
        (503, {"detail": "the database is not answering"}, ServerUnreachable, "not answering"),
    ],
)
async def test_replies_become_service_errors(
    status: int, body: dict[str, Any], error: type[Exception], words: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    with pytest.raises(error, match=words):
        await api(handler).release("s", 9)


async def test_no_server_and_a_garbled_answer() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServerUnreachable, match="console needs it"):
        await api(refused).progress("s", 1)
    asked: list[str] = []

    def brief(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"wave": "?"})

    with pytest.raises(ServiceError, match="not understood"):
        await api(brief).progress("s", 1, open_tasks=False)
    assert asked == ["http://server.test/api/v1/waves/1/progress?open_tasks=false"]

    def garbled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"wave": "?"})

    with pytest.raises(ServiceError, match="not understood"):
        await api(garbled).progress("s", 1)


def floor_exception(
    kind: str, task_line_id: int | None, detail: dict[str, Any]
) -> wv.FloorException:
    return wv.FloorException(
        id=1,
        kind=kind,
        status="open",
        reason="",
        order_reference="SO-1",
        task_line_id=task_line_id,
        station_id=None,
        user_id=None,
        detail=detail,
        created_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
        resolved_at=None,
        resolved_by=None,
        resolution="",
    )


@pytest.mark.parametrize(
    ("kind", "task_line_id", "detail", "offered"),
    [
        ("short", 7, {"missing": 2}, ("close", "reallocate", "cancel_line")),
        (
            "shortage",
            None,
            {"order_line_id": 3, "missing": 1},
            ("close", "reallocate", "cancel_line"),
        ),
        # A short at packing names the SKU, not the order line: closing is all there is.
        ("pack_short", None, {"sku": "SKU-1", "missing": 1, "reason": "not_found"}, ("close",)),
        ("rejected_event", None, {}, ("close",)),
    ],
)
def test_an_exception_offers_only_the_resolutions_the_server_can_do(
    kind: str, task_line_id: int | None, detail: dict[str, Any], offered: tuple[str, ...]
) -> None:
    assert resolutions(floor_exception(kind, task_line_id, detail)) == offered


def test_a_done_wave_on_the_console_shows_every_line_finished() -> None:
    from tests.tui.wave_fakes import progress, wave
    from toteflow.station.services.wave_console import WaveLine
    from toteflow.station.tui.screens.supervisor_console import wave_cells

    done = wave(4, "Demo cart", "done", orders=4, lines=4)
    assert wave_cells(WaveLine(done, None))[1:5] == ("done", "4", "4/4", "100%")
    # Once its progress is read, its short lines show.
    assert wave_cells(WaveLine(done, progress(done)))[1:5] == ("done", "4", "4/4, 1 short", "100%")
    planned = wave(5, "Next", "planned", orders=2, lines=3)
    assert wave_cells(WaveLine(planned, None))[3:5] == ("-/3", "-")


async def test_a_finished_wave_is_read_once_and_kept() -> None:
    from tests.tui.wave_fakes import wave

    read: list[int] = []

    class Counting(FakeWaveServer):
        async def progress(
            self, session_token: str, wave_id: int, *, open_tasks: bool = True
        ) -> wv.WaveProgress:
            read.append(wave_id)
            return await super().progress(session_token, wave_id, open_tasks=open_tasks)

    server = Counting(
        waves_shown=[
            wave(3, "live", "released", orders=2, lines=5, tasks=1),
            wave(2, "done", "done", orders=4, lines=4, tasks=1),
            wave(1, "never released", "cancelled", released=False),
        ]
    )
    console = WaveConsole(SUPERVISOR, server)
    first = await console.overview()
    again = await console.overview()
    assert sorted(read) == [2, 3, 3]  # the live wave each time, the done one once
    for lines in (first, again):
        by_id = {line.wave.id: line for line in lines}
        assert by_id[2].progress is not None
        assert (by_id[2].progress.lines_done, by_id[2].progress.lines_short) == (4, 1)
        assert by_id[1].progress is None


def test_the_preview_names_what_it_leaves_out() -> None:
    """Whatever the filters take and the wave does not release is named, and why."""
    from toteflow.station.tui.screens.supervisor_preview import preview_words

    figures = wv.WavePreview(
        orders=1,
        lines=1,
        units=1,
        zones=[],
        shortages=[],
        short_units=0,
        orders_left=["SO-6"],
        orders_cancelled=["SO-7", "SO-8"],
        tasks=1,
        carts=0,
        totes=1,
        distance_m=10.0,
        walking_seconds=10.0,
        picking_seconds=10.0,
        pick_seconds=20.0,
        cutoff_at=None,
        shortage_policy="cancel_line",
        waiting=9,
        matched=4,
        left_out=[
            wv.LeftOut(filter="carrier", words="carrier UPS", orders=3),
            wv.LeftOut(filter="max_lines", words="max lines 5", orders=2),
        ],
    )
    words = preview_words(figures).splitlines()
    assert words[-4:] == [
        "1 order stays in the pool (nothing reservable)",
        "2 orders cancelled: every line short (policy cancel_line)",
        "Filters take 4 of 9 waiting orders; left out by",
        "  carrier UPS: 3 · max lines 5: 2",
    ]
    nothing_left_out = figures.model_copy(update={"left_out": [], "matched": 9})
    assert "Filters take" not in preview_words(nothing_left_out)
