"""JSON logs with the request id, and national IDs and phone numbers masked wherever they appear."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from mahaliyat import context
from mahaliyat.digits import TO_ASCII

# Patterns run on a copy with Arabic-Indic and Persian digits made ASCII (same length),
# so a value written in ٠-٩ is masked too. They find every form mahaliyat.identifiers
# reads, with spaces, dashes, dots, brackets or direction marks between the digits
# (tests/common/test_identifiers_everywhere.py).
_GAP = r"[\s.\-()\u200e\u200f\u061c]*"
_NATIONAL_ID = re.compile(rf"(?<!\d)[23](?:{_GAP}\d){{13}}(?!\d)")
_PHONE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?20{_GAP})?(?:0{_GAP})?1[0125](?:{_GAP}\d){{8}}(?!\d)")

_STANDARD_ATTRS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)


def mask(text: str) -> str:
    """Hide all but the last two digits of national IDs and Egyptian mobile numbers."""
    for pattern in (_NATIONAL_ID, _PHONE):
        spans = [m.span() for m in pattern.finditer(text.translate(TO_ASCII))]
        for start, end in reversed(spans):
            text = text[:start] + "*" * (end - start - 2) + text[end - 2 : end] + text[end:]
    return text


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "service": getattr(record, "service", self.service),
            "message": mask(record.getMessage()),
        }
        rid = context.request_id.get()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = _masked(value)
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class MaskingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def configure_logging(service: str, *, level: str = "INFO", json_output: bool = True) -> None:
    """Install one handler on the root logger (idempotent; the last call's format wins)."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_mahaliyat", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler._mahaliyat = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    handler.setFormatter(
        JsonFormatter(service)
        if json_output
        else MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
