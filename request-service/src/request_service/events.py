"""The events this service publishes (docs/contracts.md, request-service events).

Every ``request.*`` event carries the common fields, so a consumer (the KPI
service above all) can be built from the events alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mahaliyat import context
from mahaliyat.calendar import WorkingCalendar
from mahaliyat.events import CloudEvent
from request_service.domain.text import Bilingual
from request_service.domain.workflow import State, outcome_of
from request_service.models import Application
from request_service.services.access import intake_clerk

SOURCE = "/request"
CURRENCY = "EGP"
ADJUSTMENT = {"ar": "تسوية", "en": "Adjustment"}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def common(application: Application, at: datetime) -> dict[str, Any]:
    return {
        "application_id": str(application.id),
        "tracking_number": application.tracking_number,
        "service_code": application.service_code,
        "service_name": {"ar": application.service_name_ar, "en": application.service_name_en},
        "department_code": application.department_code,
        "channel": application.channel,
        "centre_code": application.centre_code,
        "jurisdiction": application.jurisdiction,
        "governorate": application.governorate,
        "applicant": {
            "ref": application.applicant_ref,
            "phone": application.applicant_phone,
            "language": application.applicant_language,
        },
        "state": application.state,
        "at": at.isoformat(),
    }


def _event(kind: str, application: Application, data: dict[str, Any], at: datetime) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type=f"request.{kind}",
        subject=str(application.id),
        time=at,
        requestid=context.request_id.get(),
        data=data,
    )


def submitted(application: Application) -> CloudEvent:
    at = application.submitted_at
    data = common(application, at)
    data.update(
        sla_days=application.sla_days,
        due_at=_iso(application.due_at),
        fee_piasters=application.fee_piasters,
        intake_actor_id=intake_clerk(application),
    )
    return _event("submitted", application, data, at)


def fee_lines(application: Application) -> list[dict[str, Any]]:
    """The lines of the amount due, summing to it: an adjusting line closes any gap."""
    due = application.amount_due_piasters or 0
    lines = [
        {
            "code": line.get("item_code"),
            "name": line["name"],
            "quantity": str(line.get("quantity", "1")),
            "amount_piasters": int(line["amount_piasters"]),
        }
        for line in application.fee_lines or ()
    ]
    gap = due - sum(line["amount_piasters"] for line in lines)
    if gap:
        lines.append({"code": None, "name": ADJUSTMENT, "quantity": "1", "amount_piasters": gap})
    return lines


def status_changed(
    application: Application,
    *,
    source: State,
    target: State,
    actor_role: str,
    actor_id: str,
    reason: Bilingual | None,
    at: datetime,
) -> CloudEvent:
    data = common(application, at)
    data.update(
        {
            "from": source.value,
            "to": target.value,
            "actor_role": actor_role,
            "actor_id": actor_id,
            "reason": reason.as_dict() if reason else None,
            "due_at": _iso(application.due_at),
        }
    )
    if target == State.AWAITING_PAYMENT:
        lines = fee_lines(application)
        data.update(
            amount_due_piasters=application.amount_due_piasters,
            fee_lines=lines,
            fee_total_piasters=sum(line["amount_piasters"] for line in lines),
            currency=CURRENCY,
        )
    return _event("status_changed", application, data, at)


def sla_stopped_at(application: Application) -> datetime | None:
    """The SLA clock stops at the decision, or at the end for a cancelled application."""
    return application.decided_at or application.completed_at


def sla_met(application: Application) -> bool | None:
    """Decided by the deadline; None for a cancelled application (nothing was decided)."""
    if application.outcome == "cancelled":
        return None
    stopped = sla_stopped_at(application)
    return application.due_at is None or stopped is None or stopped <= application.due_at


def completed(application: Application, calendar: WorkingCalendar, at: datetime) -> CloudEvent:
    final = State(application.state)
    stopped = sla_stopped_at(application) or at
    data = common(application, at)
    data.update(
        outcome=outcome_of(final),
        submitted_at=application.submitted_at.isoformat(),
        completed_at=at.isoformat(),
        decided_at=_iso(application.decided_at),
        waiting_seconds=application.waiting_seconds,
        processing_seconds=application.processing_seconds,
        returned_seconds=application.returned_seconds,
        working_days_taken=calendar.working_days_taken(
            application.submitted_at, stopped, application.paused_working_days
        ),
        sla_days=application.sla_days,
        due_at=_iso(application.due_at),
        sla_met=sla_met(application),
        officer_ref=application.decided_by or application.assigned_officer_id,
        intake_actor_id=intake_clerk(application),
        fee_piasters=(
            application.amount_due_piasters
            if application.amount_due_piasters is not None
            else application.fee_piasters
        ),
        paid_piasters=application.paid_piasters or 0,  # as the payment event said, not as due
    )
    return _event("completed", application, data, at)


def escalated(application: Application, at: datetime) -> CloudEvent:
    data = common(application, at)
    assert application.due_at is not None
    data.update(
        due_at=application.due_at.isoformat(),
        overdue_seconds=int((at - application.due_at).total_seconds()),
        escalated_to_role="centre_manager",
        escalated_to_jurisdiction=application.jurisdiction,
        officer_ref=application.assigned_officer_id,
    )
    return _event("escalated", application, data, at)


def audit_checkpoint(
    seq: int, digest: str, at: datetime, previous: tuple[int, str] | None
) -> CloudEvent:
    """The audit chain's head: whoever keeps these can tell if the chain is rewritten later."""
    return CloudEvent(
        source=SOURCE,
        type="request.audit_checkpoint",
        subject=f"audit/{seq}",
        time=at,
        data={
            "seq": seq,
            "hash": digest,
            "at": at.isoformat(),
            "previous_seq": previous[0] if previous else None,
            "previous_hash": previous[1] if previous else None,
        },
    )
