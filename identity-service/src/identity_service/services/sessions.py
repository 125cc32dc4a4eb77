"""Sign-in sessions: token families, rotating refresh tokens, reuse detection, revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.geography import NATION
from identity_service.domain.roles import CITIZEN, RoleGrant
from identity_service.errors import OAuthError
from identity_service.models import Citizen, RefreshToken, StaffUser
from identity_service.queries import citizens, staff
from identity_service.queries import rows_changed as rows_changed  # services.idempotency uses it
from identity_service.queries import sessions as families
from identity_service.services.audit import Caller, audit
from identity_service.tokens import AccessToken, new_refresh_token, refresh_digest
from mahaliyat.auth import PrincipalKind
from mahaliyat.ids import new_id


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a session's tokens speak for, as of now."""

    kind: PrincipalKind
    id: uuid.UUID
    grants: tuple[RoleGrant, ...]
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: AccessToken
    refresh_token: str | None = None
    refresh_expires_in: int | None = None


def citizen_subject(citizen: Citizen) -> Subject:
    # The opaque id stays the subject (what services key records on); the verified national
    # ID and phone travel as claims for services that must print or check them
    # (docs/contracts.md), read again at every refresh so a rebound phone shows up.
    return Subject(
        "citizen",
        citizen.id,
        (RoleGrant(CITIZEN, NATION),),
        {
            "national_id": citizen.national_id,
            "phone_number": citizen.phone,
            "nid_governorate": citizen.national_id[7:9],
        },
    )


def staff_subject(user: StaffUser) -> Subject:
    return Subject(
        "staff",
        user.id,
        tuple(RoleGrant(g.role, g.jurisdiction) for g in user.grants),
        {"preferred_username": user.username},
    )


async def current_subject(
    session: AsyncSession, kind: str, subject_id: uuid.UUID
) -> Subject | None:
    """The subject with today's grants; None when it is gone or disabled."""
    if kind == "citizen":
        citizen = await citizens.get(session, subject_id)
        return citizen_subject(citizen) if citizen else None
    if kind == "staff":
        user = await staff.get(session, subject_id)
        return staff_subject(user) if user and user.disabled_at is None else None
    return None


async def open_session(
    session: AsyncSession, adapters: Adapters, subject: Subject, client_ip: str | None
) -> TokenPair:
    now = adapters.clock()
    family_id = await families.open_family(session, subject.kind, subject.id, now, client_ip)
    return await _issue(session, adapters, subject, family_id, now)


async def _issue(
    session: AsyncSession,
    adapters: Adapters,
    subject: Subject,
    family_id: uuid.UUID,
    now: datetime,
    token_id: uuid.UUID | None = None,
) -> TokenPair:
    ttl = adapters.settings.refresh_token_ttl_seconds
    token, digest = new_refresh_token()
    families.add_refresh_token(
        session,
        token_id=token_id or new_id(),
        family_id=family_id,
        digest=digest,
        now=now,
        expires_at=now + timedelta(seconds=ttl),
    )
    access = adapters.minter.mint(
        subject=str(subject.id),
        kind=subject.kind,
        grants=subject.grants,
        scope="",
        ttl_seconds=adapters.settings.access_token_ttl_seconds,
        extra={**subject.claims, "sid": str(family_id)},
    )
    return TokenPair(access, token, ttl)


def _ended(description: str) -> OAuthError:
    # 401, not RFC 6749's 400: the client must sign in again, as with any dead credential.
    return OAuthError("invalid_grant", description, status=401)


def _just_rotated() -> OAuthError:
    return OAuthError(
        "refresh_token_rotated",
        "the refresh token was rotated moments ago by another request; use its successor "
        "(the session is still active)",
        status=409,
    )


async def refresh(
    session: AsyncSession, adapters: Adapters, token: str, caller: Caller
) -> TokenPair:
    """Rotate: the presented token is spent, a new one issued in the same family.

    A token presented a second time means it was copied: the whole family is revoked.
    Except within ``refresh_reuse_grace_seconds`` of its rotation while its successor is
    still unused: that is the same client refreshing twice (parallel requests, a retry),
    so it is refused (409) but the session lives. It never gets tokens: whoever presents
    a spent token, the client or a thief racing it, leaves with nothing.
    """
    row = await families.token_and_family(session, refresh_digest(token))
    if row is None:
        raise _ended("the refresh token is not known")
    stored, family = row
    now = adapters.clock()
    if family.revoked_at is not None:
        raise _ended("the session has ended")
    if stored.expires_at <= now:
        raise _ended("the refresh token has expired")
    successor_id = new_id()
    if not await families.spend(session, stored.id, now, successor_id):
        await families.reload(session, stored)  # the rotation that won, committed meanwhile
        if await _within_grace(session, adapters, stored, now):
            raise _just_rotated()
        await revoke_family(session, family.id, "refresh_token_reuse", now)
        await audit(
            session,
            caller,
            "session.refresh_reused",
            at=now,
            target=f"{family.subject_kind}:{family.subject_id}",
            family_id=str(family.id),
        )
        raise _ended("the refresh token was already used; the session is revoked")
    subject = await current_subject(session, family.subject_kind, family.subject_id)
    if subject is None:
        await revoke_family(session, family.id, "subject_disabled", now)
        raise _ended("the account is disabled")
    return await _issue(session, adapters, subject, family.id, now, token_id=successor_id)


async def _within_grace(
    session: AsyncSession, adapters: Adapters, spent: RefreshToken, now: datetime
) -> bool:
    """Whether ``spent`` was rotated within the grace and its successor is still unused."""
    grace = timedelta(seconds=adapters.settings.refresh_reuse_grace_seconds)
    if not grace or spent.rotated_at is None or spent.successor_id is None:
        return False
    if now - spent.rotated_at > grace:
        return False
    return await families.unrotated(session, spent.successor_id)


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, reason: str, now: datetime
) -> bool:
    return await families.revoke_family(session, family_id, reason, now)


async def revoke_subject_sessions(
    session: AsyncSession,
    kind: str,
    subject_id: uuid.UUID,
    reason: str,
    now: datetime,
    keep: uuid.UUID | None = None,
) -> int:
    return await families.revoke_subject_families(session, kind, subject_id, reason, now, keep)


async def family_is_active(session: AsyncSession, family_id: uuid.UUID) -> bool:
    return await families.family_is_active(session, family_id)


async def refresh_token_family(session: AsyncSession, token: str) -> uuid.UUID | None:
    return await families.family_of(session, refresh_digest(token))


async def describe_refresh_token(
    session: AsyncSession, token: str, now: datetime
) -> dict[str, Any] | None:
    """RFC 7662 fields of an active refresh token, or None when it is not active."""
    row = await families.token_and_family(session, refresh_digest(token))
    if row is None:
        return None
    stored, family = row
    if family.revoked_at or stored.rotated_at or stored.expires_at <= now:
        return None
    return {
        "token_type": "refresh_token",
        "sub": str(family.subject_id),
        "kind": family.subject_kind,
        "iat": int(stored.created_at.timestamp()),
        "exp": int(stored.expires_at.timestamp()),
        "sid": str(family.id),
    }


async def family_subject(session: AsyncSession, family_id: uuid.UUID) -> tuple[str, str] | None:
    return await families.family_subject(session, family_id)
