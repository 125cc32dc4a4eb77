"""Citizens sign in with national ID + mobile number + a one-time code sent by SMS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service import events
from identity_service.domain.limits import Window, retry_after
from identity_service.domain.national_id import InvalidNationalId, parse_national_id
from identity_service.domain.otp import (
    ChallengeState,
    challenge_state,
    code_digest,
    codes_match,
    new_code,
    normalise_code,
)
from identity_service.domain.phone import InvalidPhone, mask_phone, normalise_mobile
from identity_service.errors import Refusal, invalid_fields, say
from identity_service.models import Citizen, OtpChallenge
from identity_service.otp_delivery import encrypt_code
from identity_service.runtime import IdentityRuntime
from identity_service.services.audit import Caller, audit
from identity_service.services.locks import serialise
from identity_service.services.sessions import (
    TokenPair,
    citizen_subject,
    open_session,
    rows_changed,
)
from mahaliyat.events import record
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem

CAIRO = ZoneInfo("Africa/Cairo")


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    id: uuid.UUID
    expires_at: datetime


async def request_code(
    session: AsyncSession,
    rt: IdentityRuntime,
    *,
    national_id: str,
    phone: str,
    language: str,
    client_ip: str,
) -> IssuedChallenge:
    now = rt.clock()
    errors = []
    number = None
    try:
        number = parse_national_id(national_id, now.astimezone(CAIRO).date()).number
    except InvalidNationalId as exc:
        errors.append(("national_id", exc.code, exc.message_ar, exc.message_en))
    typed_phone = None
    try:
        typed_phone = normalise_mobile(phone)
    except InvalidPhone as exc:
        errors.append(("phone", exc.code, exc.message_ar, exc.message_en))
    if errors or number is None or typed_phone is None:
        raise invalid_fields(*errors)

    # A national ID keeps the phone it first proved: a code for it goes to that phone,
    # whatever number was typed, so knowing someone's national ID is not enough.
    registered = await session.scalar(select(Citizen.phone).where(Citizen.national_id == number))
    destination = registered or typed_phone

    await serialise(session, f"otp-phone:{destination}", f"otp-ip:{client_ip}")
    await _enforce(session, OtpChallenge.phone == destination, rt.phone_windows, now, "phone")
    await _enforce(session, OtpChallenge.client_ip == client_ip, rt.ip_windows, now, "ip")

    challenge_id = new_id()
    code = new_code()
    expires_at = now + rt.otp_policy.lifetime
    session.add(
        OtpChallenge(
            id=challenge_id,
            national_id=number,
            phone=destination,
            code_digest=code_digest(rt.otp_pepper, challenge_id, code),
            language=language,
            client_ip=client_ip,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
        )
    )
    await record(
        session,
        events.otp_requested(
            challenge_id=challenge_id,
            phone=destination,
            language=language,
            code_ciphertext=encrypt_code(rt.otp_delivery_secret, str(challenge_id), code),
            expires_at=expires_at,
        ),
    )
    return IssuedChallenge(challenge_id, expires_at)


async def _enforce(
    session: AsyncSession,
    condition: ColumnElement[bool],
    windows: tuple[Window, ...],
    now: datetime,
    what: str,
) -> None:
    wait = 0
    for window in windows:
        recent = (
            await session.scalars(
                select(OtpChallenge.created_at)
                .where(condition, OtpChallenge.created_at > now - window.length)
                .order_by(OtpChallenge.created_at.desc())
                .limit(window.limit)
            )
        ).all()
        wait = max(wait, retry_after(recent, window, now) or 0)
    if wait:
        raise Problem(
            429,
            "too_many_code_requests",
            say(
                "طلبات رموز كثيرة، حاول بعد قليل.",
                "Too many code requests; try again later.",
            ),
            headers={"Retry-After": str(wait)},
            extra={"limit": what, "retry_after": wait},
        )


async def verify_code(
    session: AsyncSession,
    rt: IdentityRuntime,
    *,
    challenge_id: uuid.UUID,
    code: str,
    client_ip: str,
) -> TokenPair:
    digits = normalise_code(code)
    if digits is None:
        raise invalid_fields(("code", "code_format", "الرمز ستة أرقام.", "The code is six digits."))
    challenge = await session.get(OtpChallenge, challenge_id)
    if challenge is None:
        raise Problem(
            404,
            "challenge_not_found",
            say("لا يوجد طلب رمز بهذا المعرف.", "No code was requested under this id."),
        )
    now = rt.clock()
    _refuse_unless_open(rt, challenge, now)
    still_open = (
        OtpChallenge.id == challenge.id,
        OtpChallenge.consumed_at.is_(None),
        OtpChallenge.attempts < rt.otp_policy.max_attempts,
        OtpChallenge.expires_at > now,
    )
    if codes_match(rt.otp_pepper, challenge.id, digits, challenge.code_digest):
        # Conditional update: of two parallel verifications only one can consume the code.
        consumed = await session.execute(
            update(OtpChallenge).where(*still_open).values(consumed_at=now)
        )
        if rows_changed(consumed) != 1:
            await session.refresh(challenge)
            _refuse_unless_open(rt, challenge, now)  # a parallel verification won: 410
            raise Problem(410, "challenge_used")  # no session without our own update
        citizen = await _citizen(session, challenge, now)
        return await open_session(session, rt, citizen_subject(citizen), client_ip)

    wrong = await session.execute(
        update(OtpChallenge).where(*still_open).values(attempts=OtpChallenge.attempts + 1)
    )
    await session.refresh(challenge)
    if rows_changed(wrong) != 1:
        _refuse_unless_open(rt, challenge, now)
    remaining = max(0, rt.otp_policy.max_attempts - challenge.attempts)
    if remaining == 0:
        await audit(
            session,
            Caller("anonymous", client_ip),
            "citizen.otp_exhausted",
            at=now,
            target=f"challenge:{challenge.id}",
            phone=mask_phone(challenge.phone),
        )
    raise Refusal(
        401,
        "invalid_code",
        say("الرمز غير صحيح.", "The code is wrong.")
        if remaining
        else say(
            "الرمز غير صحيح، واستُنفدت المحاولات؛ اطلب رمزًا جديدًا.",
            "The code is wrong and no attempts are left; request a new code.",
        ),
        extra={"attempts_remaining": remaining},
    )


def _refuse_unless_open(rt: IdentityRuntime, challenge: OtpChallenge, now: datetime) -> None:
    state = challenge_state(
        rt.otp_policy,
        expires_at=challenge.expires_at,
        attempts=challenge.attempts,
        consumed_at=challenge.consumed_at,
        now=now,
    )
    if state is ChallengeState.OPEN:
        return
    messages = {
        ChallengeState.USED: (
            "challenge_used",
            "استُخدم هذا الرمز من قبل؛ اطلب رمزًا جديدًا.",
            "This code was already used; request a new one.",
        ),
        ChallengeState.EXHAUSTED: (
            "too_many_attempts",
            "استُنفدت محاولات هذا الرمز؛ اطلب رمزًا جديدًا.",
            "This code has no attempts left; request a new one.",
        ),
        ChallengeState.EXPIRED: (
            "challenge_expired",
            "انتهت صلاحية الرمز؛ اطلب رمزًا جديدًا.",
            "The code has expired; request a new one.",
        ),
    }
    code, arabic, english = messages[state]
    raise Problem(410, code, say(arabic, english))


async def _citizen(session: AsyncSession, challenge: OtpChallenge, now: datetime) -> Citizen:
    """The citizen of this national ID, registered with the proved phone on first sign-in."""
    insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )(Citizen)
    await session.execute(
        insert.values(
            id=new_id(),
            national_id=challenge.national_id,
            phone=challenge.phone,
            created_at=now,
        ).on_conflict_do_nothing(index_elements=["national_id"])
    )
    citizen = (
        await session.scalars(
            select(Citizen)
            .where(Citizen.national_id == challenge.national_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    citizen.last_login_at = now
    return citizen
