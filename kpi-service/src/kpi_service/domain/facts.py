"""From an event (a CloudEvent as a dict) to the typed facts the indicators are built on.

Every fact keeps the id and time of the event it came from. Optional fields may be missing
(a fact then carries ``None`` or a documented default); a field an indicator needs that is
missing or malformed makes the whole event a :class:`BadEvent` naming those fields, which
goes to the data-quality list instead of the rollups. Nothing here raises anything else for
bad input. Event types the KPIs do not use give no facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kpi_service.domain.days import WorkingDays, cairo_date

CHANNELS = frozenset({"centre", "mobile_centre", "portal", "app", "partner_api"})
DIGITAL_CHANNELS = frozenset({"portal", "app", "partner_api"})
OUTCOMES = frozenset({"approved", "rejected", "cancelled"})
RETURNED = "returned_to_citizen"
# Actors whose status changes are not the office's "first action" on an application.
NON_STAFF_ROLES = frozenset({"citizen", "partner", "system"})
SMS_KINDS = frozenset({"sent", "delivered", "failed"})
LICENCE_KINDS = frozenset({"licence_issued", "renewed", "expired", "revoked"})
FINAL_DECISIONS = frozenset({"approved", "rejected"})
DECISIONS = frozenset({"approved", "rejected", "returned"})
SATISFACTION_VIA = frozenset({"sms", "portal", "app"})


@dataclass(frozen=True, slots=True)
class BadEvent(Exception):
    """An event the KPIs cannot use: the fields missing and the fields present but malformed."""

    event_id: str
    event_type: str
    missing: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"event {self.event_id or '?'} ({self.event_type or '?'}): "
            f"missing {list(self.missing)}, invalid {list(self.invalid)}"
        )


@dataclass(frozen=True, slots=True, order=True)
class Dims:
    """Where a fact belongs: the dimensions every rollup cell is keyed by (besides day, officer)."""

    jurisdiction: str
    governorate: str
    centre: str | None
    service: str
    channel: str


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


@dataclass(frozen=True, slots=True)
class PaymentSucceeded:
    """``payment.succeeded``."""

    event_id: str
    at: datetime
    payment_id: str
    dims: Dims
    method: str
    amount_piasters: int
    application_id: str | None = None
    invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRefunded:
    """``payment.refunded``."""

    event_id: str
    at: datetime
    refund_id: str
    dims: Dims
    method: str
    amount_piasters: int
    payment_id: str | None = None


@dataclass(frozen=True, slots=True)
class SmsStatus:
    """``notification.sms.sent`` / ``.delivered`` / ``.failed``."""

    event_id: str
    at: datetime
    message_id: str
    kind: str
    reference: str | None = None
    attempts: int | None = None
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class CaseOpened:
    """``licensing.case_opened``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    family: str  # building | shop
    clock_days: int | None = None
    inspections_required: tuple[str, ...] = ()
    application_id: str | None = None


@dataclass(frozen=True, slots=True)
class InspectionRecorded:
    """``licensing.inspection_recorded``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    authority: str


@dataclass(frozen=True, slots=True)
class CaseDecided:
    """``licensing.decision_made`` (``deemed`` False) or ``licensing.deemed_approved`` (True)."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    decision: str  # approved | rejected | returned
    clock_met: bool
    deemed: bool = False
    working_days_taken: int | None = None

    @property
    def final(self) -> bool:
        return self.decision in FINAL_DECISIONS


@dataclass(frozen=True, slots=True)
class LicenceChanged:
    """``licensing.licence_issued`` / ``.renewed`` / ``.expired`` / ``.revoked``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    kind: str
    licence_number: str | None = None


@dataclass(frozen=True, slots=True)
class SatisfactionAnswered:
    """``kpi.satisfaction.recorded``: a citizen's score for one application."""

    event_id: str
    at: datetime
    application_id: str
    dims: Dims
    score: int
    via: str = "sms"
    officer: str | None = None


