"""Fee schedules: which one applies, overlapping periods, quotes in piasters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from catalog_service.domain.fees import (
    FeeInputError,
    FeeItem,
    FeeRule,
    FeeRuleError,
    FeeSchedule,
    conflicting_schedule,
    find_overlaps,
    quote,
    required_inputs,
    schedule_for,
)

FIXED = FeeItem("issue", "رسم الإصدار", "Issue fee", FeeRule.FIXED, amount=50000)
AREA = FeeItem(
    "area", "رسم المسطحات", "Area fee", FeeRule.PER_M2,
    rate=300, inputs=("built_area",), minimum=20000, maximum=5000000,
)  # fmt: skip
OCCUPANCY = FeeItem(
    "occupancy", "مقابل الإشغال", "Occupancy", FeeRule.PER_UNIT,
    rate=3000, inputs=("occupancy_area", "occupancy_months"), minimum=10000,
)  # fmt: skip


def schedule(
    gov: str | None, start: date, end: date | None = None, *items: FeeItem, service: str = "BLD-002"
) -> FeeSchedule:
    return FeeSchedule(service, gov, start, end, items or (FIXED,))


NATIONAL = schedule(None, date(2024, 7, 1))
GIZA = schedule("21", date(2025, 1, 1), date(2025, 7, 1))


class TestScheduleFor:
    def test_national_default_when_no_override(self) -> None:
        assert schedule_for([NATIONAL, GIZA], "BLD-002", "01", date(2025, 3, 1)) is NATIONAL

    def test_override_wins_while_in_effect(self) -> None:
        assert schedule_for([NATIONAL, GIZA], "BLD-002", "21", date(2025, 3, 1)) is GIZA

    def test_override_start_is_inclusive_and_end_exclusive(self) -> None:
        schedules = [NATIONAL, GIZA]
        assert schedule_for(schedules, "BLD-002", "21", date(2025, 1, 1)) is GIZA
        assert schedule_for(schedules, "BLD-002", "21", date(2024, 12, 31)) is NATIONAL
        assert schedule_for(schedules, "BLD-002", "21", date(2025, 6, 30)) is GIZA
        assert schedule_for(schedules, "BLD-002", "21", date(2025, 7, 1)) is NATIONAL

    def test_override_order_in_the_list_does_not_matter(self) -> None:
        assert schedule_for([GIZA, NATIONAL], "BLD-002", "21", date(2025, 3, 1)) is GIZA

    def test_other_services_and_no_schedule(self) -> None:
        assert schedule_for([NATIONAL, GIZA], "SHP-001", "21", date(2025, 3, 1)) is None
        assert schedule_for([NATIONAL], "BLD-002", "21", date(2024, 6, 30)) is None

    def test_national_lookup_without_governorate(self) -> None:
        assert schedule_for([GIZA, NATIONAL], "BLD-002", None, date(2025, 3, 1)) is NATIONAL


class TestOverlaps:
    def test_open_ended_period_overlaps_a_later_one(self) -> None:
        later = schedule(None, date(2025, 7, 1))
        assert find_overlaps([NATIONAL, later]) == [(NATIONAL, later)]

    def test_adjacent_periods_do_not_overlap(self) -> None:
        first = schedule("21", date(2024, 7, 1), date(2025, 1, 1))
        assert find_overlaps([first, GIZA, NATIONAL]) == []
        assert not first.overlaps(GIZA)
        assert not GIZA.overlaps(first)
        assert conflicting_schedule([first], GIZA) is None

    def test_one_day_of_overlap_is_an_overlap(self) -> None:
        first = schedule("21", date(2024, 7, 1), date(2025, 1, 2))
        assert find_overlaps([first, GIZA]) == [(first, GIZA)]

    def test_different_governorates_or_services_never_overlap(self) -> None:
        cairo = schedule("01", date(2025, 1, 1), date(2025, 7, 1))
        other = schedule("21", date(2025, 1, 1), None, service="SHP-001")
        assert find_overlaps([NATIONAL, GIZA, cairo, other]) == []

    def test_conflicting_schedule_names_the_clash(self) -> None:
        candidate = schedule("21", date(2025, 3, 1))
        assert conflicting_schedule([NATIONAL, GIZA], candidate) is GIZA
        assert conflicting_schedule([NATIONAL, GIZA], schedule("21", date(2025, 7, 1))) is None

    def test_an_identical_stored_schedule_is_not_a_clash_with_itself(self) -> None:
        assert conflicting_schedule([GIZA], GIZA) is None


class TestValidation:
    def test_empty_or_reversed_period(self) -> None:
        with pytest.raises(FeeRuleError) as err:
            schedule("21", date(2025, 1, 1), date(2025, 1, 1))
        assert err.value.field == "effective_to"

    def test_duplicate_item_codes(self) -> None:
        with pytest.raises(FeeRuleError, match="duplicate"):
            FeeSchedule("BLD-002", None, date(2025, 1, 1), None, (FIXED, FIXED))

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"rule": FeeRule.FIXED, "amount": -1}, "amount"),
            ({"rule": FeeRule.FIXED, "amount": 10.5}, "amount"),
            ({"rule": FeeRule.FIXED, "amount": 100, "inputs": ("a",)}, "rule"),
            ({"rule": FeeRule.PER_M2, "rate": 100}, "inputs"),
            ({"rule": FeeRule.PER_M2, "rate": 100, "inputs": ("a", "b")}, "inputs"),
            ({"rule": FeeRule.PER_UNIT, "rate": 1, "inputs": ("a",), "amount": 5}, "amount"),
            (
                {"rule": FeeRule.PER_UNIT, "rate": 1, "inputs": ("a",), "minimum": 9, "maximum": 5},
                "minimum",
            ),
        ],
    )
    def test_invalid_items(self, kwargs: dict[str, object], field: str) -> None:
        with pytest.raises(FeeRuleError) as err:
            FeeItem("x", "س", "x", **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field


class TestQuote:
    def test_fixed_and_per_m2_lines_and_total(self) -> None:
        q = quote(schedule(None, date(2024, 7, 1), None, FIXED, AREA), {"built_area": "120.5"})
        assert [(line.item_code, line.amount) for line in q.lines] == [
            ("issue", 50000),
            ("area", 36150),
        ]
        assert q.lines[1].quantity == Decimal("120.5")
        assert q.total == 86150

    def test_minimum_and_maximum_clamp(self) -> None:
        s = schedule(None, date(2024, 7, 1), None, AREA)
        assert quote(s, {"built_area": 10}).total == 20000
        assert quote(s, {"built_area": 100000}).total == 5000000

    def test_per_unit_multiplies_its_inputs(self) -> None:
        s = schedule(None, date(2024, 7, 1), None, OCCUPANCY)
        assert quote(s, {"occupancy_area": 6, "occupancy_months": 3}).total == 54000
        assert quote(s, {"occupancy_area": 1, "occupancy_months": 1}).total == 10000

    def test_rounds_half_up_to_a_piaster(self) -> None:
        item = FeeItem("x", "س", "x", FeeRule.PER_M2, rate=3, inputs=("area",))
        assert quote(schedule(None, date(2024, 7, 1), None, item), {"area": "0.5"}).total == 2

    def test_arabic_indic_digits_in_inputs(self) -> None:
        s = schedule(None, date(2024, 7, 1), None, AREA)
        assert quote(s, {"built_area": "١٢٠٫٥"}).total == 36150

    def test_free_schedule_quotes_zero(self) -> None:
        free = FeeSchedule("GEN-001", None, date(2024, 7, 1), None, ())
        assert free.free
        assert quote(free).total == 0

    @pytest.mark.parametrize(
        ("inputs", "code"),
        [
            ({}, "fee.input_missing"),
            ({"built_area": None}, "fee.input_missing"),
            ({"built_area": "كبير"}, "fee.input_not_number"),
            ({"built_area": True}, "fee.input_not_number"),
            ({"built_area": -5}, "fee.input_negative"),
            ({"built_area": "NaN"}, "fee.input_not_number"),
        ],
    )
    def test_bad_inputs_name_the_field(self, inputs: dict[str, object], code: str) -> None:
        with pytest.raises(FeeInputError) as err:
            quote(schedule(None, date(2024, 7, 1), None, FIXED, AREA), inputs)
        assert (err.value.field, err.value.code) == ("built_area", code)

    def test_quote_carries_the_schedule_it_came_from(self) -> None:
        q = quote(GIZA)
        assert (q.service_code, q.governorate_code, q.effective_from) == (
            "BLD-002",
            "21",
            date(2025, 1, 1),
        )

    def test_required_inputs_in_order_without_duplicates(self) -> None:
        assert required_inputs([FIXED, AREA, OCCUPANCY, AREA]) == (
            "built_area",
            "occupancy_area",
            "occupancy_months",
        )
