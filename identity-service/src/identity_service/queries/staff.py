"""Staff users, their grants and their failed sign-ins."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.domain.roles import RoleGrant
from identity_service.models import LoginFailure, StaffGrant, StaffUser
from mahaliyat.ids import new_id


async def get(session: AsyncSession, staff_id: uuid.UUID) -> StaffUser | None:
    return await session.get(StaffUser, staff_id)


async def by_username(session: AsyncSession, username: str) -> StaffUser | None:
    return await session.scalar(select(StaffUser).where(StaffUser.username == username))


async def username_taken(session: AsyncSession, username: str) -> bool:
    found = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    return found is not None


async def add(session: AsyncSession, user: StaffUser) -> None:
    session.add(user)
    await session.flush()


async def page(
    session: AsyncSession, *, search: str | None, limit: int, offset: int
) -> tuple[Sequence[StaffUser], int]:
    """Users by username, matching ``search`` in the username or either name; and the total."""
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


async def replace_grants(
    session: AsyncSession, user: StaffUser, grants: Iterable[RoleGrant], now: datetime
) -> None:
    """The user's grants become exactly ``grants`` (``user.grants`` reloaded)."""
    await session.execute(delete(StaffGrant).where(StaffGrant.staff_id == user.id))
    for grant in grants:
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


async def add_failure(
    session: AsyncSession, username: str, at: datetime, client_ip: str | None
) -> None:
    session.add(LoginFailure(id=new_id(), username=username, failed_at=at, client_ip=client_ip))
    await session.flush()


async def failures_since(
    session: AsyncSession, username: str, since: datetime, limit: int
) -> list[datetime]:
    """Failed sign-ins under ``username`` after ``since``, newest first, at most ``limit``."""
    rows = await session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.username == username, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    )
    return list(rows)
