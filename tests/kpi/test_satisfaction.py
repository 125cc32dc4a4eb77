from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kpi_service.domain.satisfaction import (
    Answer,
    InvalidScore,
    Verdict,
    admit,
    check_score,
    first_answer,
    may_answer,
    parse_score,
)


@pytest.mark.parametrize(
    ("text", "score"),
    [("٥", 5), (" 4 ", 4), ("تقييم 3", 3), ("١", 1), ("۲", 2), ("5 5", 5), ("رضيت جدا: ٤!", 4)],
)
def test_replies_accepted(text: str, score: int) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0", "out_of_range"),
        ("6", "out_of_range"),
        ("٠", "out_of_range"),
        ("12", "not_one_digit"),
        ("3 4", "ambiguous"),
        ("٣ و 4", "ambiguous"),
        ("ممتاز", "no_digit"),
        ("", "no_digit"),
    ],
)
def test_replies_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidScore) as caught:
        parse_score(text)
    assert caught.value.reason == reason


def test_api_scores() -> None:
    assert check_score(3) == 3
    for bad in (True, "3", 0, 6, 3.0):
        with pytest.raises(InvalidScore):
            check_score(bad)


def test_one_answer_per_application() -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    first = Answer("a", 4, at, "sms", "sms-1")
    assert admit(None, first) is Verdict.ACCEPTED
    assert admit(first, Answer("a", 4, at, "sms", "sms-1")) is Verdict.DUPLICATE
    assert admit(first, Answer("a", 2, at, "portal", "key-9")) is Verdict.ALREADY_ANSWERED
    later = Answer("a", 1, at + timedelta(minutes=1), "app", "key-1")
    assert first_answer([later, first]) == first
    assert may_answer("approved")
    assert not may_answer("cancelled")
    assert not may_answer(None)
