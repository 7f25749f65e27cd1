"""Scan interpretation: raw scanner text in, a typed scan or a reason a picker understands out.

The results themselves are `domain.scan_results`; this module names them too (`__all__`), so
that callers read scans from one place.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from biip import ParseConfig
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.upc import Upc

from toteflow.domain.gs1 import GTIN_LENGTHS, SSCC_LENGTH, gs1_check_digit, overrun_field
from toteflow.domain.scan_results import (
    GS,
    PRODUCT_KINDS,
    BadgeScan,
    CartScan,
    CartSlotScan,
    DigitalLinkScan,
    Gs1Data,
    Gs1Scan,
    GtinScan,
    LocationScan,
    Scan,
    ScanError,
    ScanKind,
    ScanResult,
    SkuScan,
    SsccScan,
    ToteScan,
    expect,
    label_name,
    product_gtin,
    scan_fields,
    sscc_of,
)

# --- code formats ----------------------------------------------------------------------


class CodeFormatError(ValueError):
    """A code format or template is unusable; `key` names the offending setting."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


DEFAULT_PATTERNS: dict[str, str] = {
    "location": r"^(?P<aisle>\d{2})-(?P<bay>\d{3})-(?P<level>\d)$",
    "tote": r"^T\d{6}$",
    "cart": r"^C\d{4}$",
    "cart_slot": r"^(?P<cart>C\d{4})-S(?P<slot>\d{2})$",
    "badge": r"^B\d{5}$",
    "sku": r"^SKU-(?P<sku>[A-Z0-9][A-Z0-9-]*)$",
}
DEFAULT_TEMPLATES: dict[str, str] = {
    "location_template": "{aisle:02d}-{bay:03d}-{level:d}",
    "tote_template": "T{number:06d}",
    "cart_template": "C{number:04d}",
    "cart_slot_template": "{cart}-S{slot:02d}",
    "badge_template": "B{number:05d}",
    "sku_template": "SKU-{sku}",
}
# Named groups each format must have, so interpret() can fill the result's fields.
_REQUIRED_GROUPS = {
    "location": {"aisle", "bay", "level"},
    "cart_slot": {"cart", "slot"},
}
_TEMPLATE_FIELDS = {
    "location_template": {"aisle", "bay", "level"},
    "tote_template": {"number"},
    "cart_template": {"number"},
    "cart_slot_template": {"cart", "slot"},
    "badge_template": {"number"},
    "sku_template": {"sku"},
}


