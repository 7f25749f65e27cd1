"""Shapes every API response shares: pages of results and problems a person can act on."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

T = TypeVar("T")

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class Model(BaseModel):
    """Base of every wire model: unknown fields are an error, not silently dropped."""

    # Infinity and NaN are valid JSON to Python but not numbers a warehouse can use.
    model_config = ConfigDict(extra="forbid", from_attributes=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text (SQLite would keep it); no person or scanner
        # means one, so refuse it at the edge on both.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL (0x00) characters")
        return value


class Page(Model, Generic[T]):
    items: list[T]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class Problem(Model):
    """An error body: `detail` says what is wrong and what to do about it."""

    detail: str
