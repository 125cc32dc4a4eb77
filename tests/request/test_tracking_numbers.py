"""Tracking numbers: format, check digit, forgiving parsing."""

from __future__ import annotations

import pytest

from request_service.domain.tracking import (
    SHARDS,
    TrackingNumber,
    parse_tracking_number,
    sharded_sequence,
)


def test_format_carries_governorate_year_sequence_and_check_digit() -> None:
    number = TrackingNumber("21", 26, 4217)
    text = str(number)
    assert text.startswith("21-26-0004217-")
    assert len(text) == len("GG-YY-NNNNNNN-C")
    assert parse_tracking_number(text) == number


@pytest.mark.parametrize(
    "typed",
    [
        "21-26-0004217-{c}",
        "2126000421 7{c}",
        "2126000421\u200f7{c}",
        "٢١-٢٦-٠٠٠٤٢١٧-{c}",
        "21 26 0004217 {c}",
    ],
)
def test_any_spelling_is_accepted(typed: str) -> None:
    number = TrackingNumber("21", 26, 4217)
    arabic = str(number.check_digit).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    check = arabic if "٢" in typed else str(number.check_digit)
    assert parse_tracking_number(typed.format(c=check)) == number


def test_every_single_digit_error_and_adjacent_swap_is_caught() -> None:
    digits = TrackingNumber("21", 26, 4217).body + str(TrackingNumber("21", 26, 4217).check_digit)
    for i, original in enumerate(digits):
        for replacement in "0123456789":
            if replacement != original:
                mistyped = digits[:i] + replacement + digits[i + 1 :]
                assert parse_tracking_number(mistyped) is None, mistyped
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            assert parse_tracking_number(swapped) is None, swapped


@pytest.mark.parametrize(
    "text", ["", "21-26-0004217", "21-26-00042170-1", "ab-cd-efghijk-l", "21-26-0000000-?"]
)
def test_garbage_is_refused(text: str) -> None:
    assert parse_tracking_number(text) is None


def test_sequence_zero_is_not_a_tracking_number() -> None:
    body = "21260000000"
    from mahaliyat.checkdigit import damm

    assert parse_tracking_number(body + str(damm(body))) is None
    with pytest.raises(ValueError, match="sequence"):
        TrackingNumber("21", 26, 0)


def test_counter_shards_never_give_out_the_same_sequence() -> None:
    given = [sharded_sequence(shard, n) for shard in range(SHARDS) for n in range(1, 200)]
    assert len(set(given)) == len(given)
    # Together they use every number: the first 199 rounds fill 1 … 199 * SHARDS exactly.
    assert sorted(given) == list(range(1, 199 * SHARDS + 1))
    assert [sharded_sequence(shard, 1) for shard in (0, 1, SHARDS - 1)] == [1, 2, SHARDS]
    for shard, n in ((-1, 1), (SHARDS, 1), (0, 0)):
        with pytest.raises(ValueError, match="shard"):
            sharded_sequence(shard, n)
