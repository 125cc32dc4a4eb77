"""Staff: password sign-in with lockout, password change, and the admin's account management."""

from __future__ import annotations

import math
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.passwords import MESSAGES as PASSWORD_MESSAGES
from identity_service.domain.roles import RoleGrant, grant_problems
from identity_service.errors import FieldProblem, Refusal, invalid_fields, refused_fields, say
from identity_service.models import LoginFailure, StaffGrant, StaffUser
from identity_service.services.audit import Caller, audit
from identity_service.services.locks import serialise
from identity_service.services.sessions import (
    TokenPair,
    open_session,
    revoke_subject_sessions,
    staff_subject,
)
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


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
    rows = await session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.username == key, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc())
        .limit(adapters.lockout.max_failures)
    )
    return list(rows)


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
    session.add(LoginFailure(id=new_id(), username=key, failed_at=now, client_ip=caller.client_ip))
    await session.flush()
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
    user = await session.scalar(select(StaffUser).where(StaffUser.username == key))
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


def _password_errors(
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
    user = await session.get(StaffUser, staff_id)
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
    errors = _password_errors(adapters, "new_password", new_password, user.username)
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


# --- administration ------------------------------------------------------------------


def validate_grants(grants: Sequence[RoleGrant], field: str = "grants") -> list[RoleGrant]:
    errors = []
    for index, grant in enumerate(grants):
        for part, code in grant_problems(grant.role, grant.jurisdiction):
            errors.append((f"{field}.{index}.{part}", code, *_GRANT_MESSAGES[code]))
    if errors:
        raise invalid_fields(*errors)
    return sorted(set(grants))


_GRANT_MESSAGES = {
    "unknown_role": ("دور غير معروف.", "Unknown role."),
    "role_not_for_staff": (
        "هذا الدور لا يُمنح للموظفين.",
        "This role is not granted to staff.",
    ),
    "jurisdiction_format": (
        "كود نطاق الاختصاص غير صالح (مثل EG أو 21 أو 21-03 أو 21-03-F01).",
        "Not a jurisdiction code (EG, 21, 21-03, 21-03-F01).",
    ),
    "unknown_governorate": ("كود محافظة غير معروف.", "Unknown governorate code."),
    "platform_admin_is_national": (
        "دور مسؤول المنصة على المستوى القومي (EG) فقط.",
        "platform_admin is granted nationally (EG) only.",
    ),
}


def generate_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, ~96 bits


async def create_staff(
    session: AsyncSession,
    adapters: Adapters,
    *,
    username: str,
    full_name_ar: str,
    full_name_en: str | None,
    password: str | None,
    grants: Sequence[RoleGrant],
    caller: Caller,
) -> tuple[StaffUser, str | None]:
    """The new user, and its generated password when none was given (shown once)."""
    now = adapters.clock()
    key = username_key(username)
    errors: list[FieldProblem] = []
    if not USERNAME.match(key):
        errors.append(
            (
                "username",
                "username_format",
                "اسم المستخدم 3-64 حرفًا لاتينيًا صغيرًا أو رقمًا أو . _ -",
                "A username is 3-64 of a-z, 0-9, '.', '_', '-'.",
            )
        )
    generated = None
    if password is None:
        password = generated = generate_password()
    else:
        errors.extend(_password_errors(adapters, "password", password, key))
    if errors:
        raise invalid_fields(*errors)
    valid_grants = validate_grants(grants)
    if await session.scalar(select(StaffUser.id).where(StaffUser.username == key)):
        raise Problem(
            409, "username_taken", say("اسم المستخدم مستخدم بالفعل.", "The username is taken.")
        )
    user = StaffUser(
        id=new_id(),
        username=key,
        full_name_ar=full_name_ar,
        full_name_en=full_name_en,
        password_hash=await adapters.hashing.hash(password),
        created_at=now,
        password_changed_at=now,
        grants=[
            StaffGrant(id=new_id(), role=g.role, jurisdiction=g.jurisdiction, created_at=now)
            for g in valid_grants
        ],
    )
    session.add(user)
    await session.flush()
    await audit(
        session,
        caller,
        "staff.created",
        at=now,
        target=f"staff:{user.id}",
        username=key,
        grants=[{"role": g.role, "jurisdiction": g.jurisdiction} for g in valid_grants],
    )
    return user, generated


async def get_staff(session: AsyncSession, staff_id: uuid.UUID) -> StaffUser:
    user = await session.get(StaffUser, staff_id)
    if user is None:
        raise Problem(404, "not_found")
    return user


async def list_staff(
    session: AsyncSession, *, search: str | None, limit: int, offset: int
) -> tuple[Sequence[StaffUser], int]:
    query = select(StaffUser)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            StaffUser.username.like(pattern)
            | func.lower(StaffUser.full_name_en).like(pattern)
            | StaffUser.full_name_ar.like(f"%{search.strip()}%")
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = await session.scalars(query.order_by(StaffUser.username).limit(limit).offset(offset))
    return users.all(), total


async def set_grants(
    session: AsyncSession,
    adapters: Adapters,
    staff_id: uuid.UUID,
    grants: Sequence[RoleGrant],
    caller: Caller,
) -> StaffUser:
    """Replace the user's grants; they take effect at the next sign-in or refresh."""
    now = adapters.clock()
    user = await get_staff(session, staff_id)
    wanted = validate_grants(grants)
    before = [RoleGrant(g.role, g.jurisdiction) for g in user.grants]
    if f"staff:{user.id}" == caller.actor and not any(g.role == "platform_admin" for g in wanted):
        raise Problem(
            409,
            "cannot_remove_own_admin",
            say("لا يمكنك سحب دور مسؤول المنصة من نفسك.", "You cannot remove your own admin role."),
        )
    await session.execute(delete(StaffGrant).where(StaffGrant.staff_id == user.id))
    for grant in wanted:
        session.add(
            StaffGrant(
                id=new_id(),
                staff_id=user.id,
                role=grant.role,
                jurisdiction=grant.jurisdiction,
                created_at=now,
            )
        )
    await session.flush()
    await session.refresh(user, ["grants"])
    await audit(
        session,
        caller,
        "staff.grants_set",
        at=now,
        target=f"staff:{user.id}",
        before=[{"role": g.role, "jurisdiction": g.jurisdiction} for g in before],
        after=[{"role": g.role, "jurisdiction": g.jurisdiction} for g in wanted],
    )
    return user


async def disable_staff(
    session: AsyncSession, adapters: Adapters, staff_id: uuid.UUID, caller: Caller
) -> StaffUser:
    now = adapters.clock()
    user = await get_staff(session, staff_id)
    if f"staff:{user.id}" == caller.actor:
        raise Problem(
            409,
            "cannot_disable_self",
            say("لا يمكنك تعطيل حسابك.", "You cannot disable your own account."),
        )
    if user.disabled_at is None:
        user.disabled_at = now
        ended = await revoke_subject_sessions(session, "staff", user.id, "disabled", now)
        await audit(
            session,
            caller,
            "staff.disabled",
            at=now,
            target=f"staff:{user.id}",
            sessions_ended=ended,
        )
    return user


async def enable_staff(
    session: AsyncSession, adapters: Adapters, staff_id: uuid.UUID, caller: Caller
) -> StaffUser:
    now = adapters.clock()
    user = await get_staff(session, staff_id)
    if user.disabled_at is not None:
        user.disabled_at = None
        await audit(session, caller, "staff.enabled", at=now, target=f"staff:{user.id}")
    return user


async def unlock_staff(
    session: AsyncSession, adapters: Adapters, staff_id: uuid.UUID, caller: Caller
) -> StaffUser:
    now = adapters.clock()
    user = await get_staff(session, staff_id)
    was_locked = await locked_until(session, adapters, user, now)
    user.unlocked_at = now
    await audit(
        session,
        caller,
        "staff.unlocked",
        at=now,
        target=f"staff:{user.id}",
        was_locked=was_locked is not None,
    )
    return user


async def reset_password(
    session: AsyncSession, adapters: Adapters, staff_id: uuid.UUID, caller: Caller
) -> tuple[StaffUser, str]:
    """A new generated password (shown once); the user's sessions end and the lock is lifted."""
    now = adapters.clock()
    user = await get_staff(session, staff_id)
    password = generate_password()
    user.password_hash = await adapters.hashing.hash(password)
    user.password_changed_at = now
    user.unlocked_at = now
    ended = await revoke_subject_sessions(session, "staff", user.id, "password_reset", now)
    await audit(
        session,
        caller,
        "staff.password_reset",
        at=now,
        target=f"staff:{user.id}",
        sessions_ended=ended,
    )
    return user, password
