"""Facts of an application's life in request-service: filed, status changes, completed, escalated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kpi_service.domain.days import WorkingDays, cairo_date
from kpi_service.domain.facts.reader import Builder, Dims, Reader

OUTCOMES = frozenset({"approved", "rejected", "cancelled"})
RETURNED = "returned_to_citizen"
# Actors whose status changes are not the office's "first action" on an application.
NON_STAFF_ROLES = frozenset({"citizen", "partner", "system"})


@dataclass(frozen=True, slots=True)
class Filed:
    """``request.submitted``: an application was filed."""

    event_id: str
    at: datetime
    application_id: str
    dims: Dims
    sla_days: int | None = None
    due_at: datetime | None = None
    fee_piasters: int = 0
    intake_officer: str | None = None  # the clerk who took it in (walk-in channels)


@dataclass(frozen=True, slots=True)
class StatusChanged:
    """``request.status_changed``."""

    event_id: str
    at: datetime
    application_id: str
    to_state: str
    from_state: str | None = None
    actor_role: str | None = None
    actor: str | None = None
    due_at: datetime | None = None
    dims: Dims | None = None

    @property
    def by_staff(self) -> bool:
        return self.actor_role not in NON_STAFF_ROLES


@dataclass(frozen=True, slots=True)
class Completed:
    """``request.completed``: delivered, rejected or cancelled."""

    event_id: str
    at: datetime
    application_id: str
    dims: Dims
    outcome: str
    submitted_at: datetime
    completed_at: datetime
    returned_seconds: int = 0
    processing_seconds: int | None = None
    working_days_taken: int | None = None
    sla_days: int | None = None
    sla_met: bool | None = None  # None: cancelled, or not known
    due_at: datetime | None = None
    officer: str | None = None
    fee_piasters: int = 0
    paid_piasters: int = 0

    @property
    def decided(self) -> bool:
        return self.outcome != "cancelled"

    @property
    def held_seconds(self) -> int:
        """Filing to completion, less the time it waited on the citizen (never negative)."""
        elapsed = int((self.completed_at - self.submitted_at).total_seconds())
        return max(0, elapsed - self.returned_seconds)


@dataclass(frozen=True, slots=True)
class Escalated:
    """``request.escalated``: a deadline passed without a decision."""

    event_id: str
    at: datetime
    application_id: str
    dims: Dims
    officer: str | None = None
    overdue_seconds: int | None = None


RequestFact = Filed | StatusChanged | Completed | Escalated


def _submitted(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Filed:
    return Filed(
        event_id=event_id,
        at=r.instant_or("at", at),
        application_id=r.identifier("application_id", subject),
        dims=r.dims(),
        sla_days=r.integer("sla_days", required=False),
        due_at=r.instant("due_at", required=False),
        fee_piasters=r.integer("fee_piasters", required=False) or 0,
        intake_officer=r.optional_text("intake_actor_id"),
    )


def _status_changed(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> StatusChanged:
    has_dims = r.raw("service_code") is not None
    return StatusChanged(
        event_id=event_id,
        at=r.instant_or("at", at),
        application_id=r.identifier("application_id", subject),
        to_state=r.text("to"),
        from_state=r.optional_text("from"),
        actor_role=r.optional_text("actor_role"),
        actor=r.optional_text("actor_id"),
        due_at=r.instant("due_at", required=False),
        dims=r.dims() if has_dims else None,
    )


def _completed(
    r: Reader, event_id: str, at: datetime, subject: str | None, days: WorkingDays | None
) -> Completed:
    application_id = r.identifier("application_id", subject)
    dims = r.dims()
    outcome = r.text("outcome", choices=OUTCOMES)
    submitted_at = r.instant("submitted_at")
    completed_at = r.instant("completed_at", required=False) or at
    taken = r.integer("working_days_taken", required=False)
    sla_days = r.integer("sla_days", required=False)
    sla_met = r.boolean("sla_met", required=False)
    if outcome == "cancelled":
        sla_met = None
    elif sla_met is None and sla_days is not None:
        if taken is None and days is not None and submitted_at is not None:
            taken = days.between(cairo_date(submitted_at), cairo_date(completed_at))
        if taken is not None:
            sla_met = taken <= sla_days
    return Completed(
        event_id=event_id,
        at=at,
        application_id=application_id,
        dims=dims,
        outcome=outcome,
        submitted_at=submitted_at or at,
        completed_at=completed_at,
        returned_seconds=r.integer("returned_seconds", required=False) or 0,
        processing_seconds=r.integer("processing_seconds", required=False),
        working_days_taken=taken,
        sla_days=sla_days,
        sla_met=sla_met,
        due_at=r.instant("due_at", required=False),
        officer=r.optional_text("officer_ref"),
        fee_piasters=r.integer("fee_piasters", required=False) or 0,
        paid_piasters=r.integer("paid_piasters", required=False) or 0,
    )


def _escalated(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Escalated:
    return Escalated(
        event_id=event_id,
        at=r.instant_or("at", at),
        application_id=r.identifier("application_id", subject),
        dims=r.dims(),
        officer=r.optional_text("officer_ref"),
        overdue_seconds=r.integer("overdue_seconds", required=False),
    )


BUILDERS: Mapping[str, Builder[RequestFact]] = {
    "request.submitted": _submitted,
    "request.status_changed": _status_changed,
    "request.completed": _completed,
    "request.escalated": _escalated,
}
