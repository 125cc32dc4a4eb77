"""Fee schedules and quotes: what is answered, what is asked, what an administrator sends."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog_service.domain.fees import FeeRule
from catalog_service.schemas.common import Bilingual, BilingualIn, Integer, QueryModel, Slug


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


class FeesQuery(QueryModel):
    governorate: str | None = Field(
        default=None, description="its override if any, else the national default", examples=["21"]
    )
    on: str | None = Field(default=None, description="YYYY-MM-DD; default: today in Cairo")


class ScheduleHistoryQuery(QueryModel):
    governorate: str | None = Field(
        default=None, description="only its overrides and the national schedules"
    )


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
