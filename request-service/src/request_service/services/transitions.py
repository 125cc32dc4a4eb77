"""Moving an application through its workflow: who may, what it costs, what it records."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat import context
from mahaliyat.auth import Principal
from mahaliyat.clock import cairo_date
from mahaliyat.events import record
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem
from request_service import events
from request_service.adapters import Adapters
from request_service.catalogue import CatalogueUnavailable, QuoteRejected
from request_service.domain.text import Bilingual
from request_service.domain.workflow import (
    BACK_OFFICE,
    FINAL_STATES,
    ON_BEHALF_ROLES,
    State,
    TransitionRefused,
    authorize,
    check_condition,
    duration_bucket,
    outcome_of,
)
from request_service.models import Application, StateChange
from request_service.queries import applications, officers, state_changes
from request_service.schemas import TransitionIn
from request_service.services import access, audit
from request_service.services.guards import catalogue_down, check_version
from request_service.services.views import workflow_of


def refused(exc: TransitionRefused) -> Problem:
    return Problem(exc.status, exc.code, exc.detail)


async def _quote_on_leaving_review(
    adapters: Adapters, application: Application, now: datetime
) -> tuple[int, list[dict[str, object]] | None]:
    """The fee due now (the snapshot taken when the application leaves review)."""
    on = cairo_date(now)
    try:
        service = await adapters.catalogue.service(
            application.service_code, application.governorate, on
        )
        if service is None or not service.has_fees:
            return 0, None
        inputs = {
            k: application.form_data[k] for k in service.fee_inputs if k in application.form_data
        }
        quote = await adapters.catalogue.quote(service.code, application.governorate, on, inputs)
    except CatalogueUnavailable as exc:
        raise catalogue_down(exc) from exc
    except QuoteRejected as exc:
        raise Problem(
            409,
            "fee_not_computable",
            "the fee schedule refuses this application's form",
            errors=exc.errors,
        ) from exc
    return quote.total_piasters, quote.lines_json()


def never_assigned_to(application: Application, *others: str) -> tuple[str, ...]:
    """Officers least-loaded assignment must pass over: the intake clerk, and ``others``."""
    clerk = access.intake_clerk(application)  # never its officer (separation of duties)
    return (*others, clerk) if clerk else others


async def apply(
    session: AsyncSession,
    adapters: Adapters,
    application: Application,
    target: State,
    *,
    actor_id: str,
    actor_role: str,
    reason: Bilingual | None,
    now: datetime,
    details: dict[str, object] | None = None,
) -> StateChange:
    """Make the change (the caller has authorised it): durations, SLA, records, events."""
    source = State(application.state)
    calendar = await adapters.calendars.get(session, cairo_date(now))
    bucket = duration_bucket(source)
    spent = max(0, int((now - application.state_entered_at).total_seconds()))
    if bucket == "waiting":
        application.waiting_seconds += spent
    elif bucket == "processing":
        application.processing_seconds += spent
    elif bucket == "returned":
        application.returned_seconds += spent

    if source == State.RETURNED_TO_CITIZEN and application.returned_at is not None:
        paused = calendar.paused_days(application.returned_at, now)
        application.paused_working_days += paused
        application.returned_at = None
        if application.due_at is not None and paused:
            # Extended by the days lost, after the deadline already set (never recomputed).
            application.due_at = calendar.extend(application.due_at, paused)
    if target == State.RETURNED_TO_CITIZEN:
        application.returned_at = now
    if target == State.IN_PROCESSING and application.assigned_officer_id is None:
        application.assigned_officer_id = await officers.least_loaded(
            session,
            application.department_code,
            application.jurisdiction,
            exclude=never_assigned_to(application),
        )
    if target in (State.APPROVED, State.REJECTED):
        application.decided_at = now
        application.decided_by = actor_id
    if target in FINAL_STATES:
        application.completed_at = now
        application.outcome = outcome_of(target)

    application.state = target.value
    application.state_entered_at = now
    application.updated_at = now
    application.version += 1
    change = StateChange(
        id=new_id(),
        application_id=application.id,
        at=now,
        from_state=source.value,
        to_state=target.value,
        actor_id=actor_id,
        actor_role=actor_role,
        reason_ar=reason.ar if reason else None,
        reason_en=reason.en if reason else None,
        request_id=context.request_id.get(),
    )
    state_changes.add(session, change)
    published = [
        events.status_changed(
            application,
            source=source,
            target=target,
            actor_role=actor_role,
            actor_id=actor_id,
            reason=reason,
            at=now,
        )
    ]
    if target in FINAL_STATES:
        published.append(events.completed(application, calendar, now))
    await record(session, *published)
    await audit.record(
        session,
        at=now,
        actor_id=actor_id,
        actor_role=actor_role,
        action="transition",
        application_id=application.id,
        from_state=source.value,
        to_state=target.value,
        reason=reason,
        details=details,
    )
    return change


async def transition(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    application_id: uuid.UUID,
    expected_version: int,
    body: TransitionIn,
) -> Application:
    application = access.readable(
        adapters, principal, await applications.get(session, application_id, for_update=True)
    )
    check_version(application, expected_version)
    now = adapters.now()
    reason = body.reason.bilingual() if body.reason else None
    roles = await access.acting_roles(session, adapters, principal, application)
    try:
        rule, role = authorize(
            workflow_of(application),
            State(application.state),
            body.to,
            roles,
            by_intake_clerk=access.by_intake_clerk(principal, application),
            has_reason=reason is not None,
        )
    except TransitionRefused as exc:
        raise refused(exc) from exc
    if role == BACK_OFFICE:
        if application.assigned_officer_id not in (None, principal.subject):
            raise Problem(
                403, "assigned_to_another_officer", "another officer handles this application"
            )
        application.assigned_officer_id = principal.subject
    details: dict[str, object] = {}
    if body.to == State.CANCELLED and role in ON_BEHALF_ROLES:
        details["on_behalf_of_applicant"] = True  # a clerk or manager, at the citizen's request
    if rule.when is not None:
        amount, lines = await _quote_on_leaving_review(adapters, application, now)
        try:
            check_condition(rule, fee_due=amount > 0)
        except TransitionRefused as exc:
            raise refused(exc) from exc
        if body.to == State.AWAITING_PAYMENT:
            application.amount_due_piasters = amount
            application.fee_lines = lines
            application.fee_quoted_at = now
            details["amount_due_piasters"] = amount
    await apply(
        session,
        adapters,
        application,
        body.to,
        actor_id=principal.subject,
        actor_role=role,
        reason=reason,
        now=now,
        details=details,
    )
    return application
