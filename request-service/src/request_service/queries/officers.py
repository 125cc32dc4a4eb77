"""Back-office officers and the departments they serve, kept by centre managers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import NATION
from request_service.domain.workflow import BACK_OFFICE_STATES
from request_service.models import Application, OfficerDepartment
from request_service.queries import within


def _serving(department: str, jurisdiction: str) -> list[ColumnElement[bool]]:
    """Registrations of ``department`` whose jurisdiction covers ``jurisdiction``."""
    return [
        OfficerDepartment.active.is_(True),
        OfficerDepartment.department_code == department,
        or_(
            OfficerDepartment.jurisdiction == NATION,
            OfficerDepartment.jurisdiction == jurisdiction,
            literal(jurisdiction).like(OfficerDepartment.jurisdiction.concat("-%")),
        ),
    ]


async def serves(
    session: AsyncSession, officer_id: str, department: str, jurisdiction: str
) -> bool:
    found = await session.scalar(
        select(OfficerDepartment.officer_id).where(
            OfficerDepartment.officer_id == officer_id, *_serving(department, jurisdiction)
        )
    )
    return found is not None


async def least_loaded(
    session: AsyncSession, department: str, jurisdiction: str, *, exclude: Collection[str] = ()
) -> str | None:
    """The active serving officer with the fewest applications in back-office hands (ties: by id)."""
    load = (
        select(func.count())
        .where(
            Application.assigned_officer_id == OfficerDepartment.officer_id,
            Application.state.in_([s.value for s in BACK_OFFICE_STATES]),
        )
        .correlate(OfficerDepartment)
        .scalar_subquery()
    )
    query = select(OfficerDepartment.officer_id).where(*_serving(department, jurisdiction))
    if exclude:
        query = query.where(OfficerDepartment.officer_id.not_in(sorted(exclude)))
    return await session.scalar(query.order_by(load, OfficerDepartment.officer_id).limit(1))


async def of_officer(session: AsyncSession, officer_id: str) -> Sequence[OfficerDepartment]:
    result = await session.scalars(
        select(OfficerDepartment)
        .where(OfficerDepartment.officer_id == officer_id)
        .order_by(OfficerDepartment.department_code)
    )
    return result.all()


async def replace(
    session: AsyncSession, officer_id: str, rows: Sequence[OfficerDepartment]
) -> None:
    await session.execute(
        delete(OfficerDepartment).where(OfficerDepartment.officer_id == officer_id)
    )
    session.add_all(rows)
    await session.flush()


async def deactivate(session: AsyncSession, officer_id: str, by: str, at: datetime) -> None:
    """Every registration of the officer inactive: they serve nowhere until registered again."""
    await session.execute(
        update(OfficerDepartment)
        .where(OfficerDepartment.officer_id == officer_id)
        .values(active=False, updated_by=by, updated_at=at)
        .execution_options(synchronize_session="fetch")
    )


async def listed(
    session: AsyncSession, jurisdictions: Sequence[str], department: str | None
) -> Sequence[OfficerDepartment]:
    query = select(OfficerDepartment).where(within(OfficerDepartment.jurisdiction, jurisdictions))
    if department:
        query = query.where(OfficerDepartment.department_code == department)
    result = await session.scalars(
        query.order_by(OfficerDepartment.officer_id, OfficerDepartment.department_code)
    )
    return result.all()
