"""One-time codes: six digits, stored as an HMAC, few attempts, short life."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from mahaliyat.digits import to_ascii_digits

CODE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    lifetime: timedelta = timedelta(minutes=5)
    max_attempts: int = 5


class ChallengeState(enum.Enum):
    OPEN = "open"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # too many wrong codes: a new request is needed
    USED = "used"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def code_digest(pepper: bytes, challenge_id: uuid.UUID, code: str) -> str:
    """HMAC-SHA256 over the challenge and the code: equal codes of two challenges differ."""
    message = f"otp:{challenge_id}:{code}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def codes_match(pepper: bytes, challenge_id: uuid.UUID, code: str, stored_digest: str) -> bool:
    return hmac.compare_digest(code_digest(pepper, challenge_id, code), stored_digest)


def normalise_code(value: str) -> str | None:
    """The code as six ASCII digits (Arabic-Indic accepted, spaces ignored), or None."""
    code = to_ascii_digits(value).replace(" ", "")
    if len(code) == CODE_LENGTH and code.isascii() and code.isdigit():
        return code
    return None


def challenge_state(
    policy: OtpPolicy,
    *,
    expires_at: datetime,
    attempts: int,
    consumed_at: datetime | None,
    now: datetime,
) -> ChallengeState:
    if consumed_at is not None:
        return ChallengeState.USED
    if attempts >= policy.max_attempts:
        return ChallengeState.EXHAUSTED
    if now >= expires_at:
        return ChallengeState.EXPIRED
    return ChallengeState.OPEN
