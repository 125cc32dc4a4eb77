"""Citizens sign in with national ID + mobile number + a one-time code sent by SMS.

Here: asking for a code (rate limits, the phone a national ID is bound to) and the counter's
binding of an ID to a phone; checking a code is ``services.otp_verification``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service import events
from identity_service.adapters import Adapters
from identity_service.domain.limits import Window, retry_after
from identity_service.domain.otp import (
    code_digest,
    new_code,
)
from identity_service.errors import invalid_fields, say
from identity_service.models import Citizen, OtpChallenge
from identity_service.queries import citizens
from identity_service.queries.locks import serialise
from identity_service.services.audit import Caller, audit
from identity_service.services.sessions import (
    revoke_subject_sessions,
)
from mahaliyat.clock import cairo_date
from mahaliyat.events import record
from mahaliyat.identifiers import InvalidIdentifier, mask_mobile, parse_mobile, parse_national_id
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    id: uuid.UUID
    expires_at: datetime


def parse_citizen_identity(national_id: str, phone: str, now: datetime) -> tuple[str, str]:
    """The national ID as 14 ASCII digits and the mobile number in E.164, or 422 naming each."""
    errors = []
    number = None
    try:
        number = parse_national_id(national_id, cairo_date(now)).number
    except InvalidIdentifier as exc:
        errors.append(("national_id", exc.code, exc.message_ar, exc.message_en))
    typed_phone = None
    try:
        typed_phone = parse_mobile(phone)
    except InvalidIdentifier as exc:
        errors.append(("phone", exc.code, exc.message_ar, exc.message_en))
    if errors or number is None or typed_phone is None:
        raise invalid_fields(*errors)
    return number, typed_phone


async def request_code(
    session: AsyncSession,
    adapters: Adapters,
    *,
    national_id: str,
    phone: str,
    language: str,
    client_ip: str,
) -> IssuedChallenge:
    """Open a challenge and text its code.

    The answer must not tell whether the national ID is registered, so every limit that
    can refuse (429) counts only what the caller sent: the typed number, the national ID
    with that number, the client IP. The one limit that depends on the binding, on codes
    redirected to a bound phone, is silent: past it the answer is the same but no SMS goes
    out and the challenge can never verify.
    """
    now = adapters.clock()
    number, typed_phone = parse_citizen_identity(national_id, phone, now)

    # A national ID keeps the phone it first proved: a code for it goes to that phone,
    # whatever number was typed, so knowing someone's national ID is not enough.
    bound = await citizens.binding(session, number)
    destination = bound.phone if bound else typed_phone

    await serialise(
        session,
        f"otp-phone:{typed_phone}",
        f"otp-phone:{destination}",
        f"otp-national-id:{number}",
        f"otp-ip:{client_ip}",
    )
    waits = [
        (
            await _wait(session, citizens.typed(typed_phone), adapters.phone_windows, now),
            "phone",
        ),
        (
            await _wait(
                session,
                citizens.typed_with(number, typed_phone),
                adapters.national_id_windows,
                now,
            ),
            "national_id",
        ),
        (
            await _wait(session, citizens.from_ip(client_ip), adapters.ip_windows, now),
            "ip",
        ),
    ]
    wait, limit = max(waits)
    if wait:
        raise _too_many(wait, limit)

    # Run for every request, so a registered ID costs the same work as an unknown one;
    # for an unbound ID or the bound number itself it counts nothing that applies.
    redirected_wait = await _wait(
        session,
        citizens.redirected_to(destination),
        adapters.redirect_windows,
        now,
    )
    deliver = destination == typed_phone or not redirected_wait

    challenge_id = new_id()
    code = new_code()
    expires_at = now + adapters.otp_policy.lifetime
    citizens.add_challenge(
        session,
        OtpChallenge(
            id=challenge_id,
            national_id=number,
            phone=destination,
            typed_phone=typed_phone,
            delivered=deliver,
            code_digest=code_digest(adapters.otp_pepper, challenge_id, code),
            language=language,
            client_ip=client_ip,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
        ),
    )
    ciphertext = adapters.otp_delivery.seal(str(challenge_id), code)  # either way
    if deliver:
        await record(
            session,
            events.otp_requested(
                challenge_id=challenge_id,
                phone=destination,
                language=language,
                code_ciphertext=ciphertext,
                expires_at=expires_at,
            ),
        )
    else:
        assert bound is not None  # only a bound phone receives redirected codes
        await audit(
            session,
            Caller("anonymous", client_ip),
            "citizen.otp_withheld",
            at=now,
            target=f"citizen:{bound.id}",
            challenge_id=str(challenge_id),
            phone=mask_mobile(destination),
            typed_phone=mask_mobile(typed_phone),
        )
    return IssuedChallenge(challenge_id, expires_at)


async def _wait(
    session: AsyncSession,
    conditions: list[citizens.Condition],
    windows: tuple[Window, ...],
    now: datetime,
) -> int:
    """Seconds until one more request fits every window (0: it fits now)."""
    wait = 0
    for window in windows:
        recent = await citizens.requested_since(
            session, conditions, now - window.length, window.limit
        )
        wait = max(wait, retry_after(recent, window, now) or 0)
    return wait


def _too_many(wait: int, limit: str) -> Problem:
    return Problem(
        429,
        "too_many_code_requests",
        say("طلبات رموز كثيرة، حاول بعد قليل.", "Too many code requests; try again later."),
        headers={"Retry-After": str(wait)},
        extra={"limit": limit, "retry_after": wait},
    )


@dataclass(frozen=True, slots=True)
class PhoneBinding:
    citizen: Citizen
    created: bool
    changed: bool
    sessions_ended: int


async def bind_phone(
    session: AsyncSession,
    adapters: Adapters,
    *,
    national_id: str,
    phone: str,
    reason: str,
    caller: Caller,
) -> PhoneBinding:
    """The counter procedure: bind a national ID to the phone its holder showed in person.

    Creates the citizen if the ID has never signed in (so nobody can squat it later), or
    moves an existing one to the new number and ends every session of the old one. The
    subject id stays, so the citizen keeps their applications.
    """
    now = adapters.clock()
    number, new_phone = parse_citizen_identity(national_id, phone, now)
    existed = await citizens.id_of(session, number)
    citizen = await citizens.bound_unless_known(session, number, new_phone, now)
    created = existed is None and citizen.phone == new_phone
    before = None if created else citizen.phone
    changed = created or citizen.phone != new_phone
    ended = 0
    if changed and not created:
        citizen.phone = new_phone
        # Whoever held the old number is signed out; codes already sent to it stop working.
        ended = await revoke_subject_sessions(session, "citizen", citizen.id, "phone_rebound", now)
    await audit(
        session,
        caller,
        "citizen.phone_bound",
        at=now,
        target=f"citizen:{citizen.id}",
        created=created,
        changed=changed,
        phone_before=mask_mobile(before) if before else None,
        phone_after=mask_mobile(new_phone),
        reason=reason,
        sessions_ended=ended,
    )
    return PhoneBinding(citizen, created, changed, ended)
