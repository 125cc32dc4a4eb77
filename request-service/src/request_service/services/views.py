"""How an application is shown: the citizen sees states and reasons, never the officer."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from request_service.adapters import Adapters
from request_service.domain.service_workflows import workflow_from_catalogue
from request_service.domain.text import Bilingual
from request_service.domain.workflow import (
    DEFAULT_WORKFLOW,
    NEXT_STEPS,
    STATE_NAMES,
    State,
    Workflow,
    allowed_targets,
)
from request_service.models import Application, Document, StateChange
from request_service.queries import documents as document_rows
from request_service.queries import escalations, state_changes
from request_service.schemas import (
    ApplicantOut,
    ApplicationOut,
    ApplicationSummary,
    DocumentOut,
    FeeLine,
    ServiceRef,
    StaffDetails,
    Text,
    TimelineEntry,
)
from request_service.services import access

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1/requests"


def workflow_of(application: Application) -> Workflow:
    """The workflow the application was filed under (validated when it was filed).

    One kept before the rules were tightened and breaking them now is replaced by
    the default table: the stricter workflow, never a looser one.
    """
    if application.workflow:
        try:
            return workflow_from_catalogue(application.workflow)
        except ValueError as exc:
            log.error(
                "the workflow kept on %s breaks the rules (%s); the default applies",
                application.tracking_number,
                exc,
            )
    return DEFAULT_WORKFLOW


def service_ref(application: Application) -> ServiceRef:
    return ServiceRef(
        code=application.service_code,
        name=Text(ar=application.service_name_ar, en=application.service_name_en),
    )


def state_name(state: str) -> Text:
    return Text.of(STATE_NAMES[State(state)])


def next_step(state: str) -> Text:
    return Text.of(NEXT_STEPS[State(state)])


def reason_text(ar: str | None, en: str | None) -> Text | None:
    if ar is None and en is None:
        return None
    return Text.of(Bilingual.of({"ar": ar, "en": en}))


def _reason(change: StateChange) -> Text | None:
    return reason_text(change.reason_ar, change.reason_en)


def timeline_entry(change: StateChange, *, staff: bool) -> TimelineEntry:
    return TimelineEntry(
        state=change.to_state,
        state_name=state_name(change.to_state),
        from_state=change.from_state,
        at=change.at,
        reason=_reason(change),
        actor_role=change.actor_role if staff else None,
        actor_id=change.actor_id if staff else None,
    )


def document_out(document: Document) -> DocumentOut:
    return DocumentOut(
        id=document.id,
        code=document.document_code,
        filename=document.filename,
        media_type=document.media_type,
        size_bytes=document.size_bytes,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
        href=f"{API_PREFIX}/applications/{document.application_id}/documents/{document.id}",
    )


def summary(application: Application, *, staff: bool) -> ApplicationSummary:
    return ApplicationSummary(
        id=application.id,
        tracking_number=application.tracking_number,
        version=application.version,
        state=application.state,
        state_name=state_name(application.state),
        service=service_ref(application),
        channel=application.channel,
        centre_code=application.centre_code,
        jurisdiction=application.jurisdiction,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        due_at=application.due_at,
        assigned_officer_id=application.assigned_officer_id if staff else None,
    )


async def full(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    application: Application,
    *,
    documents: Sequence[Document] | None = None,
    timeline: Sequence[StateChange] | None = None,
    escalated: bool | None = None,
) -> ApplicationOut:
    """The application as ``principal`` may see it; pass what the caller already holds."""
    staff = access.is_staff_view(principal, application)
    if documents is None:
        documents = await document_rows.for_application(session, application.id)
    if timeline is None:
        timeline = await state_changes.timeline(session, application.id)
    roles = await access.acting_roles(session, adapters, principal, application)
    allowed = allowed_targets(
        workflow_of(application),
        State(application.state),
        roles,
        by_intake_clerk=access.by_intake_clerk(principal, application),
    )
    details = None
    if staff:
        details = StaffDetails(
            department_code=application.department_code,
            intake_actor_id=application.intake_actor_id,
            intake_actor_role=application.intake_actor_role,
            assigned_officer_id=application.assigned_officer_id,
            escalated=await escalations.exists_for(session, application.id, application.due_at)
            if escalated is None
            else escalated,
            waiting_seconds=application.waiting_seconds,
            processing_seconds=application.processing_seconds,
            returned_seconds=application.returned_seconds,
            paused_working_days=application.paused_working_days,
        )
    return ApplicationOut(
        id=application.id,
        tracking_number=application.tracking_number,
        version=application.version,
        state=application.state,
        state_name=state_name(application.state),
        next_step=next_step(application.state),
        service=service_ref(application),
        channel=application.channel,
        centre_code=application.centre_code,
        jurisdiction=application.jurisdiction,
        governorate=application.governorate,
        applicant=ApplicantOut(
            national_id=application.applicant_national_id,
            phone=application.applicant_phone,
            language=application.applicant_language,
        ),
        form=application.form_data,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        sla_days=application.sla_days,
        due_at=application.due_at,
        fee_piasters=application.fee_piasters,
        amount_due_piasters=application.amount_due_piasters,
        fee_lines=[FeeLine.model_validate(line) for line in application.fee_lines]
        if application.fee_lines is not None
        else None,
        paid_at=application.paid_at,
        paid_piasters=application.paid_piasters,
        decided_at=application.decided_at,
        completed_at=application.completed_at,
        outcome=application.outcome,
        documents=[document_out(d) for d in documents],
        timeline=[timeline_entry(c, staff=staff) for c in timeline],
        allowed_transitions=[t.value for t in allowed],
        staff=details,
    )
