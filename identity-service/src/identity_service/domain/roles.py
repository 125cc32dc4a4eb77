"""Roles (ARCHITECTURE.md) and which of them an admin may grant to staff."""

from __future__ import annotations

from dataclasses import dataclass

from identity_service.domain.geography import NATION, jurisdiction_problem

CITIZEN = "citizen"
PARTNER = "partner"
PLATFORM_ADMIN = "platform_admin"

ROLES = frozenset(
    {
        CITIZEN,
        "front_office",
        "back_office",
        "inspector",
        "centre_manager",
        "licensing_committee",
        "finance",
        "catalog_admin",
        "kpi_viewer",
        "auditor",
        PLATFORM_ADMIN,
        PARTNER,
    }
)
# Citizens and partners get their role from how they sign in, never from an admin.
STAFF_ROLES = ROLES - {CITIZEN, PARTNER}


@dataclass(frozen=True, slots=True, order=True)
class RoleGrant:
    role: str
    jurisdiction: str


def grant_problems(role: str, jurisdiction: str) -> list[tuple[str, str]]:
    """``(field, code)`` pairs for what is wrong with a staff grant; empty when it is valid."""
    problems = []
    if role not in STAFF_ROLES:
        problems.append(("role", "unknown_role" if role not in ROLES else "role_not_for_staff"))
    if (jurisdiction_code := jurisdiction_problem(jurisdiction)) is not None:
        problems.append(("jurisdiction", jurisdiction_code))
    elif role == PLATFORM_ADMIN and jurisdiction != NATION:
        # The admin API is national; a partial platform admin would be a misleading grant.
        problems.append(("jurisdiction", "platform_admin_is_national"))
    return problems
