"""Request and response models: the shapes of docs/contracts.md (bilingual objects are ``{ar, en}``).

Responses may grow fields; none is removed or retyped without a new version.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from catalog_service.domain.catalogue import Channel, FieldKind
from catalog_service.domain.centres import CentreKind
from catalog_service.domain.fees import FeeRule
from catalog_service.domain.geography import SubdivisionKind
from catalog_service.domain.personal_numbers import ascii_digits
from mahaliyat.web.pagination import limit_field, offset_field


def _latin_digits(value: object) -> object:
    return ascii_digits(value.strip()) if isinstance(value, str) else value


# An integer as people type it: Arabic-Indic digits read (``?limit=١٠`` is 10). Use it for
# every integer query or path parameter (ARCHITECTURE rule 6).
Integer = Annotated[int, BeforeValidator(_latin_digits)]


class Bilingual(BaseModel):
    ar: str
    en: str


class CodeName(BaseModel):
    code: str
    name: Bilingual


# --- geography ------------------------------------------------------------------------


class GovernorateOut(BaseModel):
    code: str = Field(examples=["21"], description="the governorate's national-ID code")
    name: Bilingual
    capital: Bilingual
    phone_area_code: str
    latitude: float
    longitude: float
    subdivisions: int = Field(description="how many markaz/cities/districts it has")


class SubdivisionOut(BaseModel):
    code: str = Field(examples=["21-03"])
    governorate: str
    kind: SubdivisionKind
    name: Bilingual
    label: Bilingual = Field(description="the name as written on a signboard: «حي الدقي»")
    latitude: float | None
    longitude: float | None


# --- catalogue ------------------------------------------------------------------------


class CategoryOut(BaseModel):
    code: str
    name: Bilingual
    order: int
    services: int = Field(description="active services in the category")
    online_services: int


class Step(BaseModel):
    order: int
    text: Bilingual


class DocumentOut(BaseModel):
    code: str
    name: Bilingual
    required: bool


class OptionOut(BaseModel):
    code: str
    name: Bilingual


class FormFieldOut(BaseModel):
    name: str
    kind: FieldKind
    label: Bilingual
    required: bool
    min_value: float | None
    max_value: float | None
    max_length: int | None
    options: list[OptionOut]


class FeeItemOut(BaseModel):
    code: str
    name: Bilingual
    rule: FeeRule
    amount_piasters: int = Field(description="fixed items")
    rate_piasters: int = Field(description="rated items: piasters per m² or per unit")
    inputs: list[str] = Field(description="form fields multiplied into the quantity")
    minimum_piasters: int | None
    maximum_piasters: int | None


class Fees(BaseModel):
    governorate: str | None = Field(description="asked for; null: the national default")
    on: date
    source: Literal["governorate", "national", "none"]
    effective_from: date | None
    effective_to: date | None
    items: list[FeeItemOut]


class Keywords(BaseModel):
    ar: list[str]
    en: list[str]


class ServiceSummary(BaseModel):
    code: str = Field(examples=["BLD-002"])
    name: Bilingual
    category: CodeName
    department: CodeName
    active: bool
    online: bool
    sla_days: int = Field(description="working days, Friday–Saturday weekend")
    channels: list[Channel]
    centre_kinds: list[CentreKind]


class ServiceDetail(ServiceSummary):
    description: Bilingual
    steps: list[Step]
    documents: list[DocumentOut]
    fields: list[FormFieldOut]
    keywords: Keywords
    fees: Fees


class ServicePage(BaseModel):
    items: list[ServiceSummary]
    total: int
    limit: int
    offset: int


class SearchHitOut(BaseModel):
    code: str
    name: Bilingual
    category: CodeName
    online: bool
    score: float


class SearchResults(BaseModel):
    query: str
    total: int
    items: list[SearchHitOut]


# --- fees -----------------------------------------------------------------------------


class FeeScheduleOut(BaseModel):
    id: uuid.UUID
    service_code: str
    governorate: str | None = Field(description="null: the national default")
    effective_from: date
    effective_to: date | None
    items: list[FeeItemOut]
    created_at: datetime
    closed_at: datetime | None
    withdrawn_at: datetime | None = Field(
        default=None, description="set when withdrawn before its first day; it never applied"
    )


class FeeScheduleList(BaseModel):
    service_code: str
    items: list[FeeScheduleOut]


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    governorate: str | None = Field(default=None, examples=["21"], description="null: national")
    on: str | None = Field(default=None, examples=["2026-11-24"], description="default: today")
    inputs: dict[str, Any] = Field(default_factory=dict, examples=[{"built_area": 120}])


class QuoteLineOut(BaseModel):
    item_code: str
    name: Bilingual
    quantity: str = Field(description="decimal; 1 for fixed items")
    amount_piasters: int


class QuoteOut(BaseModel):
    service_code: str
    governorate: str | None
    on: date
    source: Literal["governorate", "national", "none"]
    effective_from: date | None
    lines: list[QuoteLineOut]
    total_piasters: int


# --- centres --------------------------------------------------------------------------


class OpeningHoursOut(BaseModel):
    weekday: int = Field(description="ISO weekday: 1 Monday … 7 Sunday")
    opens: str = Field(examples=["09:00"])
    closes: str = Field(examples=["15:00"])


class CentreOut(BaseModel):
    code: str = Field(examples=["21-03-F01"])
    kind: CentreKind
    governorate: str
    subdivision: str | None
    jurisdiction: str
    name: Bilingual
    address: Bilingual
    phone: str
    active: bool
    hours: list[OpeningHoursOut]
    latitude: float | None
    longitude: float | None
    vehicle_plate: str | None
    page_url: str
    qr_svg_url: str
    qr_png_url: str


class CentrePage(BaseModel):
    items: list[CentreOut]
    total: int
    limit: int
    offset: int


class CentreRef(BaseModel):
    code: str
    name: Bilingual


class MobileStopOut(BaseModel):
    centre: CentreRef
    on: date
    opens: str
    closes: str
    subdivision: CodeName
    place: Bilingual


class MobileStops(BaseModel):
    start: date = Field(alias="from", serialization_alias="from")
    end: date = Field(alias="to", serialization_alias="to", description="exclusive")
    items: list[MobileStopOut]

    model_config = ConfigDict(populate_by_name=True)


# --- query parameters (validated as one model: see api/params.py) ---

# Lists are sliced from the in-memory snapshot and cached per query: a smaller bound than the
# kernel's MAX_OFFSET keeps the cache from holding pages nobody reaches.
CATALOG_MAX_OFFSET = 10_000


class QueryModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class ServiceQuery(QueryModel):
    category: str | None = Field(default=None, description="category code, e.g. BLD")
    channel: Channel | None = None
    online: bool | None = None
    centre: str | None = Field(default=None, description="only what this centre offers")
    governorate: str | None = Field(
        default=None, description="only what its centres offer, or online"
    )
    include_retired: bool = False
    limit: Integer = limit_field(50, 200)
    offset: Integer = offset_field(CATALOG_MAX_OFFSET)


class FeesQuery(QueryModel):
    governorate: str | None = Field(
        default=None, description="its override if any, else the national default", examples=["21"]
    )
    on: str | None = Field(default=None, description="YYYY-MM-DD; default: today in Cairo")


class ScheduleHistoryQuery(QueryModel):
    governorate: str | None = Field(
        default=None, description="only its overrides and the national schedules"
    )


class SearchQuery(QueryModel):
    q: str = Field(max_length=200, examples=["رخصه بنا", "shop licence"])
    limit: Integer = limit_field(20, 50)


class CentreQuery(QueryModel):
    governorate: str | None = Field(default=None, examples=["21"])
    subdivision: str | None = Field(
        default=None, description="markaz/city/district code", examples=["21-03"]
    )
    kind: CentreKind | None = None
    service: str | None = Field(default=None, description="only centres offering this service")
    include_inactive: bool = False
    limit: Integer = limit_field(50, 500)
    offset: Integer = offset_field(CATALOG_MAX_OFFSET)


class ScheduleQuery(QueryModel):
    start: str | None = Field(
        default=None, alias="from", description="YYYY-MM-DD; default: today in Cairo"
    )
    days: Integer = Field(default=14, ge=1, le=31)


class StopsQuery(QueryModel):
    subdivision: str | None = Field(default=None, examples=["21-03"])
    governorate: str | None = Field(default=None, examples=["21"])
    start: str | None = Field(
        default=None, alias="from", description="YYYY-MM-DD; default: today in Cairo"
    )
    days: Integer = Field(default=7, ge=1, le=31, description="this week: the next 7 days")


class PageQuery(QueryModel):
    lang: Literal["ar", "en"] | None = Field(
        default=None, description="page language; default from Accept-Language, else Arabic"
    )


# --- admin input ----------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,59}$")]


class BilingualIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ar: Text
    en: Text


class LongBilingualIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ar: LongText
    en: LongText


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: LongBilingualIn


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Slug
    name: BilingualIn
    required: bool = True


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Slug
    name: BilingualIn


class FormFieldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Slug
    kind: FieldKind
    label: BilingualIn
    required: bool = True
    min_value: float | None = None
    max_value: float | None = None
    max_length: Integer | None = Field(default=None, ge=1, le=10_000)
    options: list[OptionIn] = Field(default_factory=list, max_length=100)


class KeywordsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ar: list[Text] = Field(default_factory=list, max_length=50)
    en: list[Text] = Field(default_factory=list, max_length=50)


class ServiceDefinitionIn(BaseModel):
    """A whole service definition (``PUT`` replaces every part)."""

    model_config = ConfigDict(extra="forbid")
    name: BilingualIn
    description: LongBilingualIn
    category: str = Field(description="category code", examples=["BLD"])
    department: str = Field(description="department code", examples=["planning"])
    sla_days: Integer = Field(ge=1, le=365)
    online: bool
    channels: list[Channel] = Field(min_length=1, max_length=5)
    centre_kinds: list[CentreKind] = Field(default_factory=list, max_length=4)
    steps: list[StepIn] = Field(min_length=1, max_length=40)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=60)
    fields: list[FormFieldIn] = Field(min_length=1, max_length=80)
    keywords: KeywordsIn = Field(default_factory=KeywordsIn)


class ServiceCreate(ServiceDefinitionIn):
    code: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{3}-\d{3}$")
    ] = Field(examples=["BLD-030"])


class FeeItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Slug
    name: BilingualIn
    rule: FeeRule
    amount_piasters: Integer = 0
    rate_piasters: Integer = 0
    inputs: list[Slug] = Field(default_factory=list, max_length=5)
    minimum_piasters: Integer | None = None
    maximum_piasters: Integer | None = None


class FeeScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    governorate: str | None = Field(description="null: the national default", examples=["21"])
    effective_from: str = Field(examples=["2026-12-01"])
    effective_to: str | None = Field(default=None, description="exclusive; null: open-ended")
    items: list[FeeItemIn] = Field(max_length=30, description="empty: the service is free")


class FeeScheduleClose(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_to: str = Field(description="the first day it no longer applies")


class OpeningHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekday: Integer = Field(ge=1, le=7)
    opens: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["09:00"])
    closes: str = Field(pattern=r"^\d{2}:\d{2}$", examples=["15:00"])


class CentreCreate(BaseModel):
    """A new technology centre; its code says its governorate (and subdivision) and its kind:
    ``21-03-F04`` fixed, ``21-H01`` governorate HQ, ``21-M03`` mobile, ``21-L02`` or
    ``21-03-L01`` licensing."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(examples=["21-03-F04"], max_length=20)
    kind: CentreKind
    name: BilingualIn
    address: BilingualIn
    phone: str = Field(examples=["+20233456789"], max_length=40)
    hours: list[OpeningHoursIn] = Field(min_length=1, max_length=21)
    active: bool = True
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    vehicle_plate: str | None = Field(default=None, max_length=40, description="mobile centres")


class StopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: str = Field(examples=["2026-12-06"], description="YYYY-MM-DD; one stop a day")
    opens: str = Field(examples=["09:00"], max_length=5)
    closes: str = Field(examples=["14:00"], max_length=5)
    subdivision: str = Field(
        examples=["21-03"], max_length=5, description="a markaz/city/district of its governorate"
    )
    place: BilingualIn


class ScheduleReplace(BaseModel):
    """Every stop of a mobile centre on the days [from, to); days left out have no stop."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: str = Field(alias="from", examples=["2026-12-06"], description="today or later")
    end: str = Field(alias="to", examples=["2026-12-20"], description="exclusive")
    stops: list[StopIn] = Field(max_length=92)


class CentreUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")
    name: BilingualIn | None = None
    address: BilingualIn | None = None
    phone: str | None = Field(default=None, examples=["+20233456789"])
    hours: list[OpeningHoursIn] | None = Field(default=None, max_length=21)
    active: bool | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    vehicle_plate: str | None = Field(default=None, max_length=40)
