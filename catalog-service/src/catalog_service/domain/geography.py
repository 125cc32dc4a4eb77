"""Administrative geography: governorates and their markaz/cities/districts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubdivisionKind(StrEnum):
    MARKAZ = "markaz"  # مركز ومدينة: a rural markaz with its town
    CITY = "city"  # مدينة
    DISTRICT = "district"  # حي
    NEW_CITY = "new_city"  # مدينة جديدة (New Urban Communities)
    QISM = "qism"  # قسم


@dataclass(frozen=True, slots=True)
class Governorate:
    code: str  # the national-ID code, "01" … "35"
    name_ar: str
    name_en: str
    capital_ar: str
    capital_en: str
    population: int  # approximate, 2023, for spreading demo centres
    phone_area_code: str  # "02", "045", …
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Subdivision:
    code: str  # "<governorate>-<seq>", e.g. "21-03"
    governorate_code: str
    kind: SubdivisionKind
    name_ar: str
    name_en: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def label_ar(self) -> str:
        """The name as Egyptians write it on a signboard: «حي الدقي», «مركز إدفو»."""
        prefix = _PREFIX_AR[self.kind]
        return f"{prefix} {self.name_ar}" if prefix else self.name_ar

    @property
    def label_en(self) -> str:
        suffix = _SUFFIX_EN[self.kind]
        return f"{self.name_en} {suffix}" if suffix else self.name_en


_PREFIX_AR = {
    SubdivisionKind.MARKAZ: "مركز",
    SubdivisionKind.CITY: "مدينة",
    SubdivisionKind.DISTRICT: "حي",
    SubdivisionKind.NEW_CITY: "مدينة",
    SubdivisionKind.QISM: "قسم",
}
_SUFFIX_EN = {
    SubdivisionKind.MARKAZ: "Markaz",
    SubdivisionKind.CITY: "City",
    SubdivisionKind.DISTRICT: "District",
    SubdivisionKind.NEW_CITY: "",
    SubdivisionKind.QISM: "Qism",
}
