"""Governorate codes (national-ID digits 8–9) and jurisdiction codes (hyphen paths)."""

from __future__ import annotations

import re

NATION = "EG"

# Code → (English, Arabic), from shared/domain/egypt.md.
GOVERNORATES: dict[str, tuple[str, str]] = {
    "01": ("Cairo", "القاهرة"),
    "02": ("Alexandria", "الإسكندرية"),
    "03": ("Port Said", "بورسعيد"),
    "04": ("Suez", "السويس"),
    "11": ("Damietta", "دمياط"),
    "12": ("Dakahlia", "الدقهلية"),
    "13": ("Sharqia", "الشرقية"),
    "14": ("Qalyubia", "القليوبية"),
    "15": ("Kafr El Sheikh", "كفر الشيخ"),
    "16": ("Gharbia", "الغربية"),
    "17": ("Monufia", "المنوفية"),
    "18": ("Beheira", "البحيرة"),
    "19": ("Ismailia", "الإسماعيلية"),
    "21": ("Giza", "الجيزة"),
    "22": ("Beni Suef", "بني سويف"),
    "23": ("Fayoum", "الفيوم"),
    "24": ("Minya", "المنيا"),
    "25": ("Asyut", "أسيوط"),
    "26": ("Sohag", "سوهاج"),
    "27": ("Qena", "قنا"),
    "28": ("Aswan", "أسوان"),
    "29": ("Luxor", "الأقصر"),
    "31": ("Red Sea", "البحر الأحمر"),
    "32": ("New Valley", "الوادي الجديد"),
    "33": ("Matrouh", "مطروح"),
    "34": ("North Sinai", "شمال سيناء"),
    "35": ("South Sinai", "جنوب سيناء"),
}
BORN_ABROAD = "88"  # a national-ID birthplace code, not a place anyone administers
NATIONAL_ID_GOVERNORATES = frozenset(GOVERNORATES) | {BORN_ABROAD}

# EG; governorate 21; markaz/city/district 21-03; centres 21-03-F01, 21-H01, 21-M02, 21-L01.
_JURISDICTION = re.compile(r"^(?P<gov>\d{2})(?:-\d{2})?(?:-[FHML]\d{2})?$")


def jurisdiction_problem(code: str) -> str | None:
    """What is wrong with a jurisdiction code (a message code), or None when it is valid."""
    if code == NATION:
        return None
    match = _JURISDICTION.match(code)
    if match is None:
        return "jurisdiction_format"
    if match.group("gov") not in GOVERNORATES:
        return "unknown_governorate"
    return None