@dataclass(frozen=True)
class CodeFormats:
    """How our own labels look: one regular expression to read and one template to print each.

    Build with `CodeFormats.create(...)`, which checks that every template's output is read
    back by its own pattern, and by no other, so every code we print parses back.
    """

    location: re.Pattern[str]
    tote: re.Pattern[str]
    cart: re.Pattern[str]
    cart_slot: re.Pattern[str]
    badge: re.Pattern[str]
    sku: re.Pattern[str]
    location_template: str
    tote_template: str
    cart_template: str
    cart_slot_template: str
    badge_template: str
    sku_template: str

    @classmethod
    def create(
        cls,
        *,
        location: str = DEFAULT_PATTERNS["location"],
        tote: str = DEFAULT_PATTERNS["tote"],
        cart: str = DEFAULT_PATTERNS["cart"],
        cart_slot: str = DEFAULT_PATTERNS["cart_slot"],
        badge: str = DEFAULT_PATTERNS["badge"],
        sku: str = DEFAULT_PATTERNS["sku"],
        location_template: str = DEFAULT_TEMPLATES["location_template"],
        tote_template: str = DEFAULT_TEMPLATES["tote_template"],
        cart_template: str = DEFAULT_TEMPLATES["cart_template"],
        cart_slot_template: str = DEFAULT_TEMPLATES["cart_slot_template"],
        badge_template: str = DEFAULT_TEMPLATES["badge_template"],
        sku_template: str = DEFAULT_TEMPLATES["sku_template"],
    ) -> CodeFormats:
        """Compile and cross-check the formats; raises CodeFormatError naming the key."""
        patterns = {
            "location": location,
            "tote": tote,
            "cart": cart,
            "cart_slot": cart_slot,
            "badge": badge,
            "sku": sku,
        }
        templates = {
            "location_template": location_template,
            "tote_template": tote_template,
            "cart_template": cart_template,
            "cart_slot_template": cart_slot_template,
            "badge_template": badge_template,
            "sku_template": sku_template,
        }
        compiled = {key: _compile(key, text) for key, text in patterns.items()}
        for key, text in templates.items():
            _check_template(key, text)
        formats = cls(
            location=compiled["location"],
            tote=compiled["tote"],
            cart=compiled["cart"],
            cart_slot=compiled["cart_slot"],
            badge=compiled["badge"],
            sku=compiled["sku"],
            location_template=location_template,
            tote_template=tote_template,
            cart_template=cart_template,
            cart_slot_template=cart_slot_template,
            badge_template=badge_template,
            sku_template=sku_template,
        )
        formats._check_round_trips()
        return formats

    def format_location(self, aisle: int, bay: int, level: int) -> str:
        """A location code, e.g. 05-017-2; ValueError if the format cannot hold it."""
        return self._print("location", aisle=aisle, bay=bay, level=level)

    def format_tote(self, number: int) -> str:
        return self._print("tote", number=number)

    def format_cart(self, number: int) -> str:
        return self._print("cart", number=number)

    def format_cart_slot(self, cart: str, slot: int) -> str:
        """A slot code on a cart; `cart` is the cart's code (see format_cart)."""
        return self._print("cart_slot", cart=cart, slot=slot)

    def format_badge(self, number: int) -> str:
        return self._print("badge", number=number)

    def format_sku_barcode(self, sku: str) -> str:
        return self._print("sku", sku=sku)

    def _print(self, kind: str, **values: object) -> str:
        template: str = getattr(self, f"{kind}_template")
        code = template.format(**values)
        # Refuse to print what we could not read back: a 3-digit aisle on a 2-digit format
        # would otherwise become a label no scanner at this site can use.
        if not self._pattern(kind).fullmatch(code):
            raise ValueError(f"{code!r} does not match the {kind} format; cannot print it")
        return code

    def _pattern(self, kind: str) -> re.Pattern[str]:
        pattern: re.Pattern[str] = getattr(self, kind)
        return pattern

    def _check_round_trips(self) -> None:
        # Print one sample of each kind and read it back: the template must produce what
        # its own pattern accepts, with the same fields, and no earlier pattern may claim it.
        cart = self._sample("cart_template", lambda: self.format_cart(1))
        samples: list[tuple[str, str, dict[str, object]]] = [
            (
                "location_template",
                self._sample("location_template", lambda: self.format_location(1, 2, 3)),
                {"kind": ScanKind.LOCATION, "aisle": 1, "bay": 2, "level": 3},
            ),
            (
                "tote_template",
                self._sample("tote_template", lambda: self.format_tote(1)),
                {"kind": ScanKind.TOTE},
            ),
            ("cart_template", cart, {"kind": ScanKind.CART}),
            (
                "cart_slot_template",
                self._sample("cart_slot_template", lambda: self.format_cart_slot(cart, 2)),
                {"kind": ScanKind.CART_SLOT, "cart": cart, "slot": 2},
            ),
            (
                "badge_template",
                self._sample("badge_template", lambda: self.format_badge(1)),
                {"kind": ScanKind.BADGE},
            ),
            (
                "sku_template",
                self._sample("sku_template", self._sample_sku),
                {"kind": ScanKind.SKU},
            ),
        ]
        for key, code, wanted in samples:
            result = interpret(code, self)
            got = {name: getattr(result, name, None) for name in wanted}
            if got != wanted:
                read_as = result.reason if isinstance(result, ScanError) else label_name(result)
                raise CodeFormatError(
                    key,
                    f"prints {code!r}, which reads back as {read_as} {got}, expected {wanted}",
                )

    def _sample_sku(self) -> str:
        # SKU alphabets differ by site; any one of these proves the template works.
        for sku in ("A1", "1", "A", "12345", "ABC123", "a1"):
            try:
                return self.format_sku_barcode(sku)
            except ValueError:
                continue
        return self.format_sku_barcode("A1")  # raises, naming the mismatch

    @staticmethod
    def _sample(key: str, make: Callable[[], str]) -> str:
        try:
            return make()
        except (ValueError, KeyError, IndexError) as exc:
            raise CodeFormatError(key, f"cannot print a sample code: {exc}") from None


def _compile(key: str, text: str) -> re.Pattern[str]:
    try:
        # ASCII: \d must not match Arabic-Indic or full-width digits a label never carries.
        pattern = re.compile(text, re.ASCII)
    except re.error as exc:
        raise CodeFormatError(key, f"not a valid regular expression: {exc}") from None
    missing = _REQUIRED_GROUPS.get(key, set()) - set(pattern.groupindex)
    if missing:
        raise CodeFormatError(key, f"needs named groups {', '.join(sorted(missing))}")
    if pattern.fullmatch(""):
        raise CodeFormatError(key, "matches empty text")
    return pattern


