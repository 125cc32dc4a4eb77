"""Staff accounts kept by the platform admin: creation, grants, disabling, unlocking, resets."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.roles import RoleGrant, grant_problems
from identity_service.errors import FieldProblem, invalid_fields, say
from identity_service.models import StaffGrant, StaffUser
from identity_service.queries import staff as users
from identity_service.services.audit import Caller, audit
from identity_service.services.sessions import revoke_subject_sessions
from identity_service.services.staff_login import locked_until, password_errors, username_key
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


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
        errors.extend(password_errors(adapters, "password", password, key))
    if errors:
        raise invalid_fields(*errors)
    valid_grants = validate_grants(grants)
    if await users.username_taken(session, key):
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
    await users.add(session, user)
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
    user = await users.get(session, staff_id)
    if user is None:
        raise Problem(404, "not_found")
    return user


async def list_staff(
    session: AsyncSession, *, search: str | None, limit: int, offset: int
) -> tuple[Sequence[StaffUser], int]:
    return await users.page(session, search=search, limit=limit, offset=offset)


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
    await users.replace_grants(session, user, wanted, now)
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
