"""Turning a template and its values into the row of a queued message: render, encode, count, schedule."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from mahaliyat.identifiers import parse_mobile
from mahaliyat.ids import new_id
from notification_service.domain.encoding import checked_layout
from notification_service.domain.otp import MASK
from notification_service.domain.states import MessageState
from notification_service.domain.templates import TemplateError, placeholders, render
from notification_service.domain.timing import QuietHours
from notification_service.template_store import ActiveTemplate

MessageKind = Literal["otp", "reply", "api", "event"]
PRIORITY: dict[MessageKind, int] = {"otp": 0, "reply": 1, "api": 5, "event": 5}
# OTPs and answers to a citizen's own text go at any hour.
QUIET_HOURS_EXEMPT: frozenset[MessageKind] = frozenset({"otp", "reply"})


@dataclass(frozen=True, slots=True)
class OtpSecret:
    ciphertext: str
    challenge_id: str


@dataclass(frozen=True, slots=True)
class Draft:
    kind: MessageKind
    recipient: str
    language: str
    template: ActiveTemplate
    values: Mapping[str, str]
    reference: str | None = None
    event_id: uuid.UUID | None = None
    event_type: str | None = None
    jurisdiction: str | None = None
    created_by: str | None = None
    otp: OtpSecret | None = None
    expires_at: datetime | None = None
    unused: Literal["ignore", "refuse"] = "ignore"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Composer:
    def __init__(
        self,
        *,
        max_segments: int,
        quiet_hours: QuietHours | None,
        retry_window: timedelta,
        otp_validity: timedelta,
    ) -> None:
        self.max_segments = max_segments
        self.quiet_hours = quiet_hours
        self.retry_window = retry_window
        self.otp_validity = otp_validity

    def first_send_at(self, kind: MessageKind, now: datetime) -> datetime:
        if kind in QUIET_HOURS_EXEMPT or self.quiet_hours is None:
            return now
        return self.quiet_hours.ends_after(now) or now

    def compose(self, draft: Draft, now: datetime) -> dict[str, Any]:
        """The row of a new message; raises InvalidIdentifier, TemplateError or MessageTooLong."""
        recipient = parse_mobile(draft.recipient)
        body_template: str | None = None
        if draft.otp is not None:
            if "code" not in placeholders(draft.template.body):
                raise TemplateError("an OTP template must contain {code}")
            body_template = render(
                draft.template.body, draft.values, unused=draft.unused, keep={"code"}
            ).strip()
            body = render(body_template, {"code": MASK})
            body_digest = digest(draft.otp.ciphertext)  # every code differs; the mask does not
        else:
            # Stripped: an empty last value (a next step not given) must not cost a segment.
            body = render(draft.template.body, draft.values, unused=draft.unused).strip()
            body_digest = digest(body)
        layout = checked_layout(body, self.max_segments)
        send_at = self.first_send_at(draft.kind, now)
        if draft.kind == "otp":
            deadline = draft.expires_at or now + self.otp_validity
        else:
            deadline = send_at + self.retry_window
        return {
            **self._common(draft, now),
            "recipient": recipient,
            "body": body,
            "body_template": body_template,
            "otp_ciphertext": draft.otp.ciphertext if draft.otp else None,
            "otp_challenge_id": draft.otp.challenge_id if draft.otp else None,
            "body_digest": body_digest,
            "encoding": layout.encoding,
            "segments": layout.segments,
            "length": layout.units,
            "state": MessageState.CREATED.value,
            "next_attempt_at": send_at,
            "deadline_at": deadline,
            "final_at": None,
        }

    def failed(self, draft: Draft, now: datetime, code: str, detail: str) -> dict[str, Any]:
        """A message that could not be composed, kept so that staff can see why none went."""
        return {
            **self._common(draft, now),
            "recipient": draft.recipient[:20],
            "body": "",
            "body_template": None,
            "otp_ciphertext": None,
            "otp_challenge_id": draft.otp.challenge_id if draft.otp else None,
            "body_digest": digest(""),
            "encoding": "gsm7",
            "segments": 0,
            "length": 0,
            "state": MessageState.PERMANENT_FAILURE.value,
            "next_attempt_at": None,
            "deadline_at": now,
            "final_at": now,
            "error_code": code,
            "error_detail": detail[:500],
        }

    @staticmethod
    def _common(draft: Draft, now: datetime) -> dict[str, Any]:
        return {
            "id": new_id(),
            "kind": draft.kind,
            "priority": PRIORITY[draft.kind],
            "reference": draft.reference,
            "event_id": draft.event_id,
            "event_type": draft.event_type,
            "template_key": draft.template.key,
            "template_version": draft.template.version,
            "language": draft.template.language,
            "jurisdiction": draft.jurisdiction,
            "created_by": draft.created_by,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
