"""Technology centres, their opening hours and the stops of mobile centres."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum, StrEnum

from mahaliyat.clock import CAIRO


class CentreKind(StrEnum):
    FIXED = "fixed"  # city/district centre
    GOVERNORATE_HQ = "governorate_hq"
    MOBILE = "mobile"  # a vehicle
    LICENSING = "licensing"  # building and shop licensing (Law 119/2008, Law 154/2019)


class Weekday(IntEnum):
    """ISO weekday numbers, as ``date.isoweekday()`` returns them."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


WORKING_DAYS: tuple[Weekday, ...] = (
    Weekday.SUNDAY,
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening period on one weekday, in Cairo local time."""

    weekday: Weekday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class Centre:
    code: str
    kind: CentreKind
    governorate_code: str
    subdivision_code: str | None  # None for mobile and governorate-level centres
    name_ar: str
    name_en: str
    address_ar: str
    address_en: str
    phone: str
    hours: tuple[OpeningHours, ...]
    latitude: float | None = None
    longitude: float | None = None
    vehicle_plate: str | None = None  # mobile centres only
    active: bool = True

    @property
    def jurisdiction(self) -> str:
        """The narrowest geography code the centre belongs to."""
        return self.subdivision_code or self.governorate_code


@dataclass(frozen=True, slots=True)
class MobileStop:
    centre_code: str
    on: date
    opens: time
    closes: time
    subdivision_code: str
    place_ar: str
    place_en: str


def standard_hours(
    opens: time = time(9, 0), closes: time = time(15, 0)
) -> tuple[OpeningHours, ...]:
    """Sunday to Thursday, the government working week."""
    return tuple(OpeningHours(day, opens, closes) for day in WORKING_DAYS)


def is_open(hours: Iterable[OpeningHours], moment: datetime) -> bool:
    """Whether a centre with ``hours`` is open at an aware ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(CAIRO)
    day, clock = local.isoweekday(), local.time()
    return any(h.weekday == day and h.opens <= clock < h.closes for h in hours)


def stops_between(
    stops: Iterable[MobileStop],
    start: date,
    end: date,
    subdivision_code: str | None = None,
) -> list[MobileStop]:
    """Stops on days in [start, end), optionally only in one subdivision, by date."""
    chosen = [
        s
        for s in stops
        if start <= s.on < end
        and (subdivision_code is None or s.subdivision_code == subdivision_code)
    ]
    return sorted(chosen, key=lambda s: (s.on, s.opens, s.centre_code))
