"""Sign-in sessions: token families and their rotating refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.models import RefreshToken, TokenFamily
from identity_service.queries import rows_changed
from mahaliyat.ids import new_id


async def open_family(
    session: AsyncSession,
    kind: str,
    subject_id: uuid.UUID,
    now: datetime,
    client_ip: str | None,
) -> uuid.UUID:
    family = TokenFamily(
        id=new_id(),
        subject_kind=kind,
        subject_id=subject_id,
        created_at=now,
        client_ip=client_ip,
    )
    session.add(family)
    await session.flush()  # the family row before its first refresh token
    return family.id


def add_refresh_token(
    session: AsyncSession,
    *,
    token_id: uuid.UUID,
    family_id: uuid.UUID,
    digest: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        RefreshToken(
            id=token_id,
            family_id=family_id,
            token_digest=digest,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def token_and_family(
    session: AsyncSession, digest: str
) -> tuple[RefreshToken, TokenFamily] | None:
    row = (
        await session.execute(
            select(RefreshToken, TokenFamily)
            .join(TokenFamily, RefreshToken.family_id == TokenFamily.id)
            .where(RefreshToken.token_digest == digest)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def spend(
    session: AsyncSession, token_id: uuid.UUID, now: datetime, successor_id: uuid.UUID
) -> bool:
    """Mark the token rotated unless it already is: of two parallel rotations one wins."""
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.rotated_at.is_(None))
        .values(rotated_at=now, successor_id=successor_id)
    )
    return rows_changed(result) == 1


async def reload(session: AsyncSession, token: RefreshToken) -> None:
    """Read the row again (a parallel rotation may have committed meanwhile)."""
    await session.refresh(token)


async def unrotated(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Whether the token exists and has not been rotated yet."""
    found = (
        await session.execute(select(RefreshToken.rotated_at).where(RefreshToken.id == token_id))
    ).first()
    return found is not None and found[0] is None


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, reason: str, now: datetime
) -> bool:
    result = await session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return rows_changed(result) == 1


async def revoke_subject_families(
    session: AsyncSession,
    kind: str,
    subject_id: uuid.UUID,
    reason: str,
    now: datetime,
    keep: uuid.UUID | None = None,
) -> int:
    query = update(TokenFamily).where(
        TokenFamily.subject_kind == kind,
        TokenFamily.subject_id == subject_id,
        TokenFamily.revoked_at.is_(None),
    )
    if keep is not None:
        query = query.where(TokenFamily.id != keep)
    result = await session.execute(query.values(revoked_at=now, revoked_reason=reason))
    return rows_changed(result)


async def family_is_active(session: AsyncSession, family_id: uuid.UUID) -> bool:
    revoked = await session.execute(
        select(TokenFamily.revoked_at).where(TokenFamily.id == family_id)
    )
    found = revoked.first()
    return found is not None and found[0] is None


async def family_of(session: AsyncSession, digest: str) -> uuid.UUID | None:
    return await session.scalar(
        select(RefreshToken.family_id).where(RefreshToken.token_digest == digest)
    )


async def family_subject(session: AsyncSession, family_id: uuid.UUID) -> tuple[str, str] | None:
    row = (
        await session.execute(
            select(TokenFamily.subject_kind, TokenFamily.subject_id).where(
                TokenFamily.id == family_id
            )
        )
    ).first()
    return (row[0], str(row[1])) if row else None
