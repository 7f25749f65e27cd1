"""Shapes every API response shares, and the checked value types every wire model is built of."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

T = TypeVar("T")

# Ids, sequence numbers and counts are int4 columns on PostgreSQL: a larger number is bad
# input (422) on both databases, never an overflow in one of them.
INT4_MAX = 2_147_483_647
# The most units of one SKU on an order line, moved by one adjustment, counted in one row of
# an import or held in one stock position: one limit everywhere, said in the refusal.
MAX_QUANTITY = 1_000_000

# Strict: JSON integers only. "5", true and 1e3 are not integers (pydantic's lax mode would
# take all three); a JSON integer is what every client, the station included, sends.
Int = Annotated[int, Strict()]
Id = Annotated[int, Strict(), Field(ge=1, le=INT4_MAX)]
Count = Annotated[int, Strict(), Field(ge=0, le=INT4_MAX)]
Quantity = Annotated[int, Strict(), Field(ge=1, le=MAX_QUANTITY)]
# A JSON number (an integer is one too), never true or "1.5".
Number = Annotated[float, Strict()]
Flag = Annotated[bool, Strict()]

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _day(value: object) -> object:
    # JSON writes a date as text; pydantic's lax mode would also read 0 or "1700000000" as a
    # Unix time. The station and the server both send "YYYY-MM-DD".
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")


def _moment(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _MOMENT.match(value):
        return value
    raise PydanticCustomError(
        "datetime_type", "Input should be a date and time written YYYY-MM-DDTHH:MM:SS"
    )


Day = Annotated[date, BeforeValidator(_day)]
Moment = Annotated[datetime, BeforeValidator(_moment)]

# Unicode categories a person never means in a name, code or lot: controls (C0, DEL, C1:
# terminal escapes such as ESC [31m), format characters (bidi overrides such as U+202E that
# make "exe.txt" read backwards, zero-width spaces and joiners), lone surrogates, and line
# or paragraph separators. PostgreSQL cannot store NUL in text either.
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def refused_character(text: str, allowed: str = "") -> tuple[str, int] | None:
    """The first control or invisible character in `text` ("U+001B", its position from 1)."""
    if text.isprintable():
        return None  # the fast path: isprintable() refuses all of _REFUSED and more
    for position, char in enumerate(text, start=1):
        if unicodedata.category(char) in _REFUSED and char not in allowed:
            return f"U+{ord(char):04X}", position
    return None


def _printable(value: object, allowed: str = "") -> object:
    # Before stripping: a tab or newline at either end is refused too, not quietly cut off.
    # isprintable() first: the usual value is done without another call.
    if (
        isinstance(value, str)
        and not value.isprintable()
        and (found := refused_character(value, allowed))
    ):
        raise PydanticCustomError(
            "control_character",
            "must not contain control or invisible characters: {code} at character {position}",
            {"code": found[0], "position": found[1]},
        )
    return value


_PRINTABLE = BeforeValidator(_printable)


# An address line pasted from a spreadsheet may keep its line break; nothing else invisible.
def _printable_lines(value: object) -> object:
    if isinstance(value, str) and value.isprintable():
        return value
    return _printable(value, "\n")


_PRINTABLE_LINES = BeforeValidator(_printable_lines)


def _text(min_length: int, max_length: int, pattern: str | None = None) -> Any:
    # Every text field strips surrounding spaces first, then checks its length and pattern:
    # "  " is empty everywhere and a limit counts the characters kept.
    return StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length, pattern=pattern
    )


Code = Annotated[str, _text(1, 64), _PRINTABLE]
ShortText = Annotated[str, _text(1, 120), _PRINTABLE]
Text20 = Annotated[str, _text(1, 20), _PRINTABLE]
Text40 = Annotated[str, _text(1, 40), _PRINTABLE]
Text80 = Annotated[str, _text(1, 80), _PRINTABLE]
Text200 = Annotated[str, _text(1, 200), _PRINTABLE]
# Optional text: empty (or only spaces) is "".
Optional40 = Annotated[str, _text(0, 40), _PRINTABLE]
Optional80 = Annotated[str, _text(0, 80), _PRINTABLE]
Optional120 = Annotated[str, _text(0, 120), _PRINTABLE]
Optional200 = Annotated[str, _text(0, 200), _PRINTABLE]
AddressLine = Annotated[str, _text(1, 120), _PRINTABLE_LINES]
OptionalAddressLine = Annotated[str, _text(0, 120), _PRINTABLE_LINES]
CarrierCode = Annotated[str, _text(1, 40, r"^[A-Za-z0-9_\-]{1,40}$"), _PRINTABLE]


def duplicates(values: Iterable[str]) -> list[str]:
    """The values that appear more than once, in the order they first appear."""
    return [value for value, seen in Counter(values).items() if seen > 1]


def finite_json(value: Any, where: str = "") -> None:
    """Refuse what JSON cannot carry back out: Infinity or NaN (1e999 reads as Infinity) and
    integers beyond 64 bits, anywhere inside a free-form object such as an event's payload."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where or 'value'}: numbers must be finite (got {value})")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        raise ValueError(f"{where or 'value'}: integers must fit in 64 bits")
    if isinstance(value, dict):
        for key, item in value.items():
            finite_json(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            finite_json(item, f"{where}.{n}" if where else str(n))


class Model(BaseModel):
    """Base of every wire model: unknown fields are an error, not silently dropped."""

    # Infinity and NaN are valid JSON to Python but not numbers a warehouse can use.
    model_config = ConfigDict(extra="forbid", from_attributes=True, allow_inf_nan=False)
    # The fields that may hold text no text type checks (set for each model class below).
    _nul_unchecked: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._nul_unchecked = tuple(
            name for name, info in cls.model_fields.items() if _unchecked_text(info)
        )

    @model_validator(mode="after")
    def _no_nul(self) -> Self:
        # PostgreSQL cannot store NUL in text (SQLite would keep it); no person or scanner
        # means one, so refuse it at the edge on both. Text types refuse it already, naming
        # the character's position: only the other fields that may hold text are looked at,
        # once per model rather than a call per field (the import validates 100,000 models).
        values = self.__dict__
        for name in self._nul_unchecked:
            value = values.get(name)
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name} must not contain NUL (0x00) characters")
        return self


def _unchecked_text(info: FieldInfo) -> bool:
    """A field that may hold a string, and no text type refuses control characters in."""
    if any(m is _PRINTABLE or m is _PRINTABLE_LINES for m in info.metadata):
        return False
    return _may_hold_text(info.annotation)


def _may_hold_text(annotation: Any) -> bool:
    if annotation is str or annotation is Any:
        return True
    if get_origin(annotation) in (Union, UnionType):
        return any(_may_hold_text(arg) for arg in get_args(annotation))
    return False


class Page(Model, Generic[T]):
    items: list[T]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class Problem(Model):
    """An error body: `detail` says what is wrong and what to do about it."""

    detail: str
