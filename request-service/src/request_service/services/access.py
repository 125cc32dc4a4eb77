"""Who may see an application and in which roles they may act on it.

Citizens see their own: every application whose ``applicant_ref`` is the keyed
reference of the national ID their token carries, whatever the channel it was
filed on, and those filed under their token's subject (before tokens carried the
national ID). Staff see their jurisdiction; partners see what they filed within
their grant. Everything else answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal, covers
from mahaliyat.problems import Problem
from request_service.adapters import Adapters
from request_service.domain.applicants import national_id_ref, token_identity
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


def applicant_ref(adapters: Adapters, national_id: str) -> str:
    """The reference every application of this national ID carries, whoever filed it."""
    return national_id_ref(
        adapters.settings.applicant_ref_key.get_secret_value().encode(), national_id
    )


def owner_refs(adapters: Adapters, principal: Principal) -> frozenset[str]:
    """The applicant references a citizen owns: their national ID's, and their subject."""
    if principal.kind != "citizen":
        return frozenset()
    national_id = token_identity(principal.claims).national_id
    if national_id is None:  # an older token: only what was filed under its subject
        return frozenset({principal.subject})
    return frozenset({principal.subject, applicant_ref(adapters, national_id)})


def is_owner(adapters: Adapters, principal: Principal, application: Application) -> bool:
    return application.applicant_ref in owner_refs(adapters, principal)


def is_filing_partner(principal: Principal, application: Application) -> bool:
    return (
        principal.kind in MACHINE_KINDS
        and application.intake_actor_role == PARTNER
        and application.intake_actor_id == principal.subject
        and principal.can(PARTNER, application.jurisdiction)
    )


def can_read(adapters: Adapters, principal: Principal, application: Application) -> bool:
    if principal.kind == "citizen":
        return is_owner(adapters, principal, application)
    if principal.kind in MACHINE_KINDS:
        return principal.has_scope(SCOPE_READ) and is_filing_partner(principal, application)
    return principal.can(STAFF_READERS, application.jurisdiction)


def is_staff_view(principal: Principal, application: Application) -> bool:
    return principal.kind == "staff" and principal.can(STAFF_READERS, application.jurisdiction)


def readable(
    adapters: Adapters, principal: Principal, application: Application | None
) -> Application:
    if application is None or not can_read(adapters, principal, application):
        raise Problem(404, "not_found")
    return application


def intake_clerk(application: Application) -> str | None:
    """Whoever took it in at a counter; None for a filing by a citizen or a partner."""
    return application.intake_actor_id if application.intake_actor_role == FRONT_OFFICE else None


def by_intake_clerk(principal: Principal, application: Application) -> bool:
    """Separation of duties applies to whoever took the application in at a counter."""
    return intake_clerk(application) == principal.subject


async def acting_roles(
    session: AsyncSession, adapters: Adapters, principal: Principal, application: Application
) -> set[str]:
    roles: set[str] = set()
    if is_owner(adapters, principal, application):
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
