"""Wire models for products, locations and stock."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from toteflow.contracts.common import Code, Model
from toteflow.domain.gs1 import gs1_check_digit

LocationKind = Literal["pick_face", "reserve", "staging", "pack", "dock"]
Uom = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,8}$")]


class ProductUnitIn(Model):
    uom: Uom = "EA"
    units: int = Field(1, ge=1, le=100_000)
    barcode: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z\-]{4,64}$")]
    length_mm: int = Field(0, ge=0, le=10_000)
    width_mm: int = Field(0, ge=0, le=10_000)
    height_mm: int = Field(0, ge=0, le=10_000)
    weight_g: int = Field(0, ge=0, le=2_000_000)

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
    sku: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,63}$")]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    lot_tracked: bool = False
    expiry_tracked: bool = False
    serial_tracked: bool = False
    lot_substitution: bool = False
    upright: bool = False
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
    units: list[ProductUnit]


class ZoneCreate(Model):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-_ ]{0,39}$")]
    first_aisle: int = Field(ge=1, le=999)
    last_aisle: int = Field(ge=1, le=999)


class Zone(ZoneCreate):
    id: int


class LocationCreate(Model):
    code: Code
    zone: str | None = None
    aisle: int | None = Field(None, ge=1, le=999)
    bay: int | None = Field(None, ge=1, le=999)
    level: int | None = Field(None, ge=0, le=99)
    kind: LocationKind = "pick_face"
    x: float = 0.0
    y: float = 0.0


class Location(LocationCreate):
    id: int
    active: bool


class StockRow(Model):
    id: int
    location: str
    sku: str
    lot: str
    expiry: date | None
    received_on: date
    quantity: int
    reserved: int


ReasonCode = Literal["received", "damaged", "lost", "found", "count", "correction", "returned"]


class StockAdjustment(Model):
    location: Code
    sku: Code
    lot: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    expiry: date | None = None
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: ReasonCode
    note: Annotated[str, StringConstraints(max_length=200)] = ""
    # Used only when the adjustment creates the position (FIFO by received date); an
    # existing position keeps its own. None: today.
    received_on: date | None = None

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
