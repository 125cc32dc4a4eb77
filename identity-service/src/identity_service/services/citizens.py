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
from identity_service.domain.otp import (
    ChallengeState,
    challenge_state,
    code_digest,
    codes_match,
    new_code,
    normalise_code,
)
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
    revoke_subject_sessions,
    rows_changed,
)
from mahaliyat.events import record
from mahaliyat.identifiers import InvalidIdentifier, mask_mobile, parse_mobile, parse_national_id
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem

CAIRO = ZoneInfo("Africa/Cairo")


@dataclass(frozen=True, slots=True)
class IssuedChallenge:
    id: uuid.UUID
    expires_at: datetime


def parse_citizen_identity(national_id: str, phone: str, now: datetime) -> tuple[str, str]:
    """The national ID as 14 ASCII digits and the mobile number in E.164, or 422 naming each."""
    errors = []
    number = None
    try:
        number = parse_national_id(national_id, now.astimezone(CAIRO).date()).number
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
    rt: IdentityRuntime,
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
    now = rt.clock()
    number, typed_phone = parse_citizen_identity(national_id, phone, now)

    # A national ID keeps the phone it first proved: a code for it goes to that phone,
    # whatever number was typed, so knowing someone's national ID is not enough.
    bound = (
        await session.execute(
            select(Citizen.id, Citizen.phone).where(Citizen.national_id == number)
        )
    ).first()
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
            await _wait(session, [OtpChallenge.typed_phone == typed_phone], rt.phone_windows, now),
            "phone",
        ),
        (
            await _wait(
                session,
                [OtpChallenge.national_id == number, OtpChallenge.typed_phone == typed_phone],
                rt.national_id_windows,
                now,
            ),
            "national_id",
        ),
        (
            await _wait(session, [OtpChallenge.client_ip == client_ip], rt.ip_windows, now),
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
        [
            OtpChallenge.phone == destination,
            OtpChallenge.typed_phone != OtpChallenge.phone,
            OtpChallenge.delivered.is_(True),
        ],
        rt.redirect_windows,
        now,
    )
    deliver = destination == typed_phone or not redirected_wait

    challenge_id = new_id()
    code = new_code()
    expires_at = now + rt.otp_policy.lifetime
    session.add(
        OtpChallenge(
            id=challenge_id,
            national_id=number,
            phone=destination,
            typed_phone=typed_phone,
            delivered=deliver,
            code_digest=code_digest(rt.otp_pepper, challenge_id, code),
            language=language,
            client_ip=client_ip,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
        )
    )
    ciphertext = encrypt_code(rt.otp_delivery_secret, str(challenge_id), code)  # either way
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
    conditions: list[ColumnElement[bool]],
    windows: tuple[Window, ...],
    now: datetime,
) -> int:
    """Seconds until one more request fits every window (0: it fits now)."""
    wait = 0
    for window in windows:
        recent = (
            await session.scalars(
                select(OtpChallenge.created_at)
                .where(*conditions, OtpChallenge.created_at > now - window.length)
                .order_by(OtpChallenge.created_at.desc())
                .limit(window.limit)
            )
        ).all()
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
    # A withheld code was never sent, so no right answer exists: it fails like a wrong one.
    matched = codes_match(rt.otp_pepper, challenge.id, digits, challenge.code_digest)
    if matched and challenge.delivered:
        # Conditional update: of two parallel verifications only one can consume the code.
        consumed = await session.execute(
            update(OtpChallenge).where(*still_open).values(consumed_at=now)
        )
        if rows_changed(consumed) != 1:
            await session.refresh(challenge)
            _refuse_unless_open(rt, challenge, now)  # a parallel verification won: 410
            raise Problem(410, "challenge_used")  # no session without our own update
        citizen = await _citizen(session, challenge, now)
        if citizen.phone != challenge.phone:
            # The ID was bound to another number (a parallel sign-in, or an admin rebind)
            # after this code was sent: the code proves a phone that no longer counts.
            await audit(
                session,
                Caller("anonymous", client_ip),
                "citizen.otp_phone_superseded",
                at=now,
                target=f"citizen:{citizen.id}",
                challenge_id=str(challenge.id),
                phone=mask_mobile(challenge.phone),
            )
            raise Refusal(
                409,
                "national_id_bound_to_another_phone",
                say(
                    "هذا الرقم القومي مسجل برقم محمول آخر. لتغييره توجه إلى مركز خدمات "
                    "ومعك بطاقة الرقم القومي.",
                    "This national ID is registered with another mobile number. To change "
                    "it, visit a service centre with your national ID card.",
                ),
            )
        citizen.last_login_at = now
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
            phone=mask_mobile(challenge.phone),
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
    """The citizen of this national ID, bound to the proved phone on first sign-in.

    The first phone to verify an unbound national ID binds it (docs/identity.md,
    "Phone squatting"); later ones are refused by the caller.
    """
    return await _citizen_bound_unless_known(session, challenge.national_id, challenge.phone, now)


async def _citizen_bound_unless_known(
    session: AsyncSession, national_id: str, phone: str, now: datetime
) -> Citizen:
    """The citizen of ``national_id``; created bound to ``phone`` if there is none yet.

    One statement that cannot fail on a parallel creation: whichever commits first binds.
    """
    insert = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )(Citizen)
    await session.execute(
        insert.values(
            id=new_id(), national_id=national_id, phone=phone, created_at=now
        ).on_conflict_do_nothing(index_elements=["national_id"])
    )
    return (
        await session.scalars(
            select(Citizen)
            .where(Citizen.national_id == national_id)
            .execution_options(populate_existing=True)
        )
    ).one()


@dataclass(frozen=True, slots=True)
class PhoneBinding:
    citizen: Citizen
    created: bool
    changed: bool
    sessions_ended: int


async def bind_phone(
    session: AsyncSession,
    rt: IdentityRuntime,
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
    now = rt.clock()
    number, new_phone = parse_citizen_identity(national_id, phone, now)
    existed = await session.scalar(select(Citizen.id).where(Citizen.national_id == number))
    citizen = await _citizen_bound_unless_known(session, number, new_phone, now)
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
