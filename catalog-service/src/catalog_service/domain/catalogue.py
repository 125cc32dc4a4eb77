"""The service catalogue: categories, departments and services with their forms."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from catalog_service.domain.centres import CentreKind


class Channel(StrEnum):
    CENTRE = "centre"
    MOBILE_CENTRE = "mobile_centre"
    PORTAL = "portal"
    APP = "app"
    PARTNER_API = "partner_api"


ONLINE_CHANNELS = frozenset({Channel.PORTAL, Channel.APP})


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    NATIONAL_ID = "national_id"
    PHONE = "phone"
    AREA_M2 = "area_m2"


# The kinds a fee rule can multiply (an area, a count of months or heads, …).
NUMERIC_KINDS = frozenset({FieldKind.NUMBER, FieldKind.AREA_M2})


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    name_ar: str
    name_en: str


@dataclass(frozen=True, slots=True)
class FormField:
    """A typed field of a service's application form.

    ``min_value``/``max_value`` bound numbers and areas, and for a multi-choice
    the number of options picked; ``max_length`` bounds text.
    """

    name: str
    kind: FieldKind
    label_ar: str
    label_en: str
    required: bool = True
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()

    @property
    def option_codes(self) -> frozenset[str]:
        return frozenset(o.code for o in self.options)


@dataclass(frozen=True, slots=True)
class ProcedureStep:
    order: int
    text_ar: str
    text_en: str


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    code: str
    name_ar: str
    name_en: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_ar: str
    name_en: str
    order: int


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name_ar: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Service:
    code: str  # "BLD-001"
    name_ar: str
    name_en: str
    description_ar: str
    description_en: str
    category_code: str
    department_code: str
    sla_days: int  # working days, Friday–Saturday weekend
    online: bool
    channels: tuple[Channel, ...]
    centre_kinds: tuple[CentreKind, ...]
    steps: tuple[ProcedureStep, ...]
    documents: tuple[RequiredDocument, ...]
    fields: tuple[FormField, ...]
    keywords_ar: tuple[str, ...] = ()
    keywords_en: tuple[str, ...] = ()
    active: bool = True

    def offered_by(self, kind: CentreKind) -> bool:
        return kind in self.centre_kinds

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


def walk_in_channel(kind: CentreKind) -> Channel:
    """The channel an application taken in at a centre of ``kind`` travels on."""
    return Channel.MOBILE_CENTRE if kind is CentreKind.MOBILE else Channel.CENTRE


def offered_at(service: Service, kind: CentreKind) -> bool:
    """Whether a centre of ``kind`` offers ``service`` (docs/contracts.md): the service is
    active, lists the kind, and takes walk-ins on that kind's channel."""
    return (
        service.active
        and kind in service.centre_kinds
        and walk_in_channel(kind) in service.channels
    )


def definition_errors(service: Service) -> list[tuple[str, str]]:
    """What makes a service definition inconsistent, as (field path, code) pairs.

    The rules the seeded catalogue keeps: ``online`` exactly when the portal or the
    app is a channel; the counter channel exactly when a non-mobile centre kind
    offers it; the mobile channel exactly when mobile centres do; unique field
    names and document codes; options on choice fields only; bounds in order.
    """
    errors: list[tuple[str, str]] = []
    channels, kinds = set(service.channels), set(service.centre_kinds)
    if not channels:
        errors.append(("channels", "channels_missing"))
    if bool(channels & ONLINE_CHANNELS) is not service.online:
        errors.append(("online", "online_mismatch"))
    if (Channel.CENTRE in channels) is not bool(kinds - {CentreKind.MOBILE}):
        errors.append(("channels", "centre_channel_mismatch"))
    if (Channel.MOBILE_CENTRE in channels) is not (CentreKind.MOBILE in kinds):
        errors.append(("channels", "mobile_channel_mismatch"))
    if not 1 <= service.sla_days <= 365:
        errors.append(("sla_days", "out_of_range"))
    seen: set[str] = set()
    for i, f in enumerate(service.fields):
        if f.name in seen:
            errors.append((f"fields.{i}.name", "duplicate"))
        seen.add(f.name)
        choice = f.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)
        if choice and len(f.option_codes) < 2:
            errors.append((f"fields.{i}.options", "options_missing"))
        elif choice and len(f.option_codes) != len(f.options):
            errors.append((f"fields.{i}.options", "duplicate"))
        elif not choice and f.options:
            errors.append((f"fields.{i}.options", "options_not_allowed"))
        if f.min_value is not None and f.max_value is not None and f.min_value > f.max_value:
            errors.append((f"fields.{i}.min_value", "minimum_above_maximum"))
    codes: set[str] = set()
    for i, d in enumerate(service.documents):
        if d.code in codes:
            errors.append((f"documents.{i}.code", "duplicate"))
        codes.add(d.code)
    return errors
