"""Handing claimed messages to the providers, concurrently and outside any transaction.

An OTP is decrypted only here, the moment it is sent, and masked again in whatever
the providers answer (their answers are stored).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notification_service.adapters import Adapters
from notification_service.domain.encoding import MessageTooLong, SmsLayout, checked_layout
from notification_service.domain.otp import MASK, OtpDecryptionError
from notification_service.domain.templates import TemplateError, render
from notification_service.providers.base import OutgoingSms, SendResult
from notification_service.providers.pool import PoolResult


@dataclass(frozen=True, slots=True)
class Handed:
    """A claimed message and what the providers made of it."""

    message: dict[str, Any]
    outcome: PoolResult
    layout: SmsLayout | None
    started_at: datetime
    finished_at: datetime


async def hand_over(
    adapters: Adapters, claimed: Sequence[dict[str, Any]], *, concurrency: int
) -> list[Handed]:
    """Send every claimed message, at most ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(message: dict[str, Any]) -> Handed:
        async with gate:
            return await send(adapters, message)

    return list(await asyncio.gather(*(one(message) for message in claimed)))


async def send(adapters: Adapters, message: dict[str, Any]) -> Handed:
    started = adapters.now()
    code: str | None = None
    try:
        if message["otp_ciphertext"] is not None:
            code = adapters.otp.decrypt(message["otp_ciphertext"], message["otp_challenge_id"])
            text = render(message["body_template"], {"code": code})
        else:
            text = message["body"]
        layout = checked_layout(text, adapters.composer.max_segments)
    except (OtpDecryptionError, TemplateError, MessageTooLong) as exc:
        reason = "otp_unreadable" if isinstance(exc, OtpDecryptionError) else "unsendable"
        refused = SendResult("permanent_failure", None, reason, str(exc)[:300])
        pool_result = PoolResult("-", refused, ())
        return Handed(message, pool_result, None, started, adapters.now())
    sms = OutgoingSms(
        message_id=message["id"],
        to=message["recipient"],
        text=text,
        sender=adapters.settings.sms_sender_name,
        encoding=layout.encoding,
        segments=layout.segments,
        language=message["language"],
        attempt=message["attempts"],
    )
    outcome = await adapters.pool.send(sms)
    if code is not None:
        outcome = _without_code(outcome, code)
    return Handed(message, outcome, layout, started, adapters.now())


def _without_code(outcome: PoolResult, code: str) -> PoolResult:
    """Provider answers are stored; make sure none of them repeats an OTP in clear."""

    def clean(result: SendResult) -> SendResult:
        if result.error_detail and code in result.error_detail:
            return SendResult(
                result.outcome,
                result.provider_message_id,
                result.error_code,
                result.error_detail.replace(code, MASK),
            )
        return result

    return PoolResult(
        outcome.provider,
        clean(outcome.result),
        tuple((name, clean(result)) for name, result in outcome.tried),
    )
