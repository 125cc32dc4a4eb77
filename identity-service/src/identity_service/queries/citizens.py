"""Citizens (a national ID bound to the phone it proved) and their one-time-code challenges."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.models import Citizen, OtpChallenge
from identity_service.queries import rows_changed
from mahaliyat.db import upsert
from mahaliyat.ids import new_id

# --- citizens ------------------------------------------------------------------------


async def get(session: AsyncSession, citizen_id: uuid.UUID) -> Citizen | None:
    return await session.get(Citizen, citizen_id)


async def id_of(session: AsyncSession, national_id: str) -> uuid.UUID | None:
    return await session.scalar(select(Citizen.id).where(Citizen.national_id == national_id))


async def binding(session: AsyncSession, national_id: str) -> Row[uuid.UUID, str] | None:
    """``(id, phone)`` of the citizen with this national ID, if any."""
    return (
        await session.execute(
            select(Citizen.id, Citizen.phone).where(Citizen.national_id == national_id)
        )
    ).first()


async def bound_unless_known(
    session: AsyncSession, national_id: str, phone: str, now: datetime
) -> Citizen:
    """The citizen of ``national_id``; created bound to ``phone`` if there is none yet.

    One statement that cannot fail on a parallel creation: whichever commits first binds.
    """
    insert = upsert(session, Citizen)
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


# --- one-time-code challenges --------------------------------------------------------

Condition = ColumnElement[bool]


def typed(phone: str) -> list[Condition]:
    """Challenges asked for with this number typed."""
    return [OtpChallenge.typed_phone == phone]


def typed_with(national_id: str, phone: str) -> list[Condition]:
    """Challenges for this national ID asked for with this number typed."""
    return [OtpChallenge.national_id == national_id, OtpChallenge.typed_phone == phone]


def from_ip(client_ip: str) -> list[Condition]:
    return [OtpChallenge.client_ip == client_ip]


def redirected_to(phone: str) -> list[Condition]:
    """Codes sent to ``phone`` (its bound holder) although another number was typed."""
    return [
        OtpChallenge.phone == phone,
        OtpChallenge.typed_phone != OtpChallenge.phone,
        OtpChallenge.delivered.is_(True),
    ]


async def requested_since(
    session: AsyncSession, conditions: Sequence[Condition], since: datetime, limit: int
) -> Sequence[datetime]:
    """When matching challenges were opened after ``since``, newest first, at most ``limit``."""
    return (
        await session.scalars(
            select(OtpChallenge.created_at)
            .where(*conditions, OtpChallenge.created_at > since)
            .order_by(OtpChallenge.created_at.desc())
            .limit(limit)
        )
    ).all()


def add_challenge(session: AsyncSession, challenge: OtpChallenge) -> None:
    session.add(challenge)


async def get_challenge(session: AsyncSession, challenge_id: uuid.UUID) -> OtpChallenge | None:
    return await session.get(OtpChallenge, challenge_id)


async def reload_challenge(session: AsyncSession, challenge: OtpChallenge) -> None:
    await session.refresh(challenge)


def _still_open(challenge_id: uuid.UUID, max_attempts: int, now: datetime) -> tuple[Any, ...]:
    return (
        OtpChallenge.id == challenge_id,
        OtpChallenge.consumed_at.is_(None),
        OtpChallenge.attempts < max_attempts,
        OtpChallenge.expires_at > now,
    )


async def consume(
    session: AsyncSession, challenge_id: uuid.UUID, max_attempts: int, now: datetime
) -> bool:
    """Consume the code if the challenge is still open: of two parallel ones only one can."""
    consumed = await session.execute(
        update(OtpChallenge)
        .where(*_still_open(challenge_id, max_attempts, now))
        .values(consumed_at=now)
    )
    return rows_changed(consumed) == 1


async def count_attempt(
    session: AsyncSession, challenge_id: uuid.UUID, max_attempts: int, now: datetime
) -> bool:
    """Count a wrong code if the challenge is still open; False when it was not."""
    wrong = await session.execute(
        update(OtpChallenge)
        .where(*_still_open(challenge_id, max_attempts, now))
        .values(attempts=OtpChallenge.attempts + 1)
    )
    return rows_changed(wrong) == 1
