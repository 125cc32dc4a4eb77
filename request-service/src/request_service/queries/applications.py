"""Applications: lookups, lists, the staff inbox and the SLA watch."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Table, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from request_service.domain.workflow import ASSIGNED_STATES, SLA_STATES
from request_service.models import Application, Escalation
from request_service.queries import Reader, within

SlaFilter = Literal["nearing", "breached", "on_track"]


async def get(
    session: AsyncSession, application_id: uuid.UUID, *, for_update: bool = False
) -> Application | None:
    query = select(Application).where(Application.id == application_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def by_tracking_number(
    session: AsyncSession, tracking_number: str, *, for_update: bool = False
) -> Application | None:
    query = select(Application).where(Application.tracking_number == tracking_number)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


@dataclass(frozen=True, slots=True)
class StatusRow:
    """What a status inquiry shows, read without loading the whole application."""

    id: uuid.UUID
    tracking_number: str
    state: str
    service_name_ar: str
    service_name_en: str
    applicant_national_id: str
    applicant_phone: str
    applicant_language: str
    jurisdiction: str
    updated_at: datetime
    due_at: datetime | None


_APPLICATIONS: Table = Application.__table__  # type: ignore[assignment]
# Built once: a hot public read pays neither statement construction nor result adaptation.
_STATUS = select(*(_APPLICATIONS.c[name] for name in StatusRow.__dataclass_fields__)).where(
    _APPLICATIONS.c.tracking_number == bindparam("tracking_number")
)


async def status_by_tracking_number(db: Reader, tracking_number: str) -> StatusRow | None:
    row = (await db.execute(_STATUS, {"tracking_number": tracking_number})).one_or_none()
    return None if row is None else StatusRow(*row)


def add(session: AsyncSession, application: Application) -> None:
    session.add(application)


async def of_applicant(
    session: AsyncSession, applicant_refs: Collection[str], limit: int, offset: int
) -> Sequence[Application]:
    """Applications filed under any of ``applicant_refs``, newest first."""
    result = await session.scalars(
        select(Application)
        .where(Application.applicant_ref.in_(sorted(applicant_refs)))
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return result.all()


async def filed_by(
    session: AsyncSession, intake_actor_id: str, limit: int, offset: int
) -> Sequence[Application]:
    result = await session.scalars(
        select(Application)
        .where(Application.intake_actor_id == intake_actor_id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return result.all()


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a staff member works: a jurisdiction, and for back office one department."""

    jurisdiction: str
    department: str | None = None


@dataclass(frozen=True, slots=True)
class InboxFilter:
    scopes: tuple[Scope, ...]
    now: datetime
    nearing_until: datetime
    states: tuple[str, ...] = ()
    service_code: str | None = None
    sla: SlaFilter | None = None
    assigned_to: str | None = None
    unassigned: bool = False


def _scope_clause(scopes: Sequence[Scope]) -> ColumnElement[bool]:
    clauses = []
    for scope in scopes:
        clause = within(Application.jurisdiction, [scope.jurisdiction])
        if scope.department is not None:
            clause = and_(clause, Application.department_code == scope.department)
        clauses.append(clause)
    return or_(*clauses) if clauses else within(Application.jurisdiction, [])


def _conditions(f: InboxFilter, *, with_states: bool) -> list[ColumnElement[bool]]:
    conditions = [_scope_clause(f.scopes)]
    if with_states and f.states:
        conditions.append(Application.state.in_(f.states))
    if f.service_code:
        conditions.append(Application.service_code == f.service_code)
    if f.assigned_to:
        conditions.append(Application.assigned_officer_id == f.assigned_to)
    if f.unassigned:
        conditions.append(Application.assigned_officer_id.is_(None))
    if f.sla is not None:
        running = Application.state.in_([s.value for s in SLA_STATES])
        if f.sla == "breached":
            conditions += [running, Application.due_at < f.now]
        elif f.sla == "nearing":
            conditions += [
                running,
                Application.due_at >= f.now,
                Application.due_at < f.nearing_until,
            ]
        else:
            conditions += [
                running,
                or_(Application.due_at.is_(None), Application.due_at >= f.nearing_until),
            ]
    return conditions


async def inbox(
    session: AsyncSession, f: InboxFilter, limit: int, offset: int
) -> tuple[Sequence[Application], int]:
    conditions = _conditions(f, with_states=True)
    total = await session.scalar(select(func.count()).select_from(Application).where(*conditions))
    result = await session.scalars(
        select(Application)
        .where(*conditions)
        .order_by(Application.due_at.asc().nulls_last(), Application.submitted_at, Application.id)
        .limit(limit)
        .offset(offset)
    )
    return result.all(), int(total or 0)


async def counts_by_state(session: AsyncSession, f: InboxFilter) -> dict[str, int]:
    rows = await session.execute(
        select(Application.state, func.count())
        .where(*_conditions(f, with_states=False))
        .group_by(Application.state)
    )
    return {state: int(n) for state, n in rows.all()}


async def assigned_open(session: AsyncSession, officer_id: str) -> Sequence[Application]:
    """The officer's applications still to be worked on by the back office, locked."""
    result = await session.scalars(
        select(Application)
        .where(
            Application.assigned_officer_id == officer_id,
            Application.state.in_([s.value for s in ASSIGNED_STATES]),
        )
        .order_by(Application.submitted_at, Application.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.all()


async def breached_unescalated(
    session: AsyncSession, now: datetime, limit: int
) -> Sequence[Application]:
    """Running applications past their deadline not escalated for that deadline yet."""
    escalated = exists().where(
        Escalation.application_id == Application.id, Escalation.due_at == Application.due_at
    )
    result = await session.scalars(
        select(Application)
        .where(
            Application.state.in_([s.value for s in SLA_STATES]),
            Application.due_at < now,
            ~escalated,
        )
        .order_by(Application.due_at)
        .limit(limit)
    )
    return result.all()