Fact = (
    Filed
    | StatusChanged
    | Completed
    | Escalated
    | PaymentSucceeded
    | PaymentRefunded
    | SmsStatus
    | CaseOpened
    | InspectionRecorded
    | CaseDecided
    | LicenceChanged
    | SatisfactionAnswered
)


def order_key(fact: Fact) -> tuple[datetime, str]:
    """The order facts are compared in: event time, ties broken by event id."""
    return (fact.at, fact.event_id)


@dataclass(slots=True)
class _Reader:
    """Reads fields of one event, collecting every missing or malformed one before failing."""

    event_id: str
    event_type: str
    data: Mapping[str, Any]
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def _raw(self, name: str) -> Any:
        value: Any = self.data
        for part in name.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(part)
        return value

    def text(
        self, name: str, *, required: bool = True, choices: frozenset[str] | None = None
    ) -> str:
        value = self._raw(name)
        if value is None or value == "":
            if required:
                self.missing.append(name)
            return ""
        if not isinstance(value, str) or (choices is not None and value not in choices):
            self.invalid.append(name)
            return ""
        return value

    def optional_text(self, name: str) -> str | None:
        value = self._raw(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.invalid.append(name)
            return None
        return value

    def integer(self, name: str, *, required: bool = True, minimum: int = 0) -> int | None:
        value = self._raw(name)
        if value is None:
            if required:
                self.missing.append(name)
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.invalid.append(name)
            return None
        return value

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        value = self._raw(name)
        if value is None:
            if required:
                self.missing.append(name)
            return None
        if not isinstance(value, bool):
            self.invalid.append(name)
            return None
        return value

    def instant(self, name: str, *, required: bool = True) -> datetime | None:
        value = self._raw(name)
        if value is None or value == "":
            if required:
                self.missing.append(name)
            return None
        moment = parse_instant(value)
        if moment is None:
            self.invalid.append(name)
        return moment

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._raw(name)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.invalid.append(name)
            return ()
        return tuple(sorted(set(value)))

    def dims(self, *, channel_required: bool = True) -> Dims:
        service = self.text("service_code")
        jurisdiction = self.text("jurisdiction", required=False)
        centre = self.optional_text("centre_code")
        governorate = self.optional_text("governorate")
        if not jurisdiction:
            jurisdiction = centre or governorate or ""
            if not jurisdiction:
                self.missing.append("jurisdiction")
        if governorate is None:
            governorate = jurisdiction.split("-")[0] if jurisdiction else ""
        channel = (
            self.text("channel", choices=CHANNELS)
            if channel_required
            else (self.optional_text("channel") or "")
        )
        return Dims(jurisdiction, governorate, centre, service, channel)

    def fail_if_bad(self) -> None:
        if self.missing or self.invalid:
            raise BadEvent(
                self.event_id,
                self.event_type,
                tuple(dict.fromkeys(self.missing)),
                tuple(dict.fromkeys(self.invalid)),
            )


def parse_instant(value: Any) -> datetime | None:
    """An aware instant from an ISO 8601 string or an aware datetime; None otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else None


def facts_of(
    event: Mapping[str, Any], *, working_days: WorkingDays | None = None
) -> tuple[Fact, ...]:
    """The facts one event gives; raises :class:`BadEvent` (and nothing else) for a bad one.

    ``working_days`` is used only for a ``request.completed`` that carries neither
    ``sla_met`` nor ``working_days_taken``: the working days from filing to completion
    (without pauses) are then compared with ``sla_days``.
    """
    raw_id, raw_type = event.get("id"), event.get("type")
    event_id = raw_id if isinstance(raw_id, str) else ""
    event_type = raw_type if isinstance(raw_type, str) else ""
    envelope = _Reader(event_id, event_type, event)
    if not event_id:
        envelope.missing.append("id")
    if not event_type:
        envelope.missing.append("type")
    at = envelope.instant("time")
    data = event.get("data")
    if not isinstance(data, Mapping):
        envelope.missing.append("data")
    envelope.fail_if_bad()
    assert at is not None
    assert isinstance(data, Mapping)
    subject = event.get("subject") if isinstance(event.get("subject"), str) else None
    reader = _Reader(event_id, event_type, data)
    builder = _BUILDERS.get(event_type)
    if builder is None:
        return ()
    fact = builder(reader, event_id, at, subject, working_days)
    reader.fail_if_bad()
    return () if fact is None else (fact,)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a batch of events gave: the facts, and the events the KPIs could not use."""

    facts: tuple[Fact, ...]
    bad: tuple[BadEvent, ...]


def read_events(
    events: Iterable[Mapping[str, Any]], *, working_days: WorkingDays | None = None
) -> Reading:
    facts: list[Fact] = []
    bad: list[BadEvent] = []
    for event in events:
        try:
            facts.extend(facts_of(event, working_days=working_days))
        except BadEvent as problem:
            bad.append(problem)
    return Reading(tuple(facts), tuple(bad))


def _application_id(reader: _Reader, subject: str | None) -> str:
    found = reader.optional_text("application_id") or subject
    if not found:
        reader.missing.append("application_id")
        return ""
    return found


def _moment(reader: _Reader, name: str, fallback: datetime) -> datetime:
    return reader.instant(name, required=False) or fallback


def _submitted(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return Filed(
        event_id=event_id,
        at=_moment(r, "at", at),
        application_id=_application_id(r, subject),
        dims=r.dims(),
        sla_days=r.integer("sla_days", required=False),
        due_at=r.instant("due_at", required=False),
        fee_piasters=r.integer("fee_piasters", required=False) or 0,
        intake_officer=r.optional_text("intake_actor_id"),
    )


def _status_changed(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    has_dims = r._raw("service_code") is not None
    return StatusChanged(
        event_id=event_id,
        at=_moment(r, "at", at),
        application_id=_application_id(r, subject),
        to_state=r.text("to"),
        from_state=r.optional_text("from"),
        actor_role=r.optional_text("actor_role"),
        actor=r.optional_text("actor_id"),
        due_at=r.instant("due_at", required=False),
        dims=r.dims() if has_dims else None,
    )


def _completed(
    r: _Reader, event_id: str, at: datetime, subject: str | None, days: WorkingDays | None
) -> Fact:
    application_id = _application_id(r, subject)
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
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return Escalated(
        event_id=event_id,
        at=_moment(r, "at", at),
        application_id=_application_id(r, subject),
        dims=r.dims(),
        officer=r.optional_text("officer_ref"),
        overdue_seconds=r.integer("overdue_seconds", required=False),
    )


def _payment_key(r: _Reader, subject: str | None, name: str) -> str:
    found = r.optional_text(name) or subject
    if not found:
        r.missing.append(name)
        return ""
    return found


def _payment_succeeded(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return PaymentSucceeded(
        event_id=event_id,
        at=_moment(r, "paid_at", at),
        payment_id=_payment_key(r, subject, "payment_id"),
        dims=r.dims(channel_required=False),
        method=r.text("method"),
        amount_piasters=r.integer("amount_piasters", minimum=1) or 0,
        application_id=r.optional_text("application_id"),
        invoice_id=r.optional_text("invoice_id"),
    )


def _payment_refunded(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return PaymentRefunded(
        event_id=event_id,
        at=_moment(r, "refunded_at", at),
        refund_id=_payment_key(r, subject, "refund_id"),
        dims=r.dims(channel_required=False),
        method=r.text("method"),
        amount_piasters=r.integer("amount_piasters", minimum=1) or 0,
        payment_id=r.optional_text("payment_id"),
    )


def _sms(kind: str) -> _Builder:
    def build(
        r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
    ) -> Fact:
        message_id = r.optional_text("message_id") or subject
        if not message_id:
            r.missing.append("message_id")
        return SmsStatus(
            event_id=event_id,
            at=at,
            message_id=message_id or "",
            kind=kind,
            reference=r.optional_text("reference"),
            attempts=r.integer("attempts", required=False),
            error_code=r.optional_text("error_code"),
        )

    return build


def _case_id(r: _Reader, subject: str | None) -> str:
    found = r.optional_text("case_id") or subject
    if not found:
        r.missing.append("case_id")
        return ""
    return found


def _case_opened(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return CaseOpened(
        event_id=event_id,
        at=_moment(r, "at", at),
        case_id=_case_id(r, subject),
        dims=r.dims(channel_required=False),
        family=r.text("family", choices=frozenset({"building", "shop"})),
        clock_days=r.integer("clock_days", required=False),
        inspections_required=r.texts("inspections_required"),
        application_id=r.optional_text("application_id"),
    )


def _inspection(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return InspectionRecorded(
        event_id=event_id,
        at=_moment(r, "at", at),
        case_id=_case_id(r, subject),
        dims=r.dims(channel_required=False),
        authority=r.text("authority"),
    )


def _decision(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    decision = r.text("decision", choices=DECISIONS)
    clock_met = r.boolean("clock_met", required=decision in FINAL_DECISIONS)
    return CaseDecided(
        event_id=event_id,
        at=_moment(r, "at", at),
        case_id=_case_id(r, subject),
        dims=r.dims(channel_required=False),
        decision=decision,
        clock_met=bool(clock_met),
        working_days_taken=r.integer("working_days_taken", required=False),
    )


def _deemed(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    return CaseDecided(
        event_id=event_id,
        at=_moment(r, "at", at),
        case_id=_case_id(r, subject),
        dims=r.dims(channel_required=False),
        decision="approved",
        clock_met=False,  # the administration let the statutory clock run out
        deemed=True,
        working_days_taken=r.integer("working_days_taken", required=False),
    )


def _licence(kind: str) -> _Builder:
    def build(
        r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
    ) -> Fact:
        return LicenceChanged(
            event_id=event_id,
            at=_moment(r, "at", at),
            case_id=_case_id(r, subject),
            dims=r.dims(channel_required=False),
            kind=kind,
            licence_number=r.optional_text("licence_number"),
        )

    return build


def _satisfaction(
    r: _Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> Fact:
    score = r.integer("score", minimum=1)
    if score is not None and score > 5:
        r.invalid.append("score")
    return SatisfactionAnswered(
        event_id=event_id,
        at=_moment(r, "answered_at", at),
        application_id=_application_id(r, subject),
        dims=r.dims(),
        score=score or 0,
        via=r.text("via", required=False, choices=SATISFACTION_VIA) or "sms",
        officer=r.optional_text("officer_ref"),
    )


_Builder = Callable[[_Reader, str, datetime, str | None, WorkingDays | None], Fact | None]

_BUILDERS: dict[str, _Builder] = {
    "request.submitted": _submitted,
    "request.status_changed": _status_changed,
    "request.completed": _completed,
    "request.escalated": _escalated,
    "payment.succeeded": _payment_succeeded,
    "payment.refunded": _payment_refunded,
    "notification.sms.sent": _sms("sent"),
    "notification.sms.delivered": _sms("delivered"),
    "notification.sms.failed": _sms("failed"),
    "licensing.case_opened": _case_opened,
    "licensing.inspection_recorded": _inspection,
    "licensing.decision_made": _decision,
    "licensing.deemed_approved": _deemed,
    "licensing.licence_issued": _licence("licence_issued"),
    "licensing.renewed": _licence("renewed"),
    "licensing.expired": _licence("expired"),
    "licensing.revoked": _licence("revoked"),
    "kpi.satisfaction.recorded": _satisfaction,
}

SOURCE_EVENTS: tuple[str, ...] = tuple(_BUILDERS)
