"""Reading one event's fields: the dimensions every fact carries, and the named BadEvent.

A :class:`Reader` collects every missing or malformed field before failing, so a bad event
names all of its problems at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from kpi_service.domain.days import WorkingDays

CHANNELS = frozenset({"centre", "mobile_centre", "portal", "app", "partner_api"})
DIGITAL_CHANNELS = frozenset({"portal", "app", "partner_api"})

F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class BadEvent(Exception):
    """An event the KPIs cannot use: the fields missing and the fields present but malformed."""

    event_id: str
    event_type: str
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"event {self.event_id or '?'} ({self.event_type or '?'}): "
            f"missing {list(self.missing)}, invalid {list(self.invalid)}"
        )


@dataclass(frozen=True, slots=True, order=True)
class Dims:
    """Where a fact belongs: the dimensions every rollup cell is keyed by (besides day, officer)."""

    jurisdiction: str
    governorate: str
    centre: str | None
    service: str
    channel: str


@dataclass(slots=True)
class Reader:
    """Reads fields of one event, collecting every missing or malformed one before failing."""

    event_id: str
    event_type: str
    data: Mapping[str, Any]
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def raw(self, name: str) -> Any:
        value: Any = self.data
        for part in name.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def text(
        self, name: str, *, required: bool = True, choices: frozenset[str] | None = None
    ) -> str:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                self.missing.append(name)
            return ""
        if not isinstance(value, str) or (choices is not None and value not in choices):
            self.invalid.append(name)
            return ""
        return value

    def optional_text(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.invalid.append(name)
            return None
        return value

    def identifier(self, name: str, subject: str | None) -> str:
        """The entity's id: the field, else the event's subject; missing when neither."""
        found = self.optional_text(name) or subject
        if not found:
            self.missing.append(name)
            return ""
        return found

    def integer(self, name: str, *, required: bool = True, minimum: int = 0) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.missing.append(name)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.invalid.append(name)
            return None
        return value

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        value = self.raw(name)
        if value is None:
            if required:
                self.missing.append(name)
            return None
        if not isinstance(value, bool):
            self.invalid.append(name)
            return None
        return value

    def instant(self, name: str, *, required: bool = True) -> datetime | None:
        value = self.raw(name)
        if value is None or value == "":
            if required:
                self.missing.append(name)
            return None
        moment = parse_instant(value)
        if moment is None:
            self.invalid.append(name)
        return moment

    def instant_or(self, name: str, fallback: datetime) -> datetime:
        """An optional instant, else ``fallback`` (the event's time)."""
        return self.instant(name, required=False) or fallback

    def texts(self, name: str) -> tuple[str, ...]:
        value = self.raw(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.invalid.append(name)
            return ()
        return tuple(sorted(set(value)))

    def dims(self, *, channel_required: bool = True) -> Dims:
        service = self.text("service_code")
        jurisdiction = self.text("jurisdiction", required=False)
        centre = self.optional_text("centre_code")
        governorate = self.optional_text("governorate")
        if not jurisdiction:
            jurisdiction = centre or governorate or ""
            if not jurisdiction:
                self.missing.append("jurisdiction")
        if governorate is None:
            governorate = jurisdiction.split("-")[0] if jurisdiction else ""
        channel = (
            self.text("channel", choices=CHANNELS)
            if channel_required
            else (self.optional_text("channel") or "")
        )
        return Dims(jurisdiction, governorate, centre, service, channel)

    def fail_if_bad(self) -> None:
        if self.missing or self.invalid:
            raise BadEvent(
                self.event_id,
                self.event_type,
                tuple(dict.fromkeys(self.missing)),
                tuple(dict.fromkeys(self.invalid)),
            )


def parse_instant(value: Any) -> datetime | None:
    """An aware instant from an ISO 8601 string or an aware datetime; None otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None


# Builds one family's fact from (reader of `data`, event id, event time, subject, working days).
Builder = Callable[[Reader, str, datetime, str | None, WorkingDays | None], F]
