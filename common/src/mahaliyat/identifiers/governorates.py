"""Egypt's 27 governorates by their national-ID code (shared/domain/egypt.md), plus 88.

The code is digits 8–9 of a national ID and the first part of every jurisdiction
code (``21`` Giza, ``21-03`` a markaz). ``88`` (born abroad) appears in national IDs
only: no one administers it, so it is not in :data:`GOVERNORATES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Governorate:
    code: str  # two ASCII digits
    name_ar: str
    name_en: str


BORN_ABROAD = Governorate("88", "مواليد الخارج", "born abroad")

GOVERNORATES = MappingProxyType(
    {
        g.code: g
        for g in (
            Governorate("01", "القاهرة", "Cairo"),
            Governorate("02", "الإسكندرية", "Alexandria"),
            Governorate("03", "بورسعيد", "Port Said"),
            Governorate("04", "السويس", "Suez"),
            Governorate("11", "دمياط", "Damietta"),
            Governorate("12", "الدقهلية", "Dakahlia"),
            Governorate("13", "الشرقية", "Sharqia"),
            Governorate("14", "القليوبية", "Qalyubia"),
            Governorate("15", "كفر الشيخ", "Kafr El Sheikh"),
            Governorate("16", "الغربية", "Gharbia"),
            Governorate("17", "المنوفية", "Monufia"),
            Governorate("18", "البحيرة", "Beheira"),
            Governorate("19", "الإسماعيلية", "Ismailia"),
            Governorate("21", "الجيزة", "Giza"),
            Governorate("22", "بني سويف", "Beni Suef"),
            Governorate("23", "الفيوم", "Fayoum"),
            Governorate("24", "المنيا", "Minya"),
            Governorate("25", "أسيوط", "Asyut"),
            Governorate("26", "سوهاج", "Sohag"),
            Governorate("27", "قنا", "Qena"),
            Governorate("28", "أسوان", "Aswan"),
            Governorate("29", "الأقصر", "Luxor"),
            Governorate("31", "البحر الأحمر", "Red Sea"),
            Governorate("32", "الوادي الجديد", "New Valley"),
            Governorate("33", "مطروح", "Matrouh"),
            Governorate("34", "شمال سيناء", "North Sinai"),
            Governorate("35", "جنوب سيناء", "South Sinai"),
        )
    }
)
GOVERNORATE_CODES = frozenset(GOVERNORATES)
# Every code a national ID may carry in digits 8–9.
NATIONAL_ID_GOVERNORATE_CODES = GOVERNORATE_CODES | {BORN_ABROAD.code}
