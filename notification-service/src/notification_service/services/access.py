"""Who a caller is as stored, and which messages a caller may see."""

from __future__ import annotations

from mahaliyat.auth import Principal
from notification_service.models import SmsMessage

# Staff who may follow the messages of applications in their jurisdiction.
STAFF_ROLES = (
    "front_office",
    "back_office",
    "centre_manager",
    "inspector",
    "licensing_committee",
    "auditor",
)


def caller(principal: Principal) -> str:
    """Who made a request, as stored (subjects are unique only within a kind of principal)."""
    return f"{principal.kind}:{principal.subject}"


def may_see(principal: Principal, message: SmsMessage) -> bool:
    """Platform admins see every message; a sender its own; staff those in their jurisdiction."""
    if principal.has_role("platform_admin"):
        return True
    if message.created_by is not None and message.created_by == caller(principal):
        return True
    return message.jurisdiction is not None and principal.can(STAFF_ROLES, message.jurisdiction)
