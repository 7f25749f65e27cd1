"""Scales on pseudo-terminals: MT-SICS and NCI fakes, moving, overload, silence, unplugging."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.fake_scales import FakeScale
from tests.integration.ptys import EventLog, PtyDevice
from toteflow.config import ScaleSettings
from toteflow.domain.scale import ScaleReading, ScaleState
from toteflow.station.devices.scale.reader import ScaleReader

PROTOCOLS = ["mt-sics", "nci"]


class Rig:
    def __init__(self, tmp_path: Path, protocol: str) -> None:
        self.device = PtyDevice(tmp_path / "scale")
        self.scale = FakeScale(self.device, protocol)
        self.log = EventLog()
        settings = ScaleSettings(
            protocol=protocol,
            device=str(self.device.path),
            poll_interval_ms=20,
            timeout_ms=300,
        )
        self.reader = ScaleReader.from_settings(
            settings, self.log, retry_initial=0.01, retry_max=0.05
        )

    def next_reading(self, predicate: object = None) -> ScaleReading:
        def match(event: object) -> bool:
            return isinstance(event, ScaleReading) and (
                predicate is None or predicate(event)  # type: ignore[operator]
            )

        reading = self.log.wait_for(match)
        assert isinstance(reading, ScaleReading)
        return reading

    def weight(self, kg: str, *, stable: bool = True) -> ScaleReading:
        return self.next_reading(
            lambda r: r.state is ScaleState.WEIGHT and r.kg == Decimal(kg) and r.stable is stable
        )

    def close(self) -> None:
        self.reader.stop()
        self.scale.stop()
        self.device.close()


@pytest.fixture(params=PROTOCOLS)
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    rig = Rig(tmp_path, request.param)
    rig.scale.start()
    rig.reader.start()
    yield rig
    rig.close()


def test_stable_weight_and_the_command_sent(rig: Rig) -> None:
    reading = rig.weight("1.234")
    assert reading.usable
    assert reading.text == "1.234 kg"
    expected = b"SI\r\n" if rig.scale.protocol == "mt-sics" else b"W\r"
    assert rig.scale.commands[0] == expected


def test_moving_then_settling(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.platform.weight, rig.scale.platform.stable = "2.5", False
    moving = rig.weight("2.5", stable=False)
    assert not moving.usable
    assert moving.text == "2.5 kg (moving)"
    rig.scale.platform.stable = True
    assert rig.weight("2.5").usable


def test_overload_and_underload(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.platform.mode = "overload"
    assert rig.next_reading().state is ScaleState.OVERLOAD
    rig.scale.platform.mode = "underload"
    assert rig.next_reading().state is ScaleState.UNDERLOAD
    rig.scale.platform.mode = "weight"
    rig.weight("1.234")


def test_error_reply(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.platform.mode = "error"
    reading = rig.next_reading()
    assert reading.state is ScaleState.ERROR
    assert reading.message


def test_grams_and_pounds_are_converted(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.platform.weight, rig.scale.platform.unit = "1500", "g"
    rig.weight("1.5")
    rig.scale.platform.weight, rig.scale.platform.unit = "1.00", "lb"
    rig.weight("0.45359237")


def test_silence_is_offline_never_a_stale_weight(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.platform.mode = "silent"
    reading = rig.next_reading()
    # The very next reading after the scale stops answering says so: no old weight.
    assert reading.state is ScaleState.OFFLINE
    assert reading.kg is None
    assert "no answer" in reading.message
    assert rig.reader.latest == reading
    rig.scale.platform.mode, rig.scale.platform.weight = "weight", "3.000"
    rig.weight("3.000")


def test_unplug_and_replug(rig: Rig) -> None:
    rig.weight("1.234")
    rig.scale.stop()
    rig.device.unplug()
    gone = rig.next_reading()
    assert gone.state is ScaleState.OFFLINE
    assert gone.kg is None
    rig.device.replug()
    rig.scale.platform.weight = "4.200"
    rig.scale.start()
    rig.weight("4.200")


def test_readings_are_reported_only_when_they_change(tmp_path: Path) -> None:
    rig = Rig(tmp_path, "mt-sics")
    rig.scale.start()
    rig.reader.start()
    try:
        rig.weight("1.234")
        rig.scale.wait_commands(len(rig.scale.commands) + 5)
        assert [e for e in rig.log.drain() if isinstance(e, ScaleReading)] == []
    finally:
        rig.close()


def test_missing_device_reports_offline(tmp_path: Path) -> None:
    log = EventLog()
    reader = ScaleReader(str(tmp_path / "nothing"), "nci", log, retry_initial=0.01)
    reader.start()
    try:
        reading = log.wait_for(lambda e: isinstance(e, ScaleReading))
        assert isinstance(reading, ScaleReading)
        assert reading.state is ScaleState.OFFLINE
        assert "not found" in reading.message
    finally:
        reader.stop()


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="protocol"):
        ScaleReader("loop://", "none", EventLog())
    with pytest.raises(ValueError, match="framing"):
        ScaleReader("loop://", "nci", EventLog(), framing="9X9")
