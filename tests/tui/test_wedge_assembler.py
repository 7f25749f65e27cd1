"""WedgeAssembler on its own: key events from Textual's parser in, scans out (no app)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from textual._xterm_parser import XTermParser

from toteflow.station.tui.scan_messages import SOURCE_KEYBOARD, SOURCE_PASTE, SOURCE_WEDGE
from toteflow.station.tui.widgets.scan_capture import (
    GS,
    WedgeAssembler,
    WedgeSettings,
    decode_wedge_text,
    key_character,
    visible,
)

scan_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), st.just(GS)
    ),
    min_size=1,
    max_size=40,
)


def keys(text: str) -> list[events.Key]:
    parser = XTermParser()
    return [event for event in parser.feed(text) if isinstance(event, events.Key)]


def run(
    settings: WedgeSettings, text: str, capture: bool = True
) -> tuple[list[tuple[str, str]], list[str]]:
    scans: list[tuple[str, str]] = []
    wedge: WedgeAssembler[events.Key] = WedgeAssembler(
        settings, lambda raw, source: scans.append((raw, source))
    )
    passed: list[str] = []
    for event in keys(text):
        passed += [e.key for e in wedge.feed_key(event.key, event.character, event, capture)]
    return scans, passed


@settings(max_examples=200, deadline=None)
@given(st.lists(scan_text, min_size=1, max_size=30))
def test_any_burst_of_scans_comes_out_as_the_same_scans(scans: list[str]) -> None:
    got, passed = run(WedgeSettings(), "".join(s + "\r" for s in scans))
    assert [raw for raw, _ in got] == scans
    assert passed == []


@settings(max_examples=200, deadline=None)
@given(st.lists(scan_text, min_size=1, max_size=20), st.text("abc12", max_size=5))
def test_framed_scans_are_read_even_without_capture(scans: list[str], typing: str) -> None:
    framing = WedgeSettings(prefix="\x02", suffix="\x03")
    text = typing + "".join(f"\x02{s}\x03" for s in scans)
    got, passed = run(framing, text, capture=False)
    assert got == [(s, SOURCE_WEDGE) for s in scans]
    # The person's typing went on to the focused widget, untouched.
    assert passed == list(typing)


def test_gs_key_names_give_gs_whatever_the_character() -> None:
    assert key_character("ctrl+right_square_bracket", "\x1d") == GS
    assert key_character("ctrl+right_square_bracket", None) == GS  # kitty protocol
    assert key_character("enter", None) == "\r"
    assert key_character("escape", "\x1b") is None
    assert key_character("ctrl+b", None) == "\x02"
    assert key_character("f5", None) is None


def test_multi_character_suffix_and_crlf() -> None:
    got, _ = run(WedgeSettings(prefix="", suffix="##"), "T000001##T000002\r")
    assert got == [("T000001", SOURCE_KEYBOARD), ("T000002", SOURCE_KEYBOARD)]
    got, passed = run(WedgeSettings(), "T000001\r\n\n")
    # The LF of CRLF is swallowed; a second LF is a key of its own.
    assert got == [("T000001", SOURCE_KEYBOARD)]
    assert passed == ["ctrl+j"]


def test_tab_suffix_ends_scans_and_tab_alone_still_moves_focus() -> None:
    got, passed = run(WedgeSettings(suffix="\t"), "05-017-2\t\t")
    assert got == [("05-017-2", SOURCE_KEYBOARD)]
    assert passed == ["tab"]
    got, passed = run(WedgeSettings(), "\t")
    assert passed == ["tab"]


def test_a_frame_without_its_suffix_gives_the_keyboard_back() -> None:
    framing = WedgeSettings(prefix="\x02", suffix="\x03", max_length=10)
    got, passed = run(framing, "\x02" + "9" * 20 + "ab", capture=False)
    assert got == []
    # Past max_length the frame is dropped and keys are ordinary keys again.
    assert passed[-2:] == ["a", "b"]
    scans: list[tuple[str, str]] = []
    wedge: WedgeAssembler[str] = WedgeAssembler(
        framing, lambda raw, source: scans.append((raw, source))
    )
    passed = []
    for key, char in [("ctrl+b", "\x02"), ("T", "T"), ("escape", "\x1b"), ("x", "x")]:
        passed += wedge.feed_key(key, char, key, capture=False)
    assert scans == []
    assert passed == ["escape", "x"]


def test_paste_lines_are_scans_and_the_tail_waits() -> None:
    scans: list[tuple[str, str]] = []
    wedge: WedgeAssembler[object] = WedgeAssembler(
        WedgeSettings(prefix="~", suffix="\r"), lambda raw, source: scans.append((raw, source))
    )
    assert wedge.feed_paste("A1\n~B2\r\n\nC3", capture=True)
    assert scans == [("A1", SOURCE_PASTE), ("B2", SOURCE_PASTE)]
    assert wedge.pending == "C3"
    assert not wedge.feed_paste("12", capture=False)


def test_settings_are_checked_and_decoded() -> None:
    assert decode_wedge_text(r"\x02") == "\x02"
    assert decode_wedge_text(r"\r\n") == "\r\n"
    assert decode_wedge_text("§") == "§"
    with pytest.raises(ValueError, match="suffix"):
        WedgeSettings(suffix="")
    assert WedgeSettings.from_config("", "").suffix == "\r"
    assert visible(f"01{GS}10") == "01␝10"
