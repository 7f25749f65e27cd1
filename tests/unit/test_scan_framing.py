"""RecordFramer and decoding: records come out whole however the bytes are chunked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toteflow.station.devices.scanner.events import ScannerConnection, decode_record
from toteflow.station.devices.scanner.serial_reader import SUFFIXES, Backoff, RecordFramer

CODES = [b"T000001", b"05-017-2", b"]C10104012345678901\x1d10LOT7", b"4006381333931"]


def feed_chunks(framer: RecordFramer, chunks: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out


@pytest.mark.parametrize("suffix", ["CR", "LF", "CRLF", "TAB"])
def test_every_two_and_three_way_split(suffix: str) -> None:
    end = SUFFIXES[suffix]
    data = b"".join(code + end for code in CODES[:3])
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1, 3):
            framer = RecordFramer(end)
            assert feed_chunks(framer, [data[:i], data[i:j], data[j:]]) == CODES[:3], (i, j)
            assert not framer.pending


@given(st.lists(st.integers(0, 200), max_size=20))
def test_any_chunking(cuts: list[int]) -> None:
    data = b"".join(code + b"\r\n" for code in CODES)
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    assert feed_chunks(RecordFramer(b"\r\n"), chunks) == CODES


def test_crlf_scanner_on_a_cr_station() -> None:
    framer = RecordFramer(b"\r")
    assert framer.feed(b"T000001\r\nT000002\r\n") == [b"T000001", b"T000002"]
    assert framer.feed(b"\r\r") == []  # bare suffixes are not scans


def test_partial_record_waits_for_its_suffix() -> None:
    framer = RecordFramer(b"\r\n")
    assert framer.feed(b"T0000") == []
    assert framer.pending
    assert framer.feed(b"01\r") == []
    assert framer.feed(b"\n") == [b"T000001"]


def test_gap_framing_flush_and_discard() -> None:
    framer = RecordFramer(b"")
    assert framer.feed(b"T000") == []
    assert framer.feed(b"001") == []
    assert framer.flush() == b"T000001"
    assert framer.flush() is None
    framer.feed(b"junk")
    assert framer.discard() == 4
    assert not framer.pending


def test_decode_keeps_every_byte() -> None:
    assert decode_record(b"T000001") == "T000001"
    assert decode_record("LÖT".encode()) == "LÖT"
    assert decode_record(b"L\xd6T") == "LÖT"  # Latin-1 from an older scanner
    assert decode_record(b"\x1d") == "\x1d"


def test_backoff_doubles_to_a_cap_and_resets() -> None:
    backoff = Backoff(0.1, 0.5)
    assert [backoff.next() for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    backoff.reset()
    assert backoff.next() == 0.1


def test_status_sentences() -> None:
    assert ScannerConnection("/dev/ttyUSB0", True).sentence == "scanner connected: /dev/ttyUSB0"
    gone = ScannerConnection("/dev/ttyUSB0", False, "unplugged")
    assert gone.sentence == "scanner disconnected: /dev/ttyUSB0 (unplugged)"
    final = ScannerConnection("x://", False, "bad device setting", retrying=False)
    assert final.sentence.endswith("; not retrying")
