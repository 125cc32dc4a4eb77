"""The placeholder values an event offers its template, in the message's language.

From ``data``: every text and number as it is; ``{ar, en}`` pairs in the
message's language; ``X_piasters`` also as ``X``, formatted money
(``amount_due_piasters`` → ``{amount_due}``); ``X_at`` timestamps also as
``X_date`` and ``X_time`` in Africa/Cairo. Nested records (``applicant``) and
nulls offer nothing, so a template naming them is refused, not filled with blanks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mahaliyat.clock import CAIRO
from mahaliyat.money import Money


def localised(value: Any, language: str) -> str | None:
    """The ``language`` text of an ``{ar, en}`` pair (Arabic when that language is missing)."""
    if not isinstance(value, Mapping) or not value or not set(value) <= {"ar", "en"}:
        return None
    text = value.get(language) or value.get("ar")
    return text if isinstance(text, str) else None


def event_values(data: Mapping[str, Any], language: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in data.items():
        if value is None or isinstance(value, bool | list):
            continue
        if isinstance(value, int):
            values[key] = str(value)
            if key.endswith("_piasters"):
                values[key.removesuffix("_piasters")] = Money(value).format(language)
        elif isinstance(value, float):
            values[key] = f"{value:g}"
        elif isinstance(value, str):
            values[key] = value
            if key.endswith("_at"):
                values.update(_moment_values(key.removesuffix("_at"), value))
        elif (text := localised(value, language)) is not None:
            values[key] = text
    return values


def _moment_values(stem: str, raw: str) -> dict[str, str]:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return {}
    if moment.tzinfo is None:
        return {}
    local = moment.astimezone(CAIRO)
    return {f"{stem}_date": local.strftime("%Y-%m-%d"), f"{stem}_time": local.strftime("%H:%M")}
