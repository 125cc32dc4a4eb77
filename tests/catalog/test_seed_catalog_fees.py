"""Seeded fee schedules: coherent with the services, no overlaps, overrides that apply."""

from __future__ import annotations

from datetime import date

import pytest

from catalog_service.domain.catalogue import FieldKind
from catalog_service.domain.fees import FeeRule, find_overlaps, quote, schedule_for
from catalog_service.seed import NATIONAL_FEES_FROM, load_fee_schedules, load_services


def test_seeded_schedules_never_overlap() -> None:
    assert find_overlaps(load_fee_schedules()) == []


def test_every_service_has_a_national_default_in_effect() -> None:
    schedules = load_fee_schedules()
    for s in load_services():
        found = schedule_for(schedules, s.code, None, date(2025, 1, 1))
        assert found is not None, s.code
        assert found.governorate_code is None, s.code
        assert found.effective_from == NATIONAL_FEES_FROM or s.code == "BLD-002"


def test_some_services_are_free_and_most_are_not() -> None:
    national = [s for s in load_fee_schedules() if s.governorate_code is None]
    free = sum(s.free for s in national)
    assert free >= 15
    assert len(national) - free >= 130


def test_rated_items_read_numeric_fields_of_their_service() -> None:
    fields = {s.code: {f.name: f for f in s.fields} for s in load_services()}
    for schedule in load_fee_schedules():
        assert schedule.service_code in fields
        for item in schedule.items:
            for name in item.inputs:
                field = fields[schedule.service_code].get(name)
                assert field is not None, (schedule.service_code, name)
                assert field.kind in (FieldKind.NUMBER, FieldKind.AREA_M2)
                assert field.required, (schedule.service_code, name)
            if item.rule is FeeRule.PER_M2:
                assert fields[schedule.service_code][item.inputs[0]].kind is FieldKind.AREA_M2


def test_overrides_cover_known_governorates() -> None:
    overrides = {s.governorate_code for s in load_fee_schedules() if s.governorate_code}
    assert len(overrides) >= 5
    assert all(len(code) == 2 for code in overrides)


@pytest.mark.parametrize(
    ("governorate", "on", "total"),
    [
        ("28", date(2024, 1, 1), 75000 + 1000 * 200 + 2000 + 300),  # old national schedule
        ("28", date(2025, 1, 1), 100000 + 1000 * 300 + 2000 + 300),  # Aswan: national
        ("21", date(2025, 1, 1), 100000 + 1000 * 400 + 2000 + 300),  # Giza 2024/25
        ("21", date(2025, 8, 1), 120000 + 1000 * 450 + 2000 + 300),  # Giza 2025/26
        ("01", date(2025, 1, 1), 120000 + 1000 * 500 + 2000 + 300),  # Cairo
    ],
)
def test_building_permit_fee_depends_on_governorate_and_date(
    governorate: str, on: date, total: int
) -> None:
    schedule = schedule_for(load_fee_schedules(), "BLD-002", governorate, on)
    assert schedule is not None
    assert quote(schedule, {"built_area": 1000}).total == total


def test_a_governorate_can_waive_a_fee_for_a_period() -> None:
    schedules = load_fee_schedules()
    inputs = {"tent_area": 100, "event_days": 3}
    aswan = schedule_for(schedules, "ROD-004", "28", date(2025, 1, 1))
    assert aswan is not None
    assert quote(aswan, inputs).total == 0
    later = schedule_for(schedules, "ROD-004", "28", date(2026, 7, 1))
    assert later is not None
    assert quote(later, inputs).total == 100 * 3 * 500 + 2000
