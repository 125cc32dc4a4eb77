"""Egypt's public holidays: the seed of the ``holidays`` table.

Fixed holidays are certain. Movable ones follow the Coptic or the Hijri calendar
and are announced shortly before; the dates below are the expected ones and are
marked ``approximate`` until the government announces them (edit the table
through the holidays API then). Egypt sometimes moves a holiday to a Thursday;
that too is entered in the table, not computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name_ar: str
    name_en: str
    approximate: bool = False


_FIXED = (
    (1, 7, "عيد الميلاد المجيد", "Coptic Christmas"),
    (1, 25, "عيد ثورة 25 يناير وعيد الشرطة", "January 25 Revolution and Police Day"),
    (4, 25, "عيد تحرير سيناء", "Sinai Liberation Day"),
    (5, 1, "عيد العمال", "Labour Day"),
    (6, 30, "ذكرى ثورة 30 يونيو", "June 30 Revolution"),
    (7, 23, "عيد ثورة 23 يوليو", "July 23 Revolution"),
    (10, 6, "عيد القوات المسلحة", "Armed Forces Day"),
)

_MOVABLE_2026 = (
    (date(2026, 3, 20), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 21), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 22), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 4, 13), "شم النسيم", "Sham El-Nessim"),
    (date(2026, 5, 26), "وقفة عرفات", "Arafat Day"),
    (date(2026, 5, 27), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 28), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 29), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 6, 16), "رأس السنة الهجرية", "Islamic New Year"),
    (date(2026, 8, 26), "المولد النبوي الشريف", "Prophet's Birthday (Mawlid)"),
)

EGYPT_PUBLIC_HOLIDAYS: tuple[Holiday, ...] = tuple(
    sorted(
        [
            Holiday(date(year, month, day), ar, en)
            for year in (2026, 2027)
            for month, day, ar, en in _FIXED
        ]
        + [Holiday(day, ar, en, approximate=True) for day, ar, en in _MOVABLE_2026],
        key=lambda h: h.day,
    )
)
