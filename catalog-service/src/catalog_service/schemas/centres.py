"""Technology centres, their opening hours and the mobile centres' stops."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from catalog_service.domain.centres import CentreKind
from catalog_service.schemas.common import (
    CATALOG_MAX_OFFSET,
    Bilingual,
    BilingualIn,
    CodeName,
    Integer,
    QueryModel,
)
from mahaliyat.web.pagination import limit_field, offset_field


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
