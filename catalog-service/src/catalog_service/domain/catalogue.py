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
