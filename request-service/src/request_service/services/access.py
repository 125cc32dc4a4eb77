"""Who may see an application and in which roles they may act on it.

Citizens see their own (``applicant_ref == sub``); staff see their jurisdiction;
partners see what they filed within their grant. Everything else answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal, covers
from mahaliyat.problems import Problem
from request_service.domain.workflow import (
    BACK_OFFICE,
    CENTRE_MANAGER,
    CITIZEN,
    FRONT_OFFICE,
    PARTNER,
)
from request_service.models import Application
from request_service.queries import officers
from request_service.queries.applications import Scope

STAFF_READERS = (FRONT_OFFICE, BACK_OFFICE, CENTRE_MANAGER, "auditor")
SCOPE_WRITE, SCOPE_READ, SCOPE_STATUS = "requests:write", "requests:read", "requests:status"
MACHINE_KINDS = ("partner", "service")


def is_owner(principal: Principal, application: Application) -> bool:
    return principal.kind == "citizen" and application.applicant_ref == principal.subject


def is_filing_partner(principal: Principal, application: Application) -> bool:
    return (
        principal.kind in MACHINE_KINDS
        and application.intake_actor_role == PARTNER
        and application.intake_actor_id == principal.subject
        and principal.can(PARTNER, application.jurisdiction)
    )


def can_read(principal: Principal, application: Application) -> bool:
    if principal.kind == "citizen":
        return is_owner(principal, application)
    if principal.kind in MACHINE_KINDS:
        return principal.has_scope(SCOPE_READ) and is_filing_partner(principal, application)
    return principal.can(STAFF_READERS, application.jurisdiction)


def is_staff_view(principal: Principal, application: Application) -> bool:
    return principal.kind == "staff" and principal.can(STAFF_READERS, application.jurisdiction)


def readable(principal: Principal, application: Application | None) -> Application:
    if application is None or not can_read(principal, application):
        raise Problem(404, "not_found")
    return application


def by_intake_clerk(principal: Principal, application: Application) -> bool:
    """Separation of duties applies to whoever took the application in at a counter."""
    return (
        application.intake_actor_role == FRONT_OFFICE
        and application.intake_actor_id == principal.subject
    )


async def acting_roles(
    session: AsyncSession, principal: Principal, application: Application
) -> set[str]:
    roles: set[str] = set()
    if is_owner(principal, application):
        roles.add(CITIZEN)
    if principal.has_scope(SCOPE_WRITE) and is_filing_partner(principal, application):
        roles.add(PARTNER)
    if principal.kind == "staff":
        where = application.jurisdiction
        if principal.can(FRONT_OFFICE, where):
            roles.add(FRONT_OFFICE)
        if principal.can(BACK_OFFICE, where) and await officers.serves(
            session, principal.subject, application.department_code, where
        ):
            roles.add(BACK_OFFICE)
        if principal.can(CENTRE_MANAGER, where):
            roles.add(CENTRE_MANAGER)
    return roles


def narrower(a: str, b: str) -> str | None:
    """The smaller of two jurisdictions when one contains the other."""
    if covers(a, b):
        return b
    if covers(b, a):
        return a
    return None


def role_scopes(principal: Principal, role: str) -> tuple[Scope, ...]:
    return tuple(Scope(j) for j in principal.jurisdictions(role))


def back_office_scopes(
    principal: Principal, registrations: Iterable[tuple[str, str]]
) -> tuple[Scope, ...]:
    """(department, jurisdiction) registrations intersected with the back-office grants."""
    scopes = []
    for department, registered in registrations:
        for granted in principal.jurisdictions(BACK_OFFICE):
            where = narrower(granted, registered)
            if where is not None:
                scopes.append(Scope(where, department))
    return tuple(dict.fromkeys(scopes))
