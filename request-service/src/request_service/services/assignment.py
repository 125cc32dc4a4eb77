"""Reassignment by a centre manager, and the officer registry they keep.

An officer's open work follows the registry: when an officer is deactivated, or
no longer serves an application's department there, their applications go to
the least-loaded officer who does (or wait unassigned for the first to act).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.problems import Problem, field_error
from request_service.adapters import Adapters
from request_service.domain.workflow import CENTRE_MANAGER, FINAL_STATES, State
from request_service.models import Application, OfficerDepartment
from request_service.queries import applications, officers
from request_service.schemas import AssignmentIn, OfficerIn
from request_service.services import access, audit
from request_service.services.guards import check_version
from request_service.services.transitions import never_assigned_to


async def reassign(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    application_id: uuid.UUID,
    expected_version: int,
    body: AssignmentIn,
) -> Application:
    application = access.readable(
        adapters, principal, await applications.get(session, application_id, for_update=True)
    )
    if not principal.can(CENTRE_MANAGER, application.jurisdiction):
        raise Problem(403, "forbidden", "only a centre manager of this jurisdiction reassigns")
    check_version(application, expected_version)
    if State(application.state) in FINAL_STATES:
        raise Problem(409, "application_closed", "a closed application is not reassigned")
    officer = body.officer_id
    if officer is None:
        officer = await officers.least_loaded(
            session,
            application.department_code,
            application.jurisdiction,
            exclude=never_assigned_to(application),
        )
        if officer is None:
            raise Problem(409, "no_officer", "no officer of this department serves here")
    elif officer == access.intake_clerk(application):
        raise Problem(
            409, "separation_of_duties", "whoever took the application in cannot handle it"
        )
    elif not await officers.serves(
        session, officer, application.department_code, application.jurisdiction
    ):
        raise Problem(
            422,
            "officer_not_serving",
            errors=[
                field_error("officer_id", "not_serving", "not an officer of this department here")
            ],
        )
    previous = application.assigned_officer_id
    now = adapters.now()
    application.assigned_officer_id = officer
    application.version += 1
    application.updated_at = now
    await audit.record(
        session,
        at=now,
        actor_id=principal.subject,
        actor_role=CENTRE_MANAGER,
        action="reassigned",
        application_id=application.id,
        details={"from_officer": previous, "to_officer": officer},
    )
    return application


def _managed(principal: Principal, jurisdiction: str) -> None:
    if not principal.can(CENTRE_MANAGER, jurisdiction):
        raise Problem(403, "forbidden", "you manage officers only within your jurisdiction")


@dataclass(frozen=True, slots=True)
class Handover:
    """One application moved off an officer who no longer serves it."""

    application_id: uuid.UUID
    tracking_number: str
    to_officer: str | None  # None: waits for the first serving officer to act on it


async def _hand_over_unserved(
    session: AsyncSession, principal: Principal, officer_id: str, now: datetime
) -> list[Handover]:
    """Reassign (least loaded) the officer's open applications they no longer serve."""
    moved = []
    for application in await applications.assigned_open(session, officer_id):
        if await officers.serves(
            session, officer_id, application.department_code, application.jurisdiction
        ):
            continue
        successor = await officers.least_loaded(
            session,
            application.department_code,
            application.jurisdiction,
            exclude=never_assigned_to(application, officer_id),
        )
        application.assigned_officer_id = successor
        application.version += 1
        application.updated_at = now
        await audit.record(
            session,
            at=now,
            actor_id=principal.subject,
            actor_role=CENTRE_MANAGER,
            action="reassigned",
            application_id=application.id,
            details={
                "from_officer": officer_id,
                "to_officer": successor,
                "why": "officer_no_longer_serving",
            },
        )
        moved.append(Handover(application.id, application.tracking_number, successor))
    return moved


async def register_officer(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    officer_id: str,
    body: OfficerIn,
) -> tuple[Sequence[OfficerDepartment], list[Handover]]:
    _managed(principal, body.jurisdiction)
    for existing in await officers.of_officer(session, officer_id):
        if not principal.can(CENTRE_MANAGER, existing.jurisdiction):
            raise Problem(404, "not_found")  # another manager's officer
    now = adapters.now()
    rows = [
        OfficerDepartment(
            officer_id=officer_id,
            department_code=department,
            jurisdiction=body.jurisdiction,
            active=body.active,
            updated_by=principal.subject,
            updated_at=now,
        )
        for department in dict.fromkeys(body.departments)
    ]
    await officers.replace(session, officer_id, rows)
    await audit.record(
        session,
        at=now,
        actor_id=principal.subject,
        actor_role=CENTRE_MANAGER,
        action="officer_registered",
        details={
            "officer_id": officer_id,
            "jurisdiction": body.jurisdiction,
            "departments": list(dict.fromkeys(body.departments)),
            "active": body.active,
        },
    )
    return rows, await _hand_over_unserved(session, principal, officer_id, now)


async def deactivate_officer(
    session: AsyncSession, adapters: Adapters, principal: Principal, officer_id: str
) -> tuple[Sequence[OfficerDepartment], list[Handover]]:
    """The officer serves nowhere from now on; their open work goes to the least loaded."""
    if not principal.jurisdictions(CENTRE_MANAGER):
        raise Problem(403, "forbidden", "this needs role: centre_manager")
    registrations = await officers.of_officer(session, officer_id)
    if not registrations or not all(
        principal.can(CENTRE_MANAGER, r.jurisdiction) for r in registrations
    ):
        raise Problem(404, "not_found")  # unknown here, or (partly) another manager's officer
    now = adapters.now()
    await officers.deactivate(session, officer_id, principal.subject, now)
    await audit.record(
        session,
        at=now,
        actor_id=principal.subject,
        actor_role=CENTRE_MANAGER,
        action="officer_deactivated",
        details={"officer_id": officer_id},
    )
    handovers = await _hand_over_unserved(session, principal, officer_id, now)
    return await officers.of_officer(session, officer_id), handovers


async def listed_officers(
    session: AsyncSession, principal: Principal, department: str | None
) -> Sequence[OfficerDepartment]:
    jurisdictions = principal.jurisdictions(CENTRE_MANAGER)
    if not jurisdictions:
        raise Problem(403, "forbidden", "this needs role: centre_manager")
    return await officers.listed(session, jurisdictions, department)
