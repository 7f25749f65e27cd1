"""Wire models for inbound notices: purchase orders and advance shipping notices (ASN)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from toteflow.contracts.catalogue import Uom
from toteflow.contracts.common import (
    Code,
    Day,
    Int,
    Model,
    Optional40,
    Quantity,
    ShortText,
    Text200,
    duplicates,
)
from toteflow.contracts.orders import Reference
from toteflow.domain.gs1 import SSCC_LENGTH, gs1_check_digit
from toteflow.domain.receipt_lines import LineRules, line_rules_for

# Lines and SSCCs one notice may carry: a full trailer of cases, each with its own label.
MAX_NOTICE_LINES = 500
MAX_NOTICE_SSCCS = 2000
MAX_SSCC_CONTENTS = 100


class NoticeKind(StrEnum):
    PO = "po"  # a purchase order: what was bought, no packing known
    ASN = "asn"  # an advance shipping notice: what is on the truck, pallet by pallet


class NoticeStatus(StrEnum):
    EXPECTED = "expected"
    RECEIVING = "receiving"
    RECEIVED = "received"
    CANCELLED = "cancelled"


# Still to come in: a station keeps these, and receipts are checked against them.
OPEN_STATUSES = frozenset({NoticeStatus.EXPECTED, NoticeStatus.RECEIVING})


def _sscc(value: str) -> str:
    # The pattern has made sure of 18 ASCII digits; the check digit is beyond JSON Schema.
    expected = gs1_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise PydanticCustomError(
            "sscc_check_digit",
            "SSCC {sscc} has a wrong check digit: with these digits it ends in {expected}",
            {"sscc": value, "expected": expected},
        )
    return value


Sscc = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=rf"^[0-9]{{{SSCC_LENGTH}}}$"),
    AfterValidator(_sscc),
]
SupplierCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,39}$")
]


class Supplier(Model):
    code: SupplierCode
    name: ShortText


class NoticeLineIn(Model):
    line_no: Int = Field(ge=1, le=9999)
    sku: Code
    # Counted in `uom` (10 CS), the unit a supplier ships in; the server stores base units too.
    quantity: Quantity
    uom: Uom = "EA"
    lot: Optional40 = ""
    expiry: Day | None = None


class SsccContent(Model):
    """What one pallet or case holds of one SKU (lot, expiry), in base units (EA)."""

    sku: Code
    quantity: Quantity
    lot: Optional40 = ""
    expiry: Day | None = None


class SsccIn(Model):
    sscc: Sscc
    # A case on a pallet names the pallet's SSCC; the pallet's own contents leave its cases out.
    parent_sscc: Sscc | None = None
    contents: list[SsccContent] = Field(default_factory=list, max_length=MAX_SSCC_CONTENTS)


class NoticeCreate(Model):
    reference: Reference
    kind: NoticeKind
    supplier: Supplier
    expected_on: Day
    # A location of kind dock, where the delivery is expected; None: any dock.
    dock: Code | None = None
    lines: list[NoticeLineIn] = Field(min_length=1, max_length=MAX_NOTICE_LINES)
    ssccs: list[SsccIn] = Field(default_factory=list, max_length=MAX_NOTICE_SSCCS)

    @field_validator("lines")
    @classmethod
    def _distinct_line_numbers(cls, lines: list[NoticeLineIn]) -> list[NoticeLineIn]:
        twice = duplicates(str(line.line_no) for line in lines)
        if twice:
            raise ValueError(f"each line number may appear once; sent more than once: {twice[0]}")
        return lines

    @field_validator("ssccs")
    @classmethod
    def _distinct_ssccs(cls, ssccs: list[SsccIn]) -> list[SsccIn]:
        twice = duplicates(s.sscc for s in ssccs)
        if twice:
            raise ValueError(f"each SSCC may appear once on a notice; sent twice: {twice[0]}")
        return ssccs

    @model_validator(mode="after")
    def _packing(self) -> NoticeCreate:
        if self.ssccs and self.kind != NoticeKind.ASN:
            raise ValueError("SSCCs are sent on an ASN only: a purchase order has no packing")
        known = {s.sscc for s in self.ssccs}
        parents = {s.sscc: s.parent_sscc for s in self.ssccs}
        for s in self.ssccs:
            if s.parent_sscc is None:
                continue
            if s.parent_sscc not in known:
                raise ValueError(
                    f"SSCC {s.sscc}: its parent SSCC {s.parent_sscc} is not on this notice"
                )
            # Walk up: a case cannot be on itself or on a pallet that sits on the case.
            seen: set[str] = {s.sscc}
            up: str | None = s.parent_sscc
            while up is not None:
                if up in seen:
                    raise ValueError(f"SSCC {s.sscc}: its parent SSCCs go round in a circle")
                seen.add(up)
                up = parents.get(up)
        return self


class NoticeBatch(Model):
    notices: list[NoticeCreate] = Field(min_length=1, max_length=500)

    @field_validator("notices")
    @classmethod
    def _distinct_references(cls, notices: list[NoticeCreate]) -> list[NoticeCreate]:
        twice = duplicates(notice.reference for notice in notices)
        if twice:
            raise ValueError(
                f"each reference may appear once in a batch; sent more than once: "
                f"{', '.join(twice[:20])}{' ...' if len(twice) > 20 else ''}"
            )
        return notices


class NoticeBatchResult(Model):
    created: list[str]
    already_present: list[str]


class NoticeLine(NoticeLineIn):
    units_per_uom: int
    base_quantity: int  # quantity x units_per_uom: what the shelves will hold
    # Received so far, in base units: received = accepted + damaged + held.
    received: int = 0
    accepted: int = 0
    damaged: int = 0
    held: int = 0
    over: int = 0
    short: int = 0
    status: Literal["open", "closed"] = "open"
    short_reason: str = ""


class SsccOut(Model):
    sscc: str
    parent_sscc: str | None
    contents: list[SsccContent]


class Notice(Model):
    id: int
    reference: str
    kind: NoticeKind
    supplier: Supplier
    expected_on: Day
    dock: str | None
    status: NoticeStatus
    cancel_reason: str
    created_at: datetime
    updated_at: datetime
    lines: list[NoticeLine]
    ssccs: list[SsccOut]


class NoticeFilter(Model):
    status: NoticeStatus | None = None
    supplier: str | None = None
    expected_from: Day | None = None
    expected_to: Day | None = None


class CancelNotice(Model):
    reason: Text200


class SupplierTolerance(Model):
    over_tolerance_pct: float
    # Every unit from this supplier goes to quality hold until inspected.
    inspect: bool = False


class ProductRules(Model):
    # The product's own tolerance (before the supplier's); None: the supplier's applies.
    over_tolerance_pct: float | None = None
    inspect: bool = False


class ReceivingPolicy(Model):
    """The site's receiving settings as a station reads them."""

    # A receipt may start without a notice (a "blind" receipt) only where this is true.
    blind_receipts: bool
    # How far over a notice's quantity a receipt may go, in percent; per supplier overrides.
    over_tolerance_pct: float
    suppliers: dict[str, SupplierTolerance]
    # By SKU: a product's own tolerance and inspection flag.
    products: dict[str, ProductRules] = Field(default_factory=dict)

    def rules_for(self, supplier: str | None, sku: str) -> LineRules:
        """A line's tolerance and inspection flag: the product's, then the supplier's, then
        the site's (`domain.receipt_lines.line_rules_for`, the same at station and server)."""
        return line_rules_for(
            self.over_tolerance_pct,
            self.suppliers.get(supplier) if supplier else None,
            self.products.get(sku),
        )
