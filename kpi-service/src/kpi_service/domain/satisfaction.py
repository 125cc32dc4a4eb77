"""Citizen satisfaction answers: a reply from 1 to 5 (any digits), one answer per application."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mahaliyat.digits import to_ascii_digits

# Runs of digits, after Arabic-Indic (٠-٩) and Persian (۰-۹) digits are read as ASCII.
_RUNS = re.compile(r"[0-9]+")


class InvalidScore(ValueError):
    """A reply that is not one score from 1 to 5; ``reason`` is a stable code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_score(text: str) -> int:
    """The score in an SMS reply such as ``"٥"``, ``" 4 "``, ``"تقييم 3"``.

    Refused (InvalidScore): no digit (``no_digit``), a number of several digits such as
    ``12`` (``not_one_digit``), two different digits (``ambiguous``), 0 or 6–9
    (``out_of_range``). The same digit repeated apart (``"5 5"``) is that score.
    """
    runs = _RUNS.findall(to_ascii_digits(text))
    if not runs:
        raise InvalidScore("no_digit")
    if any(len(run) > 1 for run in runs):
        raise InvalidScore("not_one_digit")
    if len(set(runs)) > 1:
        raise InvalidScore("ambiguous")
    score = int(runs[0])
    if not 1 <= score <= 5:
        raise InvalidScore("out_of_range")
    return score


def check_score(value: object) -> int:
    """A score given through the API: an integer 1–5 (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidScore("not_an_integer")
    if not 1 <= value <= 5:
        raise InvalidScore("out_of_range")
    return value


@dataclass(frozen=True, slots=True)
class Answer:
    application_id: str
    score: int
    at: datetime
    via: str  # sms | portal | app
    source_id: str  # the inbound SMS id or the request's idempotency key


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the same answer again (a retry): answer as before
    ALREADY_ANSWERED = "already_answered"  # another answer exists: refused


def admit(existing: Answer | None, new: Answer) -> Verdict:
    """One answer per application: the first stands; its own retry is a duplicate."""
    if existing is None:
        return Verdict.ACCEPTED
    if existing.application_id != new.application_id:
        raise ValueError("answers of different applications")
    if existing.source_id == new.source_id and existing.score == new.score:
        return Verdict.DUPLICATE
    return Verdict.ALREADY_ANSWERED


def may_answer(outcome: str | None) -> bool:
    """Only a decided application (approved or rejected, from request.completed) is rated."""
    return outcome in ("approved", "rejected")


def first_answer(answers: Iterable[Answer]) -> Answer | None:
    """The answer that counts whatever the order they arrive in: earliest, then by source id."""
    return min(answers, key=lambda a: (a.at, a.source_id), default=None)
