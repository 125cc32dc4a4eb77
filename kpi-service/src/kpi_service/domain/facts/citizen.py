"""Facts of what the citizen is told and answers: SMS receipts and satisfaction scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kpi_service.domain.days import WorkingDays
from kpi_service.domain.facts.reader import Builder, Dims, Reader

SMS_KINDS = frozenset({"sent", "delivered", "failed"})
SATISFACTION_VIA = frozenset({"sms", "portal", "app"})


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
class SatisfactionAnswered:
    """``kpi.satisfaction.recorded``: a citizen's score for one application."""

    event_id: str
    at: datetime
    application_id: str
    dims: Dims
    score: int
    via: str = "sms"
    officer: str | None = None


def _sms(kind: str) -> Builder[SmsStatus]:
    def build(
        r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
    ) -> SmsStatus:
        return SmsStatus(
            event_id=event_id,
            at=at,
            message_id=r.identifier("message_id", subject),
            kind=kind,
            reference=r.optional_text("reference"),
            attempts=r.integer("attempts", required=False),
            error_code=r.optional_text("error_code"),
        )

    return build


def _satisfaction(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> SatisfactionAnswered:
    score = r.integer("score", minimum=1)
    if score is not None and score > 5:
        r.invalid.append("score")
    return SatisfactionAnswered(
        event_id=event_id,
        at=r.instant_or("answered_at", at),
        application_id=r.identifier("application_id", subject),
        dims=r.dims(),
        score=score or 0,
        via=r.text("via", required=False, choices=SATISFACTION_VIA) or "sms",
        officer=r.optional_text("officer_ref"),
    )


SMS_BUILDERS: Mapping[str, Builder[SmsStatus]] = {
    "notification.sms.sent": _sms("sent"),
    "notification.sms.delivered": _sms("delivered"),
    "notification.sms.failed": _sms("failed"),
}
SATISFACTION_BUILDERS: Mapping[str, Builder[SatisfactionAnswered]] = {
    "kpi.satisfaction.recorded": _satisfaction,
}
