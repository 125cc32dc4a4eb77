"""Request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mahaliyat.problems import Problem, field_error
from request_service.domain.text import Bilingual
from request_service.domain.workflow import State

M = TypeVar("M", bound=BaseModel)


class Text(BaseModel):
    ar: str
    en: str

    @classmethod
    def of(cls, value: Bilingual) -> Text:
        return cls(ar=value.ar, en=value.en)


# --- input ----------------------------------------------------------------------------------


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicantIn(Input):
    """Who applies. A citizen filing for themselves may leave out what their token says."""

    national_id: str | None = Field(default=None, min_length=1, max_length=40)
    phone: str | None = Field(default=None, min_length=1, max_length=40)
    language: Literal["ar", "en"] | None = None


class SubmissionIn(Input):
    """An application. Citizens and partners name the ``governorate``; clerks the ``centre_code``."""

    service_code: str = Field(min_length=1, max_length=40)
    governorate: str | None = Field(default=None, max_length=2)
    centre_code: str | None = Field(default=None, max_length=40)
    channel: Literal["portal", "app"] | None = None
    applicant: ApplicantIn = Field(default_factory=ApplicantIn)
    form: dict[str, Any] = Field(default_factory=dict)


class TextIn(Input):
    """Bilingual text as typed: either language may be left out (the other fills it)."""

    ar: str | None = Field(default=None, max_length=2000)
    en: str | None = Field(default=None, max_length=2000)

    def bilingual(self) -> Bilingual | None:
        value = Bilingual.of({"ar": self.ar, "en": self.en})
        return value or None


class TransitionIn(Input):
    to: State
    reason: TextIn | None = None


class AssignmentIn(Input):
    officer_id: str | None = Field(default=None, max_length=200)


class OfficerIn(Input):
    jurisdiction: str = Field(min_length=2, max_length=60)
    departments: list[str] = Field(min_length=1, max_length=20)
    active: bool = True


class StatusInquiryIn(Input):
    tracking_number: str = Field(min_length=1, max_length=40)
    national_id_last4: str = Field(min_length=1, max_length=10)


class HolidayIn(Input):
    name: TextIn
    approximate: bool = False


def parse_model(model: type[M], data: Any, where: str) -> M:
    """Validate ``data`` (already parsed JSON) into ``model``; 422 naming each field otherwise."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Problem(
            422,
            "validation_failed",
            errors=[
                field_error(
                    ".".join([where, *(str(p) for p in error["loc"])]).strip("."),
                    str(error["type"]),
                    str(error["msg"]),
                )
                for error in exc.errors()
            ],
        ) from None


# --- output ---------------------------------------------------------------------------------


class ServiceRef(BaseModel):
    code: str
    name: Text


class ApplicantOut(BaseModel):
    national_id: str
    phone: str
    language: str


class DocumentOut(BaseModel):
    id: uuid.UUID
    code: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime
    href: str


class TimelineEntry(BaseModel):
    state: str
    state_name: Text
    from_state: str | None
    at: datetime
    reason: Text | None = None
    actor_role: str | None = None  # staff views only
    actor_id: str | None = None  # staff views only; never shown to citizens


class FeeLine(BaseModel):
    item_code: str
    name: Text
    quantity: str
    amount_piasters: int


class StaffDetails(BaseModel):
    department_code: str
    intake_actor_id: str
    intake_actor_role: str
    assigned_officer_id: str | None
    escalated: bool
    waiting_seconds: int
    processing_seconds: int
    returned_seconds: int
    paused_working_days: int


class ApplicationOut(BaseModel):
    id: uuid.UUID
    tracking_number: str
    version: int
    state: str
    state_name: Text
    next_step: Text
    service: ServiceRef
    channel: str
    centre_code: str | None
    jurisdiction: str
    governorate: str
    applicant: ApplicantOut
    form: dict[str, Any]
    submitted_at: datetime
    updated_at: datetime
    sla_days: int | None
    due_at: datetime | None
    fee_piasters: int
    amount_due_piasters: int | None
    fee_lines: list[FeeLine] | None
    paid_at: datetime | None
    paid_piasters: int | None = None
    decided_at: datetime | None
    completed_at: datetime | None
    outcome: str | None
    documents: list[DocumentOut]
    timeline: list[TimelineEntry]
    allowed_transitions: list[str]
    staff: StaffDetails | None = None


class ApplicationSummary(BaseModel):
    id: uuid.UUID
    tracking_number: str
    version: int
    state: str
    state_name: Text
    service: ServiceRef
    channel: str
    centre_code: str | None
    jurisdiction: str
    submitted_at: datetime
    updated_at: datetime
    due_at: datetime | None
    assigned_officer_id: str | None = None


class ApplicationList(BaseModel):
    items: list[ApplicationSummary]
    limit: int
    offset: int


class Inbox(BaseModel):
    role: str
    items: list[ApplicationSummary]
    total: int
    counts: dict[str, int]
    limit: int
    offset: int


class PublicStatus(BaseModel):
    tracking_number: str
    state: str
    state_name: Text
    next_step: Text
    service_name: Text
    updated_at: datetime
    due_at: datetime | None
    reason: Text | None


class ServiceInquiry(BaseModel):
    """The shape notification-service relies on (docs/contracts.md)."""

    tracking_number: str
    state: str
    service_name: Text
    applicant_phone: str
    language: str
    updated_at: datetime
    due_at: datetime | None
    next_step: Text


class BrokenLinkOut(BaseModel):
    seq: int
    problem: str
    expected: str
    found: str


class StaleEntryOut(BaseModel):
    """An audit entry still unsealed after the allowed delay (is the sealer running?)."""

    id: uuid.UUID
    at: datetime
    action: str
    application_id: uuid.UUID | None


class AuditVerification(BaseModel):
    ok: bool = Field(description="no broken link and no entry unsealed past the allowed delay")
    checked: int = Field(description="sealed entries checked")
    head_seq: int
    first_broken: BrokenLinkOut | None
    pending: int = Field(description="entries written but not sealed into the chain yet")
    oldest_pending_at: datetime | None
    stale: int = Field(description="pending entries older than stale_after_seconds")
    stale_after_seconds: float
    first_stale: StaleEntryOut | None


class AuditEntryOut(BaseModel):
    seq: int | None = Field(description="position in the chain; null until sealed")
    sealed: bool
    id: uuid.UUID
    at: datetime
    actor_id: str
    actor_role: str
    action: str
    application_id: uuid.UUID | None
    from_state: str | None
    to_state: str | None
    reason: dict[str, str] | None
    request_id: str | None
    details: dict[str, Any]
    hash: str | None


class OfficerOut(BaseModel):
    officer_id: str
    department_code: str
    jurisdiction: str
    active: bool
    updated_by: str
    updated_at: datetime


class HandoverOut(BaseModel):
    application_id: uuid.UUID
    tracking_number: str
    to_officer: str | None = Field(description="null: the first serving officer to act takes it")


class OfficerDeactivated(BaseModel):
    registrations: list[OfficerOut]
    reassigned: list[HandoverOut]


class EscalationOut(BaseModel):
    application: ApplicationSummary
    due_at: datetime
    escalated_at: datetime


class HolidayOut(BaseModel):
    day: date
    name: Text
    approximate: bool
