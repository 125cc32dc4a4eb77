"""Reading applications: one's own, the staff inbox, status by tracking number."""

from __future__ import annotations

import hmac
import re
import uuid
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.digits import to_ascii_digits
from mahaliyat.problems import Problem
from request_service.adapters import Adapters
from request_service.domain.tracking import parse_tracking_number
from request_service.domain.workflow import (
    BACK_OFFICE,
    CENTRE_MANAGER,
    FRONT_OFFICE,
    State,
)
from request_service.queries import Reader, applications, escalations, officers, state_changes
from request_service.queries.applications import InboxFilter, SlaFilter, StatusRow
from request_service.schemas import (
    ApplicationList,
    ApplicationOut,
    EscalationOut,
    Inbox,
    PublicStatus,
    ServiceInquiry,
    Text,
)
from request_service.services import access, views

InboxRole = Literal["front_office", "back_office", "centre_manager"]
INBOX_ROLES: tuple[InboxRole, ...] = (BACK_OFFICE, FRONT_OFFICE, CENTRE_MANAGER)  # type: ignore[assignment]
# What a citizen may type between the four digits.
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f]")


async def one(
    session: AsyncSession, adapters: Adapters, principal: Principal, application_id: uuid.UUID
) -> ApplicationOut:
    application = access.readable(
        adapters, principal, await applications.get(session, application_id)
    )
    return await views.full(session, adapters, principal, application)


async def by_tracking_number(
    session: AsyncSession, adapters: Adapters, principal: Principal, text: str
) -> ApplicationOut:
    tracking = parse_tracking_number(text)
    found = (
        None if tracking is None else await applications.by_tracking_number(session, str(tracking))
    )
    application = access.readable(adapters, principal, found)
    return await views.full(session, adapters, principal, application)


async def mine(
    session: AsyncSession, adapters: Adapters, principal: Principal, limit: int, offset: int
) -> ApplicationList:
    if principal.kind == "citizen":
        refs = access.owner_refs(adapters, principal)
        rows = await applications.of_applicant(session, refs, limit, offset)
    elif principal.kind in access.MACHINE_KINDS and principal.has_scope(access.SCOPE_READ):
        rows = await applications.filed_by(session, principal.subject, limit, offset)
        rows = [a for a in rows if access.can_read(adapters, principal, a)]
    else:
        raise Problem(403, "forbidden", "staff read applications through the inbox")
    return ApplicationList(
        items=[views.summary(a, staff=False) for a in rows], limit=limit, offset=offset
    )


async def inbox(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    *,
    role: InboxRole | None,
    states: list[State],
    service_code: str | None,
    sla: SlaFilter | None,
    assigned: Literal["me", "unassigned"] | None,
    limit: int,
    offset: int,
) -> Inbox:
    if principal.kind != "staff":
        raise Problem(403, "forbidden", "the inbox is for staff")
    chosen = role or next((r for r in INBOX_ROLES if principal.has_role(r)), None)
    if chosen is None or not principal.has_role(chosen):
        raise Problem(403, "forbidden", "the inbox needs role: " + ", ".join(INBOX_ROLES))
    if chosen == BACK_OFFICE:
        registrations = [
            (r.department_code, r.jurisdiction)
            for r in await officers.of_officer(session, principal.subject)
            if r.active
        ]
        scopes = access.back_office_scopes(principal, registrations)
    else:
        scopes = access.role_scopes(principal, chosen)
    now = adapters.now()
    f = InboxFilter(
        scopes=scopes,
        now=now,
        nearing_until=now + timedelta(hours=adapters.settings.sla_nearing_hours),
        states=tuple(s.value for s in states),
        service_code=service_code,
        sla=sla,
        assigned_to=principal.subject if assigned == "me" else None,
        unassigned=assigned == "unassigned",
    )
    rows, total = await applications.inbox(session, f, limit, offset)
    counts = await applications.counts_by_state(session, f)
    return Inbox(
        role=chosen,
        items=[views.summary(a, staff=True) for a in rows],
        total=total,
        counts=counts,
        limit=limit,
        offset=offset,
    )


async def _latest_reason(db: Reader, application_id: uuid.UUID, state: str) -> Text | None:
    if state not in (State.RETURNED_TO_CITIZEN, State.REJECTED):
        return None
    found = await state_changes.latest_reason(db, application_id, state)
    return None if found is None else views.reason_text(*found)


NOT_FOUND_DETAIL = "no application matches this tracking number and national ID"


async def _status_row(db: Reader, text: str) -> StatusRow | None:
    tracking = parse_tracking_number(text)
    if tracking is None:
        return None
    return await applications.status_by_tracking_number(db, str(tracking))


def last4_digits(value: str) -> str | None:
    """Four digits typed by a citizen (Arabic-Indic accepted), or None."""
    digits = _SEPARATORS.sub("", to_ascii_digits(value.strip()))
    return digits if len(digits) == 4 and digits.isascii() and digits.isdigit() else None


async def public_status(db: Reader, tracking_number: str, national_id_last4: str) -> PublicStatus:
    """The same 404 for an unknown number and a wrong pair: nothing to enumerate.

    ``db`` may be a read-only autocommit connection: these are single-row reads.
    """
    found = await _status_row(db, tracking_number)
    last4 = last4_digits(national_id_last4) or "____"
    stored = found.applicant_national_id[-4:] if found is not None else "----"
    if found is None or not hmac.compare_digest(stored, last4):
        raise Problem(404, "not_found", NOT_FOUND_DETAIL)
    return PublicStatus(
        tracking_number=found.tracking_number,
        state=found.state,
        state_name=views.state_name(found.state),
        next_step=views.next_step(found.state),
        service_name=Text(ar=found.service_name_ar, en=found.service_name_en),
        updated_at=found.updated_at,
        due_at=found.due_at,
        reason=await _latest_reason(db, found.id, found.state),
    )


def require_status_caller(principal: Principal) -> None:
    """The service inquiry shows the applicant's phone: platform services only.

    A partner system (``kind: partner``) is refused whatever its scopes: it reads
    the applications it filed, through ``/applications``, and nothing else.
    """
    if principal.kind != "service":
        raise Problem(403, "forbidden", "the status inquiry is for the platform's own services")
    if not principal.has_scope(access.SCOPE_STATUS):
        raise Problem(403, "insufficient_scope", f"this action needs scope {access.SCOPE_STATUS}")


async def service_inquiry(db: Reader, principal: Principal, text: str) -> ServiceInquiry:
    """For notification-service: a service token with ``requests:status``, within its grants."""
    require_status_caller(principal)
    found = await _status_row(db, text)
    if found is None or not any(
        principal.can(g.role, found.jurisdiction) for g in principal.grants
    ):
        raise Problem(404, "not_found")
    return ServiceInquiry(
        tracking_number=found.tracking_number,
        state=found.state,
        service_name=Text(ar=found.service_name_ar, en=found.service_name_en),
        applicant_phone=found.applicant_phone,
        language=found.applicant_language,
        updated_at=found.updated_at,
        due_at=found.due_at,
        next_step=views.next_step(found.state),
    )


async def escalated(
    session: AsyncSession, principal: Principal, limit: int, offset: int
) -> list[EscalationOut]:
    jurisdictions = principal.jurisdictions(CENTRE_MANAGER)
    if not jurisdictions:
        raise Problem(403, "forbidden", "this needs role: centre_manager")
    rows = await escalations.listed(session, jurisdictions, limit, offset)
    return [
        EscalationOut(
            application=views.summary(a, staff=True), due_at=e.due_at, escalated_at=e.escalated_at
        )
        for e, a in rows
    ]
