"""Settings: packaged defaults, then an optional --config file, then TOTEFLOW_* variables."""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

ENV_PREFIX = "TOTEFLOW_"
# Variables that steer loading itself rather than name a setting.
RESERVED_ENV = frozenset({"TOTEFLOW_CONFIG"})


class ConfigError(Exception):
    """A setting is unknown or invalid; the message names the key and its source."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=1, le=65535)
    database_url: str = ""
    workers: int = Field(1, ge=1, le=64)
    tls_cert: str = ""
    tls_key: str = ""
    migrate: bool = True
    max_body_bytes: int = Field(2_000_000, ge=1024)
    session_minutes: int = Field(600, ge=1)
    max_login_failures: int = Field(5, ge=1)
    lockout_minutes: int = Field(5, ge=0)


class StationSettings(_Section):
    server_url: str = "http://127.0.0.1:8765"
    ca_file: str = ""
    data_dir: str = ""
    pin_required: bool = True
    sync_interval_seconds: float = Field(2.0, gt=0)
    # A picker or packer may type the SKU (or item number) shown on screen for an item whose
    # barcode will not scan; such entries are recorded as keyed and count against accuracy.
    allow_keyed_items: bool = False
    # Pickers may take replenishments too (F6 on their home); off: replenishers only.
    pickers_replenish: bool = False


class LayoutSettings(_Section):
    file: str = "warehouse.toml"


class DemoSettings(_Section):
    seed: int = 42
    products: int = Field(1000, ge=10)
    orders: int = Field(500, ge=1)


class ScannerSettings(_Section):
    # "" = keyboard wedge (the scanner types into the terminal); otherwise a device path or
    # a pyserial URL (loop://, socket://host:port, rfc2217://host:port).
    device: str = ""
    baudrate: int = Field(9600, ge=50, le=4_000_000)
    bytesize: int = Field(8, ge=5, le=8)
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: float = 1
    # What ends one scan on the wire; NONE: a pause of gap_timeout_ms ends it.
    suffix: Literal["CR", "LF", "CRLF", "TAB", "NONE"] = "CR"
    gap_timeout_ms: int = Field(50, ge=5, le=5000)
    # Keyboard wedge: characters the scanner sends before/after each scan, so the station
    # can tell a scan from typing. Empty: any keys then Enter count as a scan.
    wedge_prefix: str = ""
    wedge_suffix: str = ""
    # A character the scanner sends instead of GS (0x1D) for FNC1; empty: GS only.
    fnc1_replacement: str = ""

    @field_validator("parity", "suffix", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("stopbits")
    @classmethod
    def _stopbits(cls, value: float) -> float:
        if value not in (1, 1.5, 2):
            raise ValueError("must be 1, 1.5 or 2")
        return value

    @field_validator("fnc1_replacement")
    @classmethod
    def _fnc1(cls, value: str) -> str:
        # Letters and digits are GS1 data; using one as a separator would cut fields apart.
        if len(value) > 1 or value.isalnum():
            raise ValueError("must be empty or one character that is not a letter or digit")
        return value


class ScaleSettings(_Section):
    protocol: Literal["none", "mt-sics", "nci"] = "none"
    # A device path or pyserial URL, as for the scanner.
    device: str = ""
    baudrate: int = Field(9600, ge=50, le=4_000_000)
    # Data bits, parity, stop bits such as "8N1" or "7E1"; "" = the protocol's usual
    # (MT-SICS 8N1, NCI 7E1).
    framing: str = Field("", pattern=r"^([5-8][NEOMS](1|1\.5|2))?$")
    poll_interval_ms: int = Field(200, ge=20, le=60_000)
    # No reply within this long: the scale shows as offline, never as its last weight.
    timeout_ms: int = Field(1000, ge=50, le=60_000)


class CodesSettings(_Section):
    # Our own labels: a regular expression to read each kind (matched against the whole
    # scan, ASCII digits only) and a template to print it. Every printed code must read back.
    location: str = r"^(?P<aisle>\d{2})-(?P<bay>\d{3})-(?P<level>\d)$"
    location_template: str = "{aisle:02d}-{bay:03d}-{level:d}"
    tote: str = r"^T\d{6}$"
    tote_template: str = "T{number:06d}"
    cart: str = r"^C\d{4}$"
    cart_template: str = "C{number:04d}"
    cart_slot: str = r"^(?P<cart>C\d{4})-S(?P<slot>\d{2})$"
    cart_slot_template: str = "{cart}-S{slot:02d}"
    badge: str = r"^B\d{5}$"
    badge_template: str = "B{number:05d}"
    sku: str = r"^SKU-(?P<sku>[A-Z0-9][A-Z0-9-]*)$"
    sku_template: str = "SKU-{sku}"

    @field_validator("location", "tote", "cart", "cart_slot", "badge", "sku")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class LabelSettings(_Section):
    # The site's GS1 company prefix (4-12 digits) and the SSCC extension digit. 0614141 is
    # GS1's example prefix: a real site puts its own here before printing real labels.
    gs1_company_prefix: str = Field("0614141", pattern=r"^[0-9]{4,12}$")
    sscc_extension_digit: int = Field(0, ge=0, le=9)
    # SSCC serial numbers a pack station reserves from the server at a time, so it can label
    # boxes while offline; the server never hands out a number twice.
    sscc_block_size: int = Field(50, ge=1, le=10_000)
    # The ship-from address printed on every label.
    ship_from_name: str = "toteflow demo DC"
    ship_from_line1: str = "1 Dock Road"
    ship_from_line2: str = ""
    ship_from_city: str = "Springfield"
    ship_from_region: str = "IL"
    ship_from_postal_code: str = "62701"
    ship_from_country: str = Field("US", pattern=r"^[A-Z]{2}$")


class ShippingSettings(_Section):
    # Box catalogue and carrier rules, relative to the config folder or absolute.
    boxes_file: str = "boxes.toml"
    carriers_file: str = "carriers.toml"
    # A weighed box may differ from items + carton by the larger of these before a re-check.
    weight_tolerance_pct: float = Field(5.0, ge=0, le=100)
    weight_tolerance_g: int = Field(50, ge=0)
    # Accepting a weight outside the tolerance needs the packer's reason; one further off
    # than the larger of these needs a supervisor's badge as well.
    weight_supervisor_pct: float = Field(15.0, ge=0, le=1000)
    weight_supervisor_g: int = Field(250, ge=0)
    # An item the packer cannot find: "ship_partial" closes the order without it,
    # "wait" keeps the order open until a supervisor resolves the exception.
    short_policy: Literal["ship_partial", "wait"] = "ship_partial"

    @model_validator(mode="after")
    def _limits(self) -> ShippingSettings:
        if (
            self.weight_supervisor_pct < self.weight_tolerance_pct
            or self.weight_supervisor_g < self.weight_tolerance_g
        ):
            raise ValueError(
                "weight_supervisor_pct and weight_supervisor_g must be at least "
                "weight_tolerance_pct and weight_tolerance_g"
            )
        return self


class PrintingSettings(_Section):
    # Printers by name: "tcp://HOST[:PORT]" (raw, port 9100), "cups://QUEUE" (lp -o raw),
    # "folder:PATH" (one file per job). "?format=zpl|png|pdf|txt" sets what the printer
    # takes (default zpl, folders png). Relative folders are inside the station's data folder.
    printers: dict[str, str] = Field(
        default_factory=lambda: {"preview": "folder:labels?format=png"}
    )
    label_printer: str = "preview"
    # "" = no packing slip is printed.
    slip_printer: str = "preview"
    timeout_seconds: float = Field(5.0, gt=0, le=120)

    @field_validator("printers")
    @classmethod
    def _uris(cls, value: dict[str, str]) -> dict[str, str]:
        for name, uri in value.items():
            if not re.match(r"^(tcp://[^/]+|cups://[^/?]+|folder:[^?]+)(\?format=[a-z]+)?$", uri):
                raise ValueError(
                    f"printer {name}: {uri!r} is not tcp://HOST[:PORT], cups://QUEUE or folder:PATH"
                )
        return value

    @model_validator(mode="after")
    def _known(self) -> PrintingSettings:
        for key in ("label_printer", "slip_printer"):
            chosen = getattr(self, key)
            if chosen and chosen not in self.printers:
                raise ValueError(f"{key} {chosen!r} is not one of the printers")
        return self


class WebhookSettings(_Section):
    # Where the server POSTs "order.shipped" (and other) events; "" = no webhooks.
    url: str = Field("", pattern=r"^(https?://.+)?$")
    # The HMAC-SHA256 key; the signature is in X-Toteflow-Signature: sha256=<hex>.
    secret: str = ""
    timeout_seconds: float = Field(10.0, gt=0, le=120)
    # Retries wait initial, 2x, 4x, ... up to the maximum, until the receiver answers 2xx.
    backoff_initial_seconds: float = Field(5.0, gt=0)
    backoff_max_seconds: float = Field(3600.0, gt=0)
    poll_seconds: float = Field(2.0, gt=0, le=600)


class WaveSettings(_Section):
    # Wave templates (named filter sets such as "UPS ground before 15:00"), relative to the
    # config folder or absolute; "" = none.
    templates_file: str = "waves.toml"
    # Units a release cannot reserve: "partial" releases the rest and keeps the missing
    # units as a backorder, "wait" leaves the whole order in the pool, "cancel_line" cuts
    # the missing units from the order. Each shortage is shown to the supervisor.
    shortage_policy: Literal["partial", "wait", "cancel_line"] = "partial"
    # The pick strategy of a wave that names none: "discrete", "cart" or "zone".
    strategy: Literal["discrete", "cart", "zone"] = "cart"
    # A cart's limits: tote slots (one order each), litres and kilograms.
    cart_slots: int = Field(8, ge=1, le=99)
    cart_volume_l: float = Field(400.0, gt=0)
    cart_weight_kg: float = Field(150.0, gt=0)
    # For the pick-time estimate of a wave preview.
    walking_speed_m_s: float = Field(1.0, gt=0, le=10)
    seconds_per_pick: float = Field(10.0, ge=0, le=3600)


class SupplierReceivingSettings(_Section):
    over_tolerance_pct: float = Field(0.0, ge=0, le=1000)
    # Every unit from this supplier goes to quality hold until inspected.
    inspect: bool = False


class ProductReceivingSettings(_Section):
    # The product's own tolerance, before the supplier's; None: the supplier's applies.
    over_tolerance_pct: float | None = Field(None, ge=0, le=1000)
    # Every unit of this product goes to quality hold until inspected.
    inspect: bool = False


class ReceivingSettings(_Section):
    # Whether a receiver may start a receipt for goods that arrive without a notice.
    blind_receipts: bool = False
    # How far over a notice line's quantity a receipt may go before it is refused, in percent.
    over_tolerance_pct: float = Field(0.0, ge=0, le=1000)
    # Overrides by supplier code: [receiving.suppliers.ACME] over_tolerance_pct = 5
    suppliers: dict[str, SupplierReceivingSettings] = Field(default_factory=dict)
    # Overrides by SKU: [receiving.products."SKU-1"] over_tolerance_pct = 2, inspect = true
    products: dict[str, ProductReceivingSettings] = Field(default_factory=dict)
    # Where damaged units and held ones go; "": the first active location of that kind.
    quarantine_location: str = Field("", max_length=40)
    quality_location: str = Field("", max_length=40)

    @field_validator("suppliers")
    @classmethod
    def _codes(
        cls, value: dict[str, SupplierReceivingSettings]
    ) -> dict[str, SupplierReceivingSettings]:
        for code in value:
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9\-_.]{0,39}", code):
                raise ValueError(f"{code!r} is not a supplier code (letters, digits, - _ .)")
        return value

    def over_tolerance_for(self, supplier: str) -> float:
        """The over-receipt tolerance of this supplier, in percent."""
        override = self.suppliers.get(supplier)
        return self.over_tolerance_pct if override is None else override.over_tolerance_pct


class PutawaySettings(_Section):
    # How long a put-away suggestion holds the space it sends a receiver to.
    reservation_minutes: int = Field(15, ge=1, le=24 * 60)
    # The rules a suggestion tries, in order: pick_face, same_lot, nearest_empty, velocity.
    rules: list[str] = ["pick_face", "same_lot", "nearest_empty", "velocity"]


class CountSettings(_Section):
    # Days between counts of a location by its class (the fastest product it holds).
    a_days: int = Field(30, ge=1, le=3660)
    b_days: int = Field(91, ge=1, le=3660)
    c_days: int = Field(365, ge=1, le=3660)
    # Units off (too many plus too few) over which another person recounts, and over which
    # a recount waits for a supervisor's approval rather than adjusting the book.
    recount_units: int = Field(2, ge=0, le=1_000_000)
    approval_units: int = Field(10, ge=0, le=1_000_000)
    # The same in value (0: not used), with the value of one unit by SKU.
    recount_value: float = Field(0.0, ge=0)
    approval_value: float = Field(0.0, ge=0)
    unit_values: dict[str, float] = Field(default_factory=dict)
    # Anyone logged in may count, not only counters and supervisors.
    anyone_may_count: bool = False
    # How often each server process opens the counts that are due (0: only when asked,
    # POST /api/v1/counts/schedule).
    schedule_minutes: int = Field(60, ge=0, le=7 * 24 * 60)


class ReplenishmentSettings(_Section):
    # A face with a home product and a capacity but no min/max of its own: its minimum is
    # this share of its capacity, its maximum the capacity.
    default_min_percent: int = Field(25, ge=0, le=100)
    # How often the server looks for faces below minimum that no pick fired for; 0: never.
    sweep_minutes: float = Field(15.0, ge=0, le=24 * 60)


class Settings(_Section):
    server: ServerSettings = ServerSettings()
    station: StationSettings = StationSettings()
    layout: LayoutSettings = LayoutSettings()
    demo: DemoSettings = DemoSettings()
    scanner: ScannerSettings = ScannerSettings()
    scale: ScaleSettings = ScaleSettings()
    codes: CodesSettings = CodesSettings()
    labels: LabelSettings = LabelSettings()
    shipping: ShippingSettings = ShippingSettings()
    printing: PrintingSettings = PrintingSettings()
    webhooks: WebhookSettings = WebhookSettings()
    waves: WaveSettings = WaveSettings()
    receiving: ReceivingSettings = ReceivingSettings()
    putaway: PutawaySettings = PutawaySettings()
    counts: CountSettings = CountSettings()
    replenishment: ReplenishmentSettings = ReplenishmentSettings()
    # Folder the layout and catalogue files are resolved against.
    config_dir: Path = Field(default_factory=lambda: default_config_dir())

    def resolve(self, name: str) -> Path:
        """A config-relative file name as an absolute path."""
        path = Path(name).expanduser()
        return path if path.is_absolute() else self.config_dir / path


def default_config_dir() -> Path:
    """The shipped config folder: inside the wheel, or the repository's in a checkout."""
    packaged = Path(__file__).parent / "_config"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "config"


