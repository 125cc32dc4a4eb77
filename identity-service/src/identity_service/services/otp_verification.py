"""A citizen's one-time code checked: the session it opens, the attempts it spends."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.otp import ChallengeState, challenge_state, codes_match, normalise_code
from identity_service.errors import Refusal, invalid_fields, say
from identity_service.models import Citizen, OtpChallenge
from identity_service.queries import citizens
from identity_service.services.audit import Caller, audit
from identity_service.services.sessions import TokenPair, citizen_subject, open_session
from mahaliyat.identifiers import mask_mobile
from mahaliyat.problems import Problem


async def verify_code(
    session: AsyncSession,
    adapters: Adapters,
    *,
    challenge_id: uuid.UUID,
    code: str,
    client_ip: str,
) -> TokenPair:
    digits = normalise_code(code)
    if digits is None:
        raise invalid_fields(("code", "code_format", "الرمز ستة أرقام.", "The code is six digits."))
    challenge = await citizens.get_challenge(session, challenge_id)
    if challenge is None:
        raise Problem(
            404,
            "challenge_not_found",
            say("لا يوجد طلب رمز بهذا المعرف.", "No code was requested under this id."),
        )
    now = adapters.clock()
    _refuse_unless_open(adapters, challenge, now)
    max_attempts = adapters.otp_policy.max_attempts
    # A withheld code was never sent, so no right answer exists: it fails like a wrong one.
    matched = codes_match(adapters.otp_pepper, challenge.id, digits, challenge.code_digest)
    if matched and challenge.delivered:
        # Conditional update: of two parallel verifications only one can consume the code.
        if not await citizens.consume(session, challenge.id, max_attempts, now):
            await citizens.reload_challenge(session, challenge)
            _refuse_unless_open(adapters, challenge, now)  # a parallel verification won: 410
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
        return await open_session(session, adapters, citizen_subject(citizen), client_ip)

    counted = await citizens.count_attempt(session, challenge.id, max_attempts, now)
    await citizens.reload_challenge(session, challenge)
    if not counted:
        _refuse_unless_open(adapters, challenge, now)
    remaining = max(0, adapters.otp_policy.max_attempts - challenge.attempts)
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


def _refuse_unless_open(adapters: Adapters, challenge: OtpChallenge, now: datetime) -> None:
    state = challenge_state(
        adapters.otp_policy,
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
    return await citizens.bound_unless_known(session, challenge.national_id, challenge.phone, now)
