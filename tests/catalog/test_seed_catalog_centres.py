"""Demo technology centres and mobile schedules at the ministry's scale."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from catalog_service.domain.centres import WORKING_DAYS, Centre, CentreKind, MobileStop
from catalog_service.domain.codes import covers
from catalog_service.domain.geography import SubdivisionKind
from catalog_service.seed import (
    generate_centres,
    load_centres,
    load_governorates,
    load_subdivisions,
    mobile_schedule,
    mobile_schedules,
)
from catalog_service.seed.centres import apportion


def by_kind(kind: CentreKind) -> list[Centre]:
    return [c for c in load_centres() if c.kind is kind]


def test_counts_match_the_ministrys_figures() -> None:
    counts = Counter(c.kind for c in load_centres())
    assert counts[CentreKind.FIXED] == 300
    assert counts[CentreKind.GOVERNORATE_HQ] == 19
    assert counts[CentreKind.MOBILE] == 42
    assert counts[CentreKind.LICENSING] >= 27


def test_codes_are_unique_well_formed_and_inside_their_jurisdiction() -> None:
    subdivisions = {s.code: s for s in load_subdivisions()}
    centres = load_centres()
    assert len({c.code for c in centres}) == len(centres)
    patterns = {
        CentreKind.FIXED: r"\d{2}-\d{2}-F\d{2}",
        CentreKind.GOVERNORATE_HQ: r"\d{2}-H01",
        CentreKind.MOBILE: r"\d{2}-M\d{2}",
        CentreKind.LICENSING: r"\d{2}(-\d{2})?-L\d{2}",
    }
    for c in centres:
        assert re.fullmatch(patterns[c.kind], c.code), c.code
        assert covers(c.governorate_code, c.code), c.code
        assert covers("EG", c.code)
        if c.subdivision_code is not None:
            assert covers(c.subdivision_code, c.code), c.code
            assert subdivisions[c.subdivision_code].governorate_code == c.governorate_code
        assert c.jurisdiction in (c.subdivision_code, c.governorate_code)


def test_fixed_centres_serve_every_markaz_city_and_district() -> None:
    served = {c.subdivision_code for c in by_kind(CentreKind.FIXED)}
    for s in load_subdivisions():
        assert (s.code in served) is (s.kind is not SubdivisionKind.NEW_CITY), s.code


def test_fixed_centres_follow_population() -> None:
    per_gov = Counter(c.governorate_code for c in by_kind(CentreKind.FIXED))
    assert per_gov["01"] > per_gov["28"] > per_gov["35"] - 3
    assert per_gov.most_common(1)[0][0] == "01"


def test_hq_centres_are_in_the_19_most_populous_governorates() -> None:
    ranked = sorted(load_governorates(), key=lambda g: -g.population)
    assert {c.governorate_code for c in by_kind(CentreKind.GOVERNORATE_HQ)} == {
        g.code for g in ranked[:19]
    }


def test_every_governorate_has_a_mobile_and_a_licensing_centre() -> None:
    codes = {g.code for g in load_governorates()}
    assert {c.governorate_code for c in by_kind(CentreKind.MOBILE)} == codes
    assert {c.governorate_code for c in by_kind(CentreKind.LICENSING)} == codes


def test_centre_details() -> None:
    for c in load_centres():
        assert re.search("[\u0600-\u06ff]", c.name_ar)
        assert c.name_en.isascii()
        assert re.fullmatch(r"\+20\d{8,10}", c.phone), c.phone
        assert {h.weekday for h in c.hours} == set(WORKING_DAYS)
        assert all(h.opens < h.closes for h in c.hours)
        assert (c.vehicle_plate is not None) is (c.kind is CentreKind.MOBILE)
    plates = [c.vehicle_plate for c in by_kind(CentreKind.MOBILE)]
    assert len(set(plates)) == 42
    assert all(re.fullmatch(r"(\S )\S \S \d{4}", p or "") for p in plates)
    assert len({c.name_ar for c in load_centres()}) == len(load_centres())


def test_generation_is_deterministic() -> None:
    again = generate_centres(load_governorates(), load_subdivisions())
    assert again == load_centres()


def test_apportion_is_exact_and_proportional() -> None:
    shares = apportion(10, {"a": 5, "b": 3, "c": 2})
    assert shares == {"a": 5, "b": 3, "c": 2}
    shares = apportion(7, {"a": 1, "b": 1, "c": 1})
    assert sum(shares.values()) == 7
    assert shares == {"a": 3, "b": 2, "c": 2}
    with pytest.raises(ValueError, match="weights"):
        apportion(3, {"a": 0})


class TestMobileSchedule:
    friday = date(2025, 3, 7)
    vehicle = next(c for c in load_centres() if c.code == "26-M01")  # Sohag

    def stops(self, today: date, days: int = 14) -> list[MobileStop]:
        return list(mobile_schedule(self.vehicle, load_subdivisions(), today, days))

    def test_stops_on_working_days_only_within_the_window(self) -> None:
        stops = self.stops(self.friday)
        assert len(stops) == 10  # two working weeks
        assert stops[0].on == date(2025, 3, 9)  # the Sunday after
        assert all(s.on.isoweekday() in WORKING_DAYS for s in stops)
        assert all(self.friday <= s.on < self.friday + timedelta(days=14) for s in stops)

    def test_stops_are_in_the_vehicles_governorate(self) -> None:
        subdivisions = {s.code: s for s in load_subdivisions()}
        for stop in self.stops(self.friday):
            assert subdivisions[stop.subdivision_code].governorate_code == "26"
            assert subdivisions[stop.subdivision_code].name_ar in stop.place_ar
            assert stop.opens < stop.closes

    def test_windows_computed_on_different_days_agree(self) -> None:
        first = {s.on: s for s in self.stops(self.friday)}
        later = {s.on: s for s in self.stops(self.friday + timedelta(days=4))}
        shared = first.keys() & later.keys()
        assert len(shared) >= 6
        assert all(first[d] == later[d] for d in shared)

    def test_it_moves_around(self) -> None:
        assert len({s.subdivision_code for s in self.stops(self.friday)}) >= 5

    def test_two_vehicles_of_a_governorate_never_share_a_day_and_place(self) -> None:
        stops = mobile_schedules(self.friday)
        assert len({s.centre_code for s in stops}) == 42
        places = Counter((s.on, s.subdivision_code) for s in stops)
        assert max(places.values()) == 1

    def test_only_mobile_centres_have_schedules(self) -> None:
        fixed = by_kind(CentreKind.FIXED)[0]
        with pytest.raises(ValueError, match="not a mobile centre"):
            mobile_schedule(fixed, load_subdivisions(), self.friday)
