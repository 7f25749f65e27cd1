"""NUL in the wire models: refused in every field that may hold text, with the field named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from toteflow.contracts.catalogue import StockRow
from toteflow.contracts.common import Model
from toteflow.contracts.orders import Address, OrderCreate, OrderLineIn


class Free(Model):
    note: str
    maybe: str | None = None
    count: int = 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "a\x00b"}, "note must not contain NUL (0x00) characters"),
        ({"note": "ok", "maybe": "\x00"}, "maybe must not contain NUL (0x00) characters"),
    ],
)
def test_a_plain_text_field_refuses_nul_naming_the_field(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Free.model_validate(data)
    assert message in str(caught.value)
    assert Free.model_validate({"note": "ok", "maybe": None}).maybe is None


def test_text_types_say_where_the_nul_is_and_only_the_other_fields_are_looked_at_again() -> None:
    # A text type refuses NUL itself, with its position: the model's own look skips it.
    assert Address._nul_unchecked == ("country",)
    assert OrderLineIn._nul_unchecked == ()
    assert OrderCreate._nul_unchecked == ("reference",)
    assert Free._nul_unchecked == ("note", "maybe")
    assert StockRow._nul_unchecked == ("location", "sku", "lot")
    with pytest.raises(ValidationError) as caught:
        OrderLineIn.model_validate({"sku": "A\x00", "quantity": 1})
    assert "U+0000 at character 2" in str(caught.value)
