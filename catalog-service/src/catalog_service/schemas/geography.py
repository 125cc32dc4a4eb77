"""Governorates and their subdivisions (markaz, cities, districts)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from catalog_service.domain.geography import SubdivisionKind
from catalog_service.schemas.common import Bilingual


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
