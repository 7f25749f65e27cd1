"""Our own label formats from settings: domain CodeFormats, or a ConfigError naming the key."""

from __future__ import annotations

from toteflow.config import CodesSettings, ConfigError
from toteflow.domain.scan import CodeFormatError, CodeFormats


def build_code_formats(codes: CodesSettings) -> CodeFormats:
    """CodeFormats for `[codes]`; raises ConfigError if a format or template is unusable."""
    try:
        return CodeFormats.create(**codes.model_dump())
    except CodeFormatError as exc:
        raise ConfigError(f"invalid value for [codes] {exc.key}: {exc.message}") from None
