"""Moving a message (a dict of its columns) to its next state: made final, or retried later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from notification_service.domain.states import MessageState
from notification_service.domain.timing import backoff


def finish(message: dict[str, Any], state: MessageState, now: datetime) -> None:
    """Make ``message`` final in ``state``; the OTP secret is no longer needed."""
    message["state"] = state.value
    message["next_attempt_at"] = None
    message["final_at"] = now
    message["body_template"] = None
    message["otp_ciphertext"] = None
    message["updated_at"] = now


def retry_or_finish(
    message: dict[str, Any],
    state: MessageState,
    now: datetime,
    *,
    base_seconds: float,
    max_seconds: float,
) -> bool:
    """Schedule the next attempt before the deadline, or give up. True when it gave up."""
    delay = backoff(max(1, message["attempts"]), base_seconds=base_seconds, max_seconds=max_seconds)
    retry_at = now + delay
    if retry_at < message["deadline_at"]:
        message["state"] = state.value
        message["next_attempt_at"] = retry_at
        message["updated_at"] = now
        return False
    finish(message, state, now)
    return True
