"""Staff sign-in: password login with lockout, and a user's own password change."""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.passwords import MESSAGES as PASSWORD_MESSAGES
from identity_service.errors import FieldProblem, Refusal, invalid_fields, refused_fields, say
from identity_service.models import StaffUser
from identity_service.queries import staff as users
from identity_service.queries.locks import serialise
from identity_service.services.audit import Caller, audit
from identity_service.services.sessions import (
    TokenPair,
    open_session,
    revoke_subject_sessions,
    staff_subject,
)
from mahaliyat.problems import Problem


def username_key(username: str) -> str:
    """How a typed username is compared and recorded (unknown ones too)."""
    return username.strip().lower()[:64]


def _invalid_credentials() -> Refusal:
    return Refusal(
        401,
        "invalid_credentials",
        say("اسم المستخدم أو كلمة المرور غير صحيحة.", "Wrong username or password."),
        headers={"WWW-Authenticate": "Bearer"},
    )


def _locked(until: datetime, now: datetime) -> Refusal:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return Refusal(
        423,
        "account_locked",
        say(
            "الحساب مغلق مؤقتًا بعد محاولات دخول فاشلة؛ حاول لاحقًا أو اطلب من المسؤول فتحه.",
            "The account is locked after failed sign-ins; try later or ask an administrator.",
        ),
        headers={"Retry-After": str(seconds)},
        extra={"locked_until": until.isoformat()},
    )


async def _recent_failures(
    session: AsyncSession, adapters: Adapters, key: str, user: StaffUser | None, now: datetime
) -> list[datetime]:
    """Failures that can still count: newer than the last success or unlock, newest first."""
    since = now - adapters.lockout.window - adapters.lockout.duration
    for moment in (user.last_login_at, user.unlocked_at) if user else ():
        if moment is not None and moment > since:
            since = moment
    return await users.failures_since(session, key, since, adapters.lockout.max_failures)


async def locked_until(
    session: AsyncSession, adapters: Adapters, user: StaffUser, now: datetime
) -> datetime | None:
    failures = await _recent_failures(session, adapters, user.username, user, now)
    return adapters.lockout.locked_until(failures, now)


async def _fail(
    session: AsyncSession,
    adapters: Adapters,
    key: str,
    user: StaffUser | None,
    caller: Caller,
    now: datetime,
    reason: str,
) -> Refusal:
    """Record a failed attempt; the refusal to answer with (a lock, once it is reached)."""
    await users.add_failure(session, key, now, caller.client_ip)
    await audit(
        session, caller, "staff.login_failed", at=now, target=f"username:{key}", reason=reason
    )
    until = adapters.lockout.locked_until(
        await _recent_failures(session, adapters, key, user, now), now
    )
    if until is None:
        return _invalid_credentials()
    await audit(session, caller, "staff.locked_out", at=now, target=f"username:{key}")
    return _locked(until, now)


async def login(
    session: AsyncSession, adapters: Adapters, username: str, password: str, caller: Caller
) -> TokenPair:
    """Unknown, disabled and wrong-password sign-ins answer alike, and lock alike."""
    now = adapters.clock()
    key = username_key(username)
    # Parallel guesses are counted one after another, so none slips past the lock.
    await serialise(session, f"staff-login:{key}")
    user = await users.by_username(session, key)
    until = adapters.lockout.locked_until(
        await _recent_failures(session, adapters, key, user, now), now
    )
    if until is not None:
        raise _locked(until, now)
    if user is None:
        await adapters.hashing.verify_decoy(password)
        raise await _fail(session, adapters, key, None, caller, now, "unknown_user")
    if not await adapters.hashing.verify(user.password_hash, password):
        raise await _fail(session, adapters, key, user, caller, now, "wrong_password")
    if user.disabled_at is not None:
        raise await _fail(session, adapters, key, user, caller, now, "disabled")
    if adapters.hashing.needs_rehash(user.password_hash):
        user.password_hash = await adapters.hashing.hash(password)
    user.last_login_at = now
    actor = Caller(f"staff:{user.id}", caller.client_ip)
    await audit(session, actor, "staff.login", at=now, target=f"staff:{user.id}")
    return await open_session(session, adapters, staff_subject(user), caller.client_ip)


def password_errors(
    adapters: Adapters, field: str, password: str, username: str
) -> list[FieldProblem]:
    problems = adapters.password_policy.problems(password, username=username)
    errors = []
    for code in problems:
        arabic, english = PASSWORD_MESSAGES[code]
        if code == "password_too_short":
            arabic = f"كلمة المرور أقل من {adapters.password_policy.min_length} أحرف."
            english = (
                f"The password has fewer than {adapters.password_policy.min_length} characters."
            )
        errors.append((field, code, arabic, english))
    return errors


async def change_password(
    session: AsyncSession,
    adapters: Adapters,
    *,
    staff_id: uuid.UUID,
    session_id: uuid.UUID | None,
    current_password: str,
    new_password: str,
    caller: Caller,
) -> None:
    """A wrong current password counts towards the lockout; other sessions end on success."""
    now = adapters.clock()
    user = await users.get(session, staff_id)
    if user is None or user.disabled_at is not None:
        raise Problem(404, "not_found")
    await serialise(session, f"staff-login:{user.username}")
    until = await locked_until(session, adapters, user, now)
    if until is not None:
        raise _locked(until, now)
    if not await adapters.hashing.verify(user.password_hash, current_password):
        refusal = await _fail(session, adapters, user.username, user, caller, now, "wrong_password")
        if refusal.code == "account_locked":
            raise refusal
        raise refused_fields(
            (
                "current_password",
                "wrong_password",
                "كلمة المرور الحالية غير صحيحة.",
                "The current password is wrong.",
            )
        )
    errors = password_errors(adapters, "new_password", new_password, user.username)
    if not errors and new_password == current_password:
        arabic, english = PASSWORD_MESSAGES["password_unchanged"]
        errors.append(("new_password", "password_unchanged", arabic, english))
    if errors:
        raise invalid_fields(*errors)
    user.password_hash = await adapters.hashing.hash(new_password)
    user.password_changed_at = now
    await revoke_subject_sessions(
        session, "staff", user.id, "password_changed", now, keep=session_id
    )
    await audit(session, caller, "staff.password_changed", at=now, target=f"staff:{user.id}")