def _check_template(key: str, text: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise CodeFormatError(key, f"not a valid template: {exc}") from None
    allowed = _TEMPLATE_FIELDS[key]
    if not names <= allowed:
        raise CodeFormatError(
            key,
            f"unknown field {', '.join(sorted(names - allowed))}; use {', '.join(sorted(allowed))}",
        )


# --- interpretation --------------------------------------------------------------------

# ISO/IEC 15424: "]" + code character + modifier. GS1 ones pick how the data is read.
_SYMBOLOGY = re.compile(r"\][A-Za-z][0-9A-Za-z]")
_GS1_MESSAGE_SYMBOLOGIES = frozenset({"C1", "e0", "e1", "e2", "d2", "Q3", "J1"})
_DIGITAL_LINK_SYMBOLOGIES = frozenset({"d2", "Q3"})
_EAN_SYMBOLOGIES = frozenset({"E0", "E3", "E4", "I1"})
_ADD_ON_ONLY = frozenset({"E1", "E2"})
# Trimmed from both ends: scanner suffixes and stray spaces. Not GS: that is data.
_TRIM = " \t\r\n"
_ASCII_DIGITS = re.compile(r"[0-9]+")
_CHECK_DIGIT_MESSAGE = re.compile(r"Expected (\d), got (\d)")
_AI_IN_MESSAGE = re.compile(r"AI \((\d+)\)")


def interpret(
    raw: str,
    formats: CodeFormats | None = None,
    *,
    fnc1_replacement: str | None = None,
) -> ScanResult:
    """Read one scan. Never raises: anything unusable comes back as a ScanError.

    `formats` defaults to DEFAULT_FORMATS. `fnc1_replacement` is a character some
    scanners send instead of GS for FNC1; it is read as a separator inside GS1 element
    strings only.
    """
    try:
        return _interpret(raw, formats or DEFAULT_FORMATS, fnc1_replacement or None)
    except Exception as exc:
        # A scan must never crash the station; tests treat reaching this line as a bug.
        return ScanError(raw=raw, reason="unreadable barcode", detail=f"internal error: {exc!r}")


def _interpret(raw: str, formats: CodeFormats, fnc1: str | None) -> ScanResult:
    text = raw.strip(_TRIM)
    symbology: str | None = None
    if text.startswith("]"):
        match = _SYMBOLOGY.match(text)
        if match is None:
            return ScanError(
                raw=raw, reason="unreadable barcode", detail="malformed symbology identifier"
            )
        symbology = match.group()[1:]
        text = text[match.end() :]
    if not text:
        return ScanError(raw=raw, reason="empty scan", symbology=symbology)
    ctx = _Context(raw=raw, symbology=symbology, fnc1=fnc1)

    if symbology in _ADD_ON_ONLY:
        return ctx.error("scanned the small add-on code: scan the main barcode")
    if symbology in _EAN_SYMBOLOGIES:
        return _ean(ctx, text)
    if symbology in _GS1_MESSAGE_SYMBOLOGIES:
        if symbology in _DIGITAL_LINK_SYMBOLOGIES and text.lower().startswith("http"):
            return _digital_link(ctx, text)
        return _gs1_message(ctx, text)

    # No symbology identifier, or a non-GS1 one (Code 128, Code 39, plain QR ...):
    # our own labels first, since a site chose those formats on purpose.
    own = _own_code(ctx, text, formats)
    if own is not None:
        return own
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        return _digital_link(ctx, text)
    if text.startswith("(") and symbology is None:
        return _gs1_hri(ctx, text)
    separators = (GS, fnc1) if fnc1 else (GS,)
    has_separator = any(sep in text for sep in separators)
    if _ASCII_DIGITS.fullmatch(text):
        if len(text) in GTIN_LENGTHS:
            # A bare 8-14 digit string is a product barcode far more often than a GS1
            # element string: only "]C1" etc. (handled above) make it AI data.
            return _gtin(ctx, text)
        if len(text) == SSCC_LENGTH:
            return _bare_sscc(ctx, text)
    if symbology is None and (has_separator or _ASCII_DIGITS.match(text[:2])):
        # A scanner configured without AIM identifiers still sends GS1-128 data. Random
        # digits would often read as some AI with a bad value, which tells a picker
        # nothing: only a separator, a leading SSCC/GTIN AI or a check-digit failure
        # make the GS1 reason worth showing.
        result = _gs1_message(ctx, text)
        if not isinstance(result, ScanError) or has_separator:
            return result
        if result.reason.startswith("check digit") or text.startswith(("00", "01", "02")):
            return result
        return ctx.error("unknown barcode", detail=result.detail)
    return ctx.error("unknown barcode")


@dataclass(frozen=True)
class _Context:
    raw: str
    symbology: str | None
    fnc1: str | None

    def error(self, reason: str, detail: str | None = None) -> ScanError:
        return ScanError(raw=self.raw, reason=reason, symbology=self.symbology, detail=detail)

    @property
    def config(self) -> ParseConfig:
        separators = (GS, self.fnc1) if self.fnc1 else (GS,)
        return ParseConfig(separator_chars=separators)


def _own_code(ctx: _Context, text: str, formats: CodeFormats) -> Scan | None:
    raw, symbology = ctx.raw, ctx.symbology
    if match := formats.location.fullmatch(text):
        return LocationScan(
            raw=raw,
            symbology=symbology,
            code=text,
            aisle=int(match["aisle"]),
            bay=int(match["bay"]),
            level=int(match["level"]),
        )
    # Cart slot before cart: a loose cart format could otherwise swallow slot codes.
    if match := formats.cart_slot.fullmatch(text):
        return CartSlotScan(
            raw=raw, symbology=symbology, code=text, cart=match["cart"], slot=int(match["slot"])
        )
    if formats.tote.fullmatch(text):
        return ToteScan(raw=raw, symbology=symbology, code=text)
    if formats.cart.fullmatch(text):
        return CartScan(raw=raw, symbology=symbology, code=text)
    if formats.badge.fullmatch(text):
        return BadgeScan(raw=raw, symbology=symbology, code=text)
    if match := formats.sku.fullmatch(text):
        sku = match["sku"] if "sku" in formats.sku.groupindex else None
        return SkuScan(raw=raw, symbology=symbology, code=text, sku=sku or text)
    return None


def _ean(ctx: _Context, text: str) -> ScanResult:
    if not _ASCII_DIGITS.fullmatch(text):
        return ctx.error("unreadable product barcode")
    if ctx.symbology == "E3" and len(text) in (14, 15, 17, 18):
        # EAN-13/UPC-A followed by a 2- or 5-digit add-on: the add-on (issue number,
        # price) is not part of the GTIN.
        text = text[:13] if len(text) in (15, 18) else text[:12]
    if ctx.symbology == "E0" and len(text) in (6, 7, 8) and text[0] in "01":
        # UPC-E comes under ]E0 too; expand it to UPC-A so it matches the catalogue.
        try:
            text = Upc.parse(text).as_upc_a()
        except Exception:
            # Some scanners label EAN-8 ]E0 as well: an 8-digit string that is no UPC-E
            # is still tried as a GTIN-8.
            if len(text) != 8:
                return ctx.error("unreadable product barcode")
    return _gtin(ctx, text)


def _gtin(ctx: _Context, digits: str) -> ScanResult:
    if len(digits) not in GTIN_LENGTHS:
        return ctx.error(
            f"not a product barcode: {len(digits)} digits (a GTIN has 8, 12, 13 or 14)"
        )
    expected = gs1_check_digit(digits[:-1])
    if expected != int(digits[-1]):
        return ctx.error(f"check digit wrong: expected {expected}")
    if digits.strip("0") == "":
        return ctx.error("not a product barcode: all zeros")
    return GtinScan(
        raw=ctx.raw,
        symbology=ctx.symbology,
        gtin=digits.zfill(14),
        digits=digits,
        length=len(digits),
    )


def _bare_sscc(ctx: _Context, digits: str) -> ScanResult:
    expected = gs1_check_digit(digits[:-1])
    if expected != int(digits[-1]):
        return ctx.error(f"check digit wrong: expected {expected}")
    return SsccScan(raw=ctx.raw, symbology=ctx.symbology, sscc=digits)


def _gs1_message(ctx: _Context, text: str) -> ScanResult:
    # FNC1 in first position is implied by "]C1" etc.; scanners without AIM identifiers
    # often send it as a leading GS instead.
    separators = tuple(ctx.config.separator_chars)
    text = text.lstrip("".join(separators))
    if not text:
        return ctx.error("empty scan")
    try:
        message = GS1Message.parse(text, config=ctx.config)
    except Exception as exc:
        # biip raises more than ParseError on garbage (IndexError on "]", ValueError).
        return ctx.error(_gs1_reason(str(exc)), detail=str(exc))
    elements = [(e.ai.ai, e.value, e.ai.separator_required) for e in message.element_strings]
    if overrun := overrun_field(text, elements, separators):
        return ctx.error(
            f"GS1 field ({overrun[0]}) is longer than the {overrun[1]} characters GS1 allows"
        )
    return _gs1_fields(ctx, message.element_strings, message.as_hri(), None)


def _gs1_hri(ctx: _Context, text: str) -> ScanResult:
    # "(01)04012345678901(10)LOT" is what is printed under the barcode: IT staff paste it
    # into `toteflow scan explain`, and some scanners send it.
    try:
        message = GS1Message.parse_hri(text, config=ctx.config)
    except Exception as exc:
        return ctx.error(_gs1_reason(str(exc)), detail=str(exc))
    return _gs1_fields(ctx, message.element_strings, message.as_hri(), None)


def _digital_link(ctx: _Context, text: str) -> ScanResult:
    try:
        link = GS1DigitalLinkURI.parse(text, config=ctx.config)
        hri = link.as_gs1_message().as_hri()
    except Exception as exc:
        return ctx.error("not a GS1 product link: " + _gs1_reason(str(exc)), detail=str(exc))
    return _gs1_fields(ctx, link.element_strings, hri, text)


def _gs1_fields(
    ctx: _Context, elements: GS1ElementStrings, hri: str, uri: str | None
) -> ScanResult:
    pairs: list[tuple[str, str]] = []
    gtin = content_gtin = lot = serial = sscc = None
    expiry: date | None = None
    net_weight: Decimal | None = None
    count: int | None = None
    for element in elements:
        ai = element.ai.ai
        pairs.append((ai, element.value))
        if not element.value:
            # biip's patterns allow "10" or "30" with nothing after them; GS1 does not.
            return ctx.error(f"GS1 field ({ai}) is empty")
        # biip keeps a bad check digit inside an element as a note rather than failing
        # the message; for us it is a bad scan.
        if element.gtin_error:
            return ctx.error(_gs1_reason(element.gtin_error, f"GTIN ({ai})"), element.gtin_error)
        if element.sscc_error:
            return ctx.error(_gs1_reason(element.sscc_error, "SSCC (00)"), element.sscc_error)
        match ai:
            case "00":
                sscc = element.value
            case "01":
                gtin = element.value.zfill(14)
            case "02":
                content_gtin = element.value.zfill(14)
            case "10":
                lot = element.value
            case "17":
                expiry = element.date
            case "21":
                serial = element.value
            case "30" | "37":
                count = int(element.value)
            case _ if ai.startswith("310"):
                net_weight = element.decimal
    if not pairs:
        return ctx.error("empty scan")
    if uri is not None:
        return DigitalLinkScan(
            raw=ctx.raw,
            symbology=ctx.symbology,
            elements=tuple(pairs),
            hri=hri,
            gtin=gtin,
            content_gtin=content_gtin,
            lot=lot,
            expiry=expiry,
            serial=serial,
            net_weight_kg=net_weight,
            count=count,
            sscc=sscc,
            uri=uri,
        )
    return Gs1Scan(
        raw=ctx.raw,
        symbology=ctx.symbology,
        elements=tuple(pairs),
        hri=hri,
        gtin=gtin,
        content_gtin=content_gtin,
        lot=lot,
        expiry=expiry,
        serial=serial,
        net_weight_kg=net_weight,
        count=count,
        sscc=sscc,
    )


def _gs1_reason(message: str, what: str | None = None) -> str:
    """biip's message as a sentence for the picker (biip's own text goes in `detail`)."""
    if match := _CHECK_DIGIT_MESSAGE.search(message):
        where = f" in {what}" if what else ""
        return f"check digit wrong{where}: expected {match.group(1)}"
    ai = _AI_IN_MESSAGE.search(message)
    if "date" in message and ai:
        return f"date in ({ai.group(1)}) is not a real date"
    if "Application Identifier" in message:
        return "not a GS1 code we know"
    if ai:
        return f"GS1 field ({ai.group(1)}) has the wrong length or characters"
    return "unreadable GS1 code"


# Built last: creating formats reads sample codes back through interpret().
DEFAULT_FORMATS = CodeFormats.create()

__all__ = [
    "DEFAULT_FORMATS",
    "GS",
    "PRODUCT_KINDS",
    "BadgeScan",
    "CartScan",
    "CartSlotScan",
    "CodeFormatError",
    "CodeFormats",
    "DigitalLinkScan",
    "Gs1Data",
    "Gs1Scan",
    "GtinScan",
    "LocationScan",
    "Scan",
    "ScanError",
    "ScanKind",
    "ScanResult",
    "SkuScan",
    "SsccScan",
    "ToteScan",
    "expect",
    "interpret",
    "label_name",
    "product_gtin",
    "scan_fields",
    "sscc_of",
]
