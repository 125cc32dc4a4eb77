"""Pure identity rules: jurisdictions, one-time codes, windows, passwords.

National IDs and mobile numbers are the kernel's: tests/common/test_identifiers.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from identity_service.domain.geography import jurisdiction_problem
from identity_service.domain.limits import LockoutPolicy, Window, retry_after
from identity_service.domain.otp import (
    ChallengeState,
    OtpPolicy,
    challenge_state,
    code_digest,
    codes_match,
    new_code,
    normalise_code,
)
from identity_service.domain.passwords import PasswordPolicy
from identity_service.domain.roles import grant_problems

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("EG", None),
        ("21", None),
        ("21-03", None),
        ("21-03-F01", None),
        ("21-H01", None),
        ("21-M02", None),
        ("21-03-L01", None),
        ("99", "unknown_governorate"),
        ("88", "unknown_governorate"),
        ("21-3", "jurisdiction_format"),
        ("21-03-X01", "jurisdiction_format"),
        ("21-03-F01-01", "jurisdiction_format"),
        ("", "jurisdiction_format"),
    ],
)
def test_jurisdiction_codes(code: str, problem: str | None) -> None:
    assert jurisdiction_problem(code) == problem


def test_grants() -> None:
    assert grant_problems("kpi_viewer", "21") == []
    assert grant_problems("citizen", "21") == [("role", "role_not_for_staff")]
    assert grant_problems("root", "zz") == [
        ("role", "unknown_role"),
        ("jurisdiction", "jurisdiction_format"),
    ]


def test_codes_are_six_digits_and_compared_by_hmac() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150
    challenge = uuid.uuid4()
    digest = code_digest(b"pepper", challenge, "123456")
    assert codes_match(b"pepper", challenge, "123456", digest)
    assert not codes_match(b"pepper", challenge, "123457", digest)
    assert not codes_match(b"other pepper", challenge, "123456", digest)
    assert not codes_match(b"pepper", uuid.uuid4(), "123456", digest)
    assert normalise_code("١٢٣ ٤٥٦") == "123456"
    assert normalise_code("12345") is None


def test_challenge_states() -> None:
    policy = OtpPolicy(timedelta(minutes=5), 5)
    expires = T0 + timedelta(minutes=5)

    def state(**kw: object) -> ChallengeState:
        values: dict[str, object] = {
            "expires_at": expires,
            "attempts": 0,
            "consumed_at": None,
            "now": T0,
        }
        values.update(kw)
        return challenge_state(policy, **values)  # type: ignore[arg-type]

    assert state() is ChallengeState.OPEN
    assert state(attempts=4) is ChallengeState.OPEN
    assert state(attempts=5) is ChallengeState.EXHAUSTED
    assert state(now=expires) is ChallengeState.EXPIRED
    assert state(consumed_at=T0) is ChallengeState.USED


def test_retry_after_in_a_sliding_window() -> None:
    window = Window(3, timedelta(minutes=15))
    sent = [T0 - timedelta(minutes=m) for m in (1, 5, 10)]
    assert retry_after(sent[:2], window, T0) is None
    assert retry_after(sent, window, T0) == 5 * 60
    assert retry_after(sent, window, T0 + timedelta(minutes=5)) is None


def test_lockout_policy() -> None:
    policy = LockoutPolicy(5, timedelta(minutes=30), timedelta(minutes=30))
    burst = [T0 - timedelta(minutes=m) for m in range(5)]
    assert policy.locked_until(burst, T0) == T0 + timedelta(minutes=30)
    assert policy.locked_until(burst[:4], T0) is None
    assert policy.locked_until(burst, T0 + timedelta(minutes=30)) is None
    spread = [T0 - timedelta(minutes=m) for m in (0, 10, 20, 30, 31)]
    assert policy.locked_until(spread, T0) is None


def test_password_policy() -> None:
    policy = PasswordPolicy(10)
    assert policy.problems("long enough pass", username="someone") == []
    assert policy.problems("short", username="someone") == ["password_too_short"]
    assert policy.problems("Some.One.Else", username="some.one.else") == [
        "password_equals_username"
    ]
    assert policy.problems("x" * 300, username="someone") == ["password_too_long"]
