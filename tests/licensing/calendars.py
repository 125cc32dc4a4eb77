"""A simple working-day calendar for the tests: Friday–Saturday weekend and a holiday set.

It satisfies licensing's ``WorkingDays`` the way the kernel's Cairo calendar will.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

WEEKEND = frozenset({4, 5})  # Friday, Saturday


class FridaySaturdayWeek:
    def __init__(self, holidays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.holidays

    def add(self, start: date, days: int) -> date:
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        while days:
            current += timedelta(days=1)
            if self.is_working_day(current):
                days -= 1
        return current

    def between(self, a: date, b: date) -> int:
        count, current = 0, a
        while current < b:
            current += timedelta(days=1)
            count += self.is_working_day(current)
        return count
