"""The service catalogue: categories, services, search, and the definitions administrators send."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from catalog_service.domain.catalogue import Channel, FieldKind
from catalog_service.domain.centres import CentreKind
from catalog_service.schemas.common import (
    CATALOG_MAX_OFFSET,
    Bilingual,
    BilingualIn,
    CodeName,
    Integer,
    LongBilingualIn,
    QueryModel,
    Slug,
    Text,
)
from catalog_service.schemas.fees import Fees
from mahaliyat.web.pagination import limit_field, offset_field


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


class SearchQuery(QueryModel):
    q: str = Field(max_length=200, examples=["رخصه بنا", "shop licence"])
    limit: Integer = limit_field(20, 50)


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
