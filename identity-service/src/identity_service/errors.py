"""Errors: problems chosen by language, refusals that keep their side effects, OAuth2 errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mahaliyat import context
from mahaliyat.problems import Problem, field_error


def say(arabic: str, english: str) -> str:
    """The message in the request's language (Arabic unless English was asked for)."""
    return english if context.language.get() == "en" else arabic


class Refusal(Problem):
    """A refusal whose writes must still commit: attempt counters, lockouts, revocations, audit.

    A plain :class:`Problem` rolls the unit of work back; endpoints turn a Refusal into
    a response instead (see ``api.deps.kept``), so the session commits first.
    """


FieldProblem = tuple[str, str, str, str]  # (field, code, Arabic message, English message)


def invalid_fields(*errors: FieldProblem) -> Problem:
    """422 naming each field."""
    return Problem(422, "validation_failed", _invalid(), errors=_field_errors(errors))


def refused_fields(*errors: FieldProblem) -> Refusal:
    """422 naming each field, keeping what the request wrote (a counted failure)."""
    return Refusal(422, "validation_failed", _invalid(), errors=_field_errors(errors))


def _invalid() -> str:
    return say("بعض الحقول غير صالحة.", "One or more fields are invalid.")


def _field_errors(errors: tuple[FieldProblem, ...]) -> list[dict[str, str]]:
    return [field_error(name, code, say(ar, en)) for name, code, ar, en in errors]


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: ``{"error", "error_description"}`` on the token endpoints."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}
