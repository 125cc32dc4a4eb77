"""What a provider's raw request or answer may keep: phones masked, card data never.

Applied to every raw request, answer and callback before it leaves an adapter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PHONE_KEYS = re.compile(r"(phone|mobile|msisdn|wallet_number)", re.IGNORECASE)
_CARD_KEYS = re.compile(
    r"^(card_?number|cardnumber|cvv|cvc|cvv2|card_?token|expiry_?(month|year)|pan_full)$",
    re.IGNORECASE,
)


def mask_phone(value: str) -> str:
    """``"+201012345678"`` → ``"+2010*****678"``: the first five and last three kept."""
    digits = sum(ch.isdigit() for ch in value)
    if digits <= 6:
        return "*" * len(value)
    return value[:5] + "*" * (len(value) - 8) + value[-3:]


def mask_pan(value: str) -> str:
    """Any card number is reduced to its last four digits."""
    digits = [ch for ch in value if ch.isdigit()]
    return "*" * 12 + "".join(digits[-4:]) if len(digits) >= 4 else "****"


def redact(data: Any, *, key: str = "") -> Any:
    """A copy of ``data`` (JSON-like) with phones masked and card data removed or masked."""
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        for k, v in data.items():
            name = str(k)
            if _CARD_KEYS.match(name):
                continue
            out[name] = redact(v, key=name)
        return out
    if isinstance(data, list | tuple):
        return [redact(item, key=key) for item in data]
    if isinstance(data, str):
        if _PHONE_KEYS.search(key):
            return mask_phone(data)
        if key == "pan" and sum(ch.isdigit() for ch in data) > 4:
            return (
                mask_phone(data) if data.lstrip("+").startswith(("01", "201")) else mask_pan(data)
            )
    if isinstance(data, int) and not isinstance(data, bool) and _PHONE_KEYS.search(key):
        return mask_phone(str(data))
    return data
