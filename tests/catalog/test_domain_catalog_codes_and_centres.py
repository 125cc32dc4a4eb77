"""The jurisdiction code scheme, opening hours and mobile stops (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from catalog_service.domain.centres import MobileStop, is_open, standard_hours, stops_between
from catalog_service.domain.codes import (
    covers,
    fixed_centre_code,
    governorate_of,
    hq_centre_code,
    is_centre_code,
    is_subdivision_code,
    licensing_centre_code,
    mobile_centre_code,
    subdivision_code,
)


@pytest.mark.parametrize(
    ("scope", "code", "expected"),
    [
        ("EG", "21-03-F01", True),
        ("21", "21", True),
        ("21", "21-03", True),
        ("21", "21-03-F01", True),
        ("21-03", "21-03-F01", True),
        ("21-03", "21-03-L01", True),
        ("21", "21-H01", True),
        ("21-03", "21-H01", False),
        ("21", "01-03-F01", False),
        ("2", "21-03", False),  # not a hyphen prefix
        ("21-0", "21-03", False),
        ("21-03-F01", "21-03", False),
    ],
)
def test_covers(scope: str, code: str, expected: bool) -> None:
    assert covers(scope, code) is expected


def test_code_constructors_follow_the_scheme() -> None:
    sub = subdivision_code("21", 3)
    assert sub == "21-03"
    assert fixed_centre_code(sub, 1) == "21-03-F01"
    assert hq_centre_code("21") == "21-H01"
    assert mobile_centre_code("21", 2) == "21-M02"
    assert licensing_centre_code(sub, 1) == "21-03-L01"
    assert licensing_centre_code("21", 1) == "21-L01"
    assert is_subdivision_code(sub)
    assert all(is_centre_code(c) for c in ("21-03-F01", "21-H01", "21-M02", "21-03-L01", "21-L01"))
    assert not is_centre_code("21-03")


@pytest.mark.parametrize("seq", [0, 100, -1])
def test_sequence_out_of_range(seq: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        subdivision_code("21", seq)


def test_governorate_of() -> None:
    assert governorate_of("21-03-F01") == "21"
    assert governorate_of("01") == "01"
    with pytest.raises(ValueError, match="governorate"):
        governorate_of("EG")


class TestOpeningHours:
    hours = standard_hours()  # Sunday–Thursday 09:00–15:00 Cairo

    def test_open_on_a_working_morning(self) -> None:
        # 5 January 2025 is a Sunday; Cairo is UTC+2 in winter.
        assert is_open(self.hours, datetime(2025, 1, 5, 7, 30, tzinfo=UTC))  # 09:30 Cairo
        assert not is_open(self.hours, datetime(2025, 1, 5, 6, 30, tzinfo=UTC))  # 08:30 Cairo

    def test_closing_time_is_exclusive(self) -> None:
        assert not is_open(self.hours, datetime(2025, 1, 5, 13, 0, tzinfo=UTC))  # 15:00 Cairo

    def test_closed_at_the_weekend(self) -> None:
        friday, saturday = (
            datetime(2025, 1, 3, 8, 0, tzinfo=UTC),
            datetime(2025, 1, 4, 8, 0, tzinfo=UTC),
        )
        assert not is_open(self.hours, friday)
        assert not is_open(self.hours, saturday)

    def test_summer_time_is_respected(self) -> None:
        # 6 July 2025 is a Sunday; Cairo is UTC+3 in summer: 06:30 UTC = 09:30.
        assert is_open(self.hours, datetime(2025, 7, 6, 6, 30, tzinfo=UTC))

    def test_naive_moment_is_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            is_open(self.hours, datetime(2025, 1, 5, 10, 0))


def test_stops_between_filters_by_window_and_subdivision() -> None:
    def stop(day: int, sub: str, centre: str = "21-M01") -> MobileStop:
        return MobileStop(centre, date(2025, 3, day), time(9), time(14), sub, "س", "x")

    stops = [stop(9, "21-03"), stop(2, "21-03"), stop(3, "21-04"), stop(2, "21-03", "21-M02")]
    assert [s.on.day for s in stops_between(stops, date(2025, 3, 2), date(2025, 3, 9))] == [2, 2, 3]
    found = stops_between(stops, date(2025, 3, 1), date(2025, 3, 10), "21-03")
    assert [(s.on.day, s.centre_code) for s in found] == [
        (2, "21-M01"),
        (2, "21-M02"),
        (9, "21-M01"),
    ]
