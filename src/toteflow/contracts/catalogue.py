"""Wire models for products, locations and stock."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from toteflow.contracts.common import (
    MAX_QUANTITY,
    Code,
    Day,
    Flag,
    Int,
    Model,
    Number,
    Optional40,
    Optional200,
    Text40,
    Text200,
)
from toteflow.domain.gs1 import gs1_check_digit

LocationKind = Literal["pick_face", "reserve", "staging", "pack", "dock", "quarantine", "quality"]
MixingRule = Literal["empty_only", "same_sku", "same_lot", "mixed"]
VelocityClass = Literal["A", "B", "C"]
StorageClass = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_\-]{0,19}$")
]
Uom = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2,8}$")]


class ProductUnitIn(Model):
    uom: Uom = "EA"
    units: Int = Field(1, ge=1, le=100_000)
    barcode: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z\-]{4,64}$")
    ]
    length_mm: Int = Field(0, ge=0, le=10_000)
    width_mm: Int = Field(0, ge=0, le=10_000)
    height_mm: Int = Field(0, ge=0, le=10_000)
    weight_g: Int = Field(0, ge=0, le=2_000_000)

    @field_validator("barcode")
    @classmethod
    def _valid_gtin(cls, value: str) -> str:
        # All-digit barcodes of GTIN lengths must carry a correct check digit.
        if value.isdigit() and len(value) in (8, 12, 13, 14):
            expected = gs1_check_digit(value[:-1])
            if int(value[-1]) != expected:
                raise ValueError(f"GTIN {value}: check digit wrong, expected {expected}")
        return value


class ProductUnit(ProductUnitIn):
    barcode_kind: str


class ProductCreate(Model):
    sku: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,63}$")
    ]
    description: Text200
    lot_tracked: Flag = False
    expiry_tracked: Flag = False
    serial_tracked: Flag = False
    lot_substitution: Flag = False
    upright: Flag = False
    velocity: VelocityClass = "C"
    storage_class: StorageClass = "ambient"
    units: list[ProductUnitIn] = Field(min_length=1, max_length=10)

    @field_validator("units")
    @classmethod
    def _distinct_units(cls, units: list[ProductUnitIn]) -> list[ProductUnitIn]:
        uoms = [u.uom for u in units]
        if len(set(uoms)) != len(uoms):
            raise ValueError("each unit of measure may appear once")
        barcodes = [u.barcode for u in units]
        if len(set(barcodes)) != len(barcodes):
            raise ValueError("each unit needs its own barcode")
        return units


class Product(Model):
    id: int
    sku: str
    description: str
    lot_tracked: bool
    expiry_tracked: bool
    serial_tracked: bool
    lot_substitution: bool
    upright: bool
    velocity: VelocityClass = "C"
    storage_class: str = "ambient"
    units: list[ProductUnit]


class ProductStorage(Model):
    """What put-away needs to know of a product: how fast it moves, where it may be kept."""

    velocity: VelocityClass = "C"
    storage_class: StorageClass = "ambient"


class ZoneCreate(Model):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_ ]{0,39}$")
    ]
    first_aisle: Int = Field(ge=1, le=999)
    last_aisle: Int = Field(ge=1, le=999)


class Zone(ZoneCreate):
    id: int


class LocationStorage(Model):
    """A location's storage attributes for put-away; the defaults fit a pallet location."""

    storage_class: StorageClass = "ambient"
    length_mm: Int = Field(1200, ge=1, le=100_000)
    width_mm: Int = Field(1000, ge=1, le=100_000)
    height_mm: Int = Field(1500, ge=1, le=100_000)
    max_weight_g: Int = Field(1_000_000, ge=1, le=100_000_000)
    upright_allowed: Flag = True
    mixing: MixingRule = "same_sku"
    velocity_zone: VelocityClass | None = None


class LocationStorageUpdate(LocationStorage):
    """New storage attributes; a pick face may be assigned to a product with its maximum."""

    home_sku: Code | None = None
    # Only with home_sku (checked by the service: a rule between two fields, refused as 409).
    max_quantity: Int | None = Field(None, ge=1, le=MAX_QUANTITY)


class LocationCreate(LocationStorage):
    code: Code
    zone: Text40 | None = None
    aisle: Int | None = Field(None, ge=1, le=999)
    bay: Int | None = Field(None, ge=1, le=999)
    level: Int | None = Field(None, ge=0, le=99)
    kind: LocationKind = "pick_face"
    x: Number = Field(0.0, ge=-1_000_000, le=1_000_000)
    y: Number = Field(0.0, ge=-1_000_000, le=1_000_000)


class Location(LocationCreate):
    id: int
    active: bool
    home_sku: str | None = None
    max_quantity: int | None = None


class StockRow(Model):
    id: int
    location: str
    sku: str
    lot: str
    expiry: Day | None
    received_on: Day
    quantity: int
    reserved: int


ReasonCode = Literal["received", "damaged", "lost", "found", "count", "correction", "returned"]


class StockAdjustment(Model):
    location: Code
    sku: Code
    lot: Optional40 = ""
    expiry: Day | None = None
    delta: Int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    reason: ReasonCode
    note: Optional200 = ""
    # Used only when the adjustment creates the position (FIFO by received date); an
    # existing position keeps its own. None: today.
    received_on: Day | None = None

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("an adjustment of 0 changes nothing")
        return value


class StockAdjusted(Model):
    stock: StockRow
    delta: int
    reason: str
