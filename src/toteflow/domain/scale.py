"""Scale readings and the pure parsers for MT-SICS and NCI replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class ScaleState(StrEnum):
    WEIGHT = "weight"
    OVERLOAD = "overload"
    UNDERLOAD = "underload"
    ERROR = "error"
    OFFLINE = "offline"


@dataclass(frozen=True)
class ScaleReading:
    """What the scale says now. `kg` is set only for WEIGHT; an offline scale has no weight."""

    state: ScaleState
    kg: Decimal | None = None
    stable: bool = False
    message: str = ""

    @classmethod
    def weight(cls, kg: Decimal, *, stable: bool) -> ScaleReading:
        return cls(ScaleState.WEIGHT, kg, stable)

    @classmethod
    def overload(cls) -> ScaleReading:
        return cls(ScaleState.OVERLOAD, message="too heavy for the scale")

    @classmethod
    def underload(cls) -> ScaleReading:
        return cls(ScaleState.UNDERLOAD, message="below zero: empty the scale and zero it")

    @classmethod
    def error(cls, message: str) -> ScaleReading:
        return cls(ScaleState.ERROR, message=message)

    @classmethod
    def offline(cls, message: str) -> ScaleReading:
        return cls(ScaleState.OFFLINE, message=message)

    @property
    def usable(self) -> bool:
        """A weight to record: present and stable (a moving weight is for display only)."""
        return self.state is ScaleState.WEIGHT and self.stable

    @property
    def text(self) -> str:
        """One line for a screen: "1.234 kg", "1.234 kg (moving)", "scale offline: ..."."""
        if self.state is ScaleState.WEIGHT:
            return f"{self.kg} kg" + ("" if self.stable else " (moving)")
        if self.state is ScaleState.OFFLINE:
            return f"scale offline: {self.message}"
        return f"scale {self.state.value}: {self.message}"


# Exact factors, so a 0.01 lb step stays exact in kilograms.
_TO_KG = {
    "kg": Decimal(1),
    "g": Decimal("0.001"),
    "mg": Decimal("0.000001"),
    "t": Decimal(1000),
    "lb": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
}


def to_kg(value: Decimal, unit: str) -> Decimal | None:
    """`value` in `unit` as kilograms, or None for a unit we do not weigh parcels in."""
    factor = _TO_KG.get(unit.strip().lower())
    return None if factor is None else value * factor


# --- MT-SICS (Mettler Toledo Standard Interface Command Set) -----------------------------

MT_SICS_COMMAND = b"SI\r\n"
"""Weigh immediately: replies with the current weight, stable (S S) or dynamic (S D)."""

_MT_WEIGHT = re.compile(r"^S\s+([SD])\s+(-?)\s*(\d+(?:\.\d*)?|\.\d+)\s+(\S+)$")
_MT_ERRORS = {
    "ES": "scale did not understand the command (MT-SICS syntax error)",
    "ET": "transmission error between station and scale (check baud rate and framing)",
    "EL": "scale cannot do that now (MT-SICS logical error)",
}


def parse_mt_sics(reply: str) -> ScaleReading:
    """One MT-SICS reply line to `S` or `SI`, e.g. "S S      1.234 kg"."""
    line = reply.strip("\r\n ")
    if match := _MT_WEIGHT.match(line):
        status, sign, number, unit = match.groups()
        return _weight(sign + number, unit, stable=status == "S")
    compact = " ".join(line.split())
    if compact == "S +":
        return ScaleReading.overload()
    if compact == "S -":
        return ScaleReading.underload()
    if compact == "S I":
        return ScaleReading.error("scale busy, cannot weigh now")
    if compact in _MT_ERRORS:
        return ScaleReading.error(_MT_ERRORS[compact])
    return ScaleReading.error(f"unreadable scale reply {line!r}")


# --- NCI (NCI / Avery Weigh-Tronix standard protocol, "W" command) -----------------------

NCI_COMMAND = b"W\r"
ETX = 0x03

_NCI_WEIGHT = re.compile(r"^\s*(-?)\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]+)\s*$")
# Status bytes have bits 4 and 5 set (0x30-0x3F, or 0x70-0x7F with "another byte follows").
_NCI_STATUS = re.compile(r"^[\x30-\x3f\x70-\x7f]{1,4}$")
_NCI_BYTE1_ERRORS = {0x04: "RAM error", 0x08: "EEPROM error"}
_NCI_BYTE2_ERRORS = {0x04: "ROM error", 0x08: "faulty calibration"}


def parse_nci(reply: bytes | str) -> ScaleReading:
    """A reply to `W<CR>`: "<LF>weight units<CR><LF>status bytes<CR><ETX>"."""
    if isinstance(reply, str):
        reply = reply.encode("latin-1", errors="replace")
    # A 7E1 scale read as 8N1 leaves its parity bit in bit 7; the protocol is 7-bit ASCII.
    text = bytes(byte & 0x7F for byte in reply).decode("ascii").replace(chr(ETX), "")
    lines = [line for line in re.split(r"[\r\n]+", text) if line.strip()]
    if not lines:
        return ScaleReading.error("empty scale reply")
    if any(line.strip() == "?" for line in lines):
        return ScaleReading.error("scale did not understand the command (NCI '?')")
    status_line = lines[-1] if _NCI_STATUS.match(lines[-1]) else None
    weight_lines = lines[:-1] if status_line is not None else lines
    if status_line is None:
        return ScaleReading.error(f"no status in scale reply {text!r}")
    status = [ord(char) for char in status_line]
    byte1, byte2 = status[0], status[1] if len(status) > 1 else 0x30
    for bits, name in _NCI_BYTE1_ERRORS.items():
        if byte1 & bits:
            return ScaleReading.error(f"scale {name}")
    for bits, name in _NCI_BYTE2_ERRORS.items():
        if byte2 & bits:
            return ScaleReading.error(f"scale {name}")
    if len(status) > 2 and status[2] & 0x08:
        return ScaleReading.error("scale initial zero error: empty the platform and restart")
    if byte2 & 0x02:
        return ScaleReading.overload()
    if byte2 & 0x01:
        return ScaleReading.underload()
    moving = bool(byte1 & 0x01)
    if not weight_lines:
        reason = "scale moving and sent no weight" if moving else "no weight in scale reply"
        return ScaleReading.error(reason)
    match = _NCI_WEIGHT.match(weight_lines[-1])
    if match is None:
        return ScaleReading.error(f"unreadable weight {weight_lines[-1].strip()!r}")
    sign, number, unit = match.groups()
    return _weight(sign + number, unit, stable=not moving)


def _weight(number: str, unit: str, *, stable: bool) -> ScaleReading:
    try:
        value = Decimal(number)
    except InvalidOperation:
        return ScaleReading.error(f"unreadable weight {number!r}")
    kg = to_kg(value, unit)
    if kg is None:
        return ScaleReading.error(f"scale set to unit {unit!r}: set it to kg, g, lb or oz")
    return ScaleReading.weight(kg, stable=stable)
