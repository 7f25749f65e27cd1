"""Keyboard-wedge scans through Textual's own terminal parser: bursts, GS, Enter, paste."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Button, Input

from tests.tui.probe import PlainScreen, ProbeApp, sample_scans
from tests.tui.terminal_input import PASTE_END, PASTE_START, feed_terminal_bytes, settle, wait_until
from toteflow.station.tui.scan_messages import (
    SOURCE_KEYBOARD,
    SOURCE_PASTE,
    SOURCE_WEDGE,
    ScannerStatus,
    SerialScan,
)
from toteflow.station.tui.widgets.scan_capture import GS, WedgeSettings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def as_bytes(scans: list[str], suffix: str = "\r") -> bytes:
    return "".join(scan + suffix for scan in scans).encode()


async def test_200_scans_in_one_chunk_arrive_whole_and_in_order() -> None:
    scans = sample_scans(200)
    assert any(GS in scan for scan in scans)
    app = ProbeApp()
    async with app.run_test() as pilot:
        assert isinstance(app.focused, Button)
        await feed_terminal_bytes(app, as_bytes(scans))
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 200)
        await settle(pilot)
        assert [raw for raw, _ in app.probe.scans] == scans
        assert {source for _, source in app.probe.scans} == {SOURCE_KEYBOARD}
        # 200 Enters went past a focused Button; none pressed it.
        assert app.probe.pressed == 0


async def test_burst_split_across_driver_reads_arrives_whole() -> None:
    # The driver reads at most 4 KiB at a time: scans straddle reads, even mid-character.
    scans = [*sample_scans(200), "Größe-ÄÖÜ-€"]
    data = as_bytes(scans)
    reads = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    reads += [data[:0]]
    odd = [data[i : i + 7] for i in range(0, len(data), 7)]
    app = ProbeApp()
    async with app.run_test() as pilot:
        await feed_terminal_bytes(app, *reads[:-1])
        await feed_terminal_bytes(app, *odd)
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 2 * len(scans))
        await settle(pilot)
        assert [raw for raw, _ in app.probe.scans] == scans + scans


async def test_scanner_enter_does_not_press_the_focused_button() -> None:
    app = ProbeApp()
    async with app.run_test() as pilot:
        assert app.focused is app.probe.query_one("#confirm", Button)
        await feed_terminal_bytes(app, b"05-017-2\r")
        await pilot.press(*"T000042", "enter")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 2)
        await settle(pilot)
        assert app.probe.scans == [("05-017-2", SOURCE_KEYBOARD), ("T000042", SOURCE_KEYBOARD)]
        assert app.probe.pressed == 0
        # A person's lone Enter is still theirs: keyboard-only users can press the button.
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.probe.pressed == 1)


async def test_crlf_scanner_sends_one_enter_per_scan() -> None:
    app = ProbeApp()
    async with app.run_test() as pilot:
        await feed_terminal_bytes(app, b"T000001\r\nT000002\r\n")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 2)
        await settle(pilot)
        assert [raw for raw, _ in app.probe.scans] == ["T000001", "T000002"]
        assert app.probe.pressed == 0


async def test_gs_is_kept_as_0x1d() -> None:
    scan = f"]C10109501101530003{GS}10ABC{GS}21XYZ"
    app = ProbeApp()
    async with app.run_test() as pilot:
        # Legacy terminals send the byte itself ...
        await feed_terminal_bytes(app, scan.encode() + b"\r")
        # ... the kitty keyboard protocol sends ctrl+] as CSI 93;5u, with no text.
        kitty = scan.replace(GS, "\x1b[93;5u").encode() + b"\r"
        await feed_terminal_bytes(app, kitty)
        # ... and pilot presses it by name.
        await pilot.press(*"0109501101530003", "ctrl+right_square_bracket", *"10ABC", "enter")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 3)
        raws = [raw for raw, _ in app.probe.scans]
        assert raws == [scan, scan, f"0109501101530003{GS}10ABC"]


async def test_paste_of_several_scans_gives_separate_scans() -> None:
    app = ProbeApp()
    async with app.run_test() as pilot:
        pasted = f"05-017-2\nT000007\r\n01095011015300031{GS}10LOT\rT000008".encode()
        await feed_terminal_bytes(app, PASTE_START + pasted + PASTE_END)
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 3)
        await settle(pilot)
        assert app.probe.scans == [
            ("05-017-2", SOURCE_PASTE),
            ("T000007", SOURCE_PASTE),
            (f"01095011015300031{GS}10LOT", SOURCE_PASTE),
        ]
        # Text after the last line break waits, as if typed, for Enter.
        assert app.scan_pending == "T000008"
        await feed_terminal_bytes(app, b"\r")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 4)
        assert app.probe.scans[-1] == ("T000008", SOURCE_KEYBOARD)
        assert app.probe.pressed == 0


async def test_typing_a_code_by_hand_is_a_scan_and_backspace_edits_it() -> None:
    app = ProbeApp()
    async with app.run_test() as pilot:
        await pilot.press(*"05-017-9", "backspace", "2")
        assert app.scan_pending == "05-017-2"
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 1)
        assert app.probe.scans == [("05-017-2", SOURCE_KEYBOARD)]
        assert app.scan_pending == ""
        # Escape drops a half-typed code instead of sending it.
        await pilot.press(*"T00", "escape", *"T000009", "enter")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 2)
        assert app.probe.scans[-1] == ("T000009", SOURCE_KEYBOARD)


async def test_text_field_keeps_typing_and_a_prefix_still_marks_scans() -> None:
    app = ProbeApp(WedgeSettings(prefix="\x02", suffix="\x03"))
    async with app.run_test() as pilot:
        field = app.probe.query_one("#qty", Input)
        field.focus()
        await pilot.pause()
        # A person types a quantity into the field; the scanner's framed scan (STX ... ETX,
        # sent as ctrl+b / ctrl+c keys) is still a scan, and never reaches the field.
        await feed_terminal_bytes(
            app, b"12\x02T000005\x03" + f"\x02]C101095011015300031{GS}10L\x03".encode()
        )
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 2)
        await settle(pilot)
        assert field.value == "12"
        assert app.probe.scans == [
            ("T000005", SOURCE_WEDGE),
            (f"]C101095011015300031{GS}10L", SOURCE_WEDGE),
        ]


async def test_prefix_scans_keep_their_order_among_typed_ones() -> None:
    app = ProbeApp(WedgeSettings(prefix="~~"))
    async with app.run_test() as pilot:
        # "~x" starts like the prefix but is typed text; "~~...\r" is a framed scan.
        await feed_terminal_bytes(app, b"A~x\r~~T000001\rB\r")
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 3)
        await settle(pilot)
        assert app.probe.scans == [
            ("A~x", SOURCE_KEYBOARD),
            ("T000001", SOURCE_WEDGE),
            ("B", SOURCE_KEYBOARD),
        ]


async def test_serial_scans_from_a_thread_reach_the_screen_like_wedge_scans() -> None:
    app = ProbeApp()
    async with app.run_test() as pilot:

        def scanner_thread() -> None:
            app.post_message(ScannerStatus("/dev/ttyUSB0", connected=False, detail="unplugged"))
            app.post_message(ScannerStatus("/dev/ttyUSB0", connected=True))
            for n in range(50):
                app.post_message(SerialScan(f"T{n:06d}", "/dev/ttyUSB0"))

        thread = threading.Thread(target=scanner_thread)
        thread.start()
        thread.join()
        assert await wait_until(pilot, lambda: len(app.probe.scans) >= 50)
        assert app.probe.scans == [(f"T{n:06d}", "serial:/dev/ttyUSB0") for n in range(50)]
        assert app.probe.statuses == [("/dev/ttyUSB0", False), ("/dev/ttyUSB0", True)]


async def test_a_scan_where_none_is_expected_rings_bad_and_is_not_delivered() -> None:
    app = ProbeApp()
    async with app.run_test(notifications=True) as pilot:
        probe = app.probe
        await app.push_screen(PlainScreen())
        await pilot.pause()
        # Printable keys belong to that screen's own keys; a serial scan is still a scan.
        app.post_message(SerialScan("T000001", "loop://"))
        assert await wait_until(pilot, lambda: app.bells >= 3)
        assert probe.scans == []
        assert any("No scan expected" in n.message for n in app._notifications)