def default_assets_dir() -> Path:
    """The shipped assets folder (styles, label templates, demo seeds)."""
    packaged = Path(__file__).parent / "_assets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "assets"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def _env_layer(environ: Mapping[str, str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Settings from TOTEFLOW_<SECTION>_<KEY> variables, and each key's variable name."""
    layer: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    sections = {
        name: set(field.annotation.model_fields)  # type: ignore[union-attr]
        for name, field in Settings.model_fields.items()
        if name != "config_dir"
    }
    for var, raw in environ.items():
        if not var.startswith(ENV_PREFIX) or var in RESERVED_ENV:
            continue
        rest = var[len(ENV_PREFIX) :].lower()
        for section, keys in sections.items():
            key = rest.removeprefix(section + "_")
            if key != rest and key in keys:
                layer.setdefault(section, {})[key] = _env_value(raw)
                sources[f"{section}.{key}"] = f"environment variable {var}"
                break
        else:
            raise ConfigError(f"unknown setting in environment variable {var}")
    return layer, sources


def _env_value(raw: str) -> Any:
    # Lists and tables come as JSON; everything else is left for pydantic to coerce.
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _merge(
    base: dict[str, Any], layer: dict[str, Any], origin: str, sources: dict[str, str]
) -> None:
    for section, values in layer.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{origin}: [{section}] must be a table of settings")
        target = base.setdefault(section, {})
        # A section no earlier layer has is blamed on this file if it turns out unknown.
        sources.setdefault(section, origin)
        for key, value in values.items():
            target[key] = value
            sources[f"{section}.{key}"] = origin


def load_settings(
    config_file: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings, raising ConfigError that names any bad key and where it came from."""
    env = os.environ if environ is None else environ
    defaults_path = default_config_dir() / "toteflow.toml"
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    _merge(merged, _read_toml(defaults_path), str(defaults_path), sources)
    chosen = config_file or env.get("TOTEFLOW_CONFIG") or None
    if chosen:
        path = Path(chosen).expanduser()
        _merge(merged, _read_toml(path), str(path), sources)
    env_layer, env_sources = _env_layer(env)
    for section, values in env_layer.items():
        merged.setdefault(section, {}).update(values)
    sources.update(env_sources)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, sources, str(defaults_path))) from None


def _describe(exc: ValidationError, sources: dict[str, str], fallback: str) -> str:
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        dotted = ".".join(loc[:2])
        where = sources.get(dotted, sources.get(loc[0], fallback) if loc else fallback)
        name = f"[{loc[0]}] {'.'.join(loc[1:])}" if len(loc) > 1 else f"[{loc[0]}]"
        if error["type"] == "extra_forbidden":
            lines.append(f"unknown key {name} in {where}")
        else:
            lines.append(f"invalid value for {name} in {where}: {error['msg']}")
    return "; ".join(lines)
