"""Request and response bodies of the notifications API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from notification_service.domain.templates import TEMPLATE_KEY
from notification_service.models import SmsMessage, SmsTemplate

Language = Literal["ar", "en"]
Value = Annotated[str, Field(max_length=1000)]


class SendSms(BaseModel):
    """Send one SMS from a template. ``values`` must name exactly the template's placeholders."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(pattern=TEMPLATE_KEY, max_length=200, examples=["request.submitted"])
    to: str = Field(min_length=3, max_length=40, examples=["01012345678"])
    language: Language = "ar"
    values: dict[str, Value] = Field(default_factory=dict, max_length=50)
    reference: str | None = Field(default=None, max_length=200)


class Message(BaseModel):
    id: uuid.UUID
    state: str
    final: bool
    kind: str
    reference: str | None
    template_key: str
    template_version: int | None
    language: str
    recipient: str
    body: str  # an OTP's code is masked
    encoding: str
    segments: int
    length: int
    attempts: int
    provider: str | None
    error_code: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    delivered_at: datetime | None
    final_at: datetime | None

    @classmethod
    def of(cls, row: SmsMessage) -> Message:
        return cls(
            id=row.id,
            state=row.state,
            final=row.final_at is not None,
            kind=row.kind,
            reference=row.reference,
            template_key=row.template_key,
            template_version=row.template_version,
            language=row.language,
            recipient=row.recipient,
            body=row.body,
            encoding=row.encoding,
            segments=row.segments,
            length=row.length,
            attempts=row.attempts,
            provider=row.provider,
            error_code=row.error_code,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            final_at=row.final_at,
        )


class MessageList(BaseModel):
    items: list[Message]


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=500)


class TemplateActivation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


class Template(BaseModel):
    key: str
    language: str
    version: int
    body: str
    description: str | None
    active: bool
    created_at: datetime
    created_by: str
    placeholders: list[str]

    @classmethod
    def of(cls, row: SmsTemplate, placeholders: tuple[str, ...]) -> Template:
        return cls(
            key=row.key,
            language=row.language,
            version=row.version,
            body=row.body,
            description=row.description,
            active=row.active,
            created_at=row.created_at,
            created_by=row.created_by,
            placeholders=list(placeholders),
        )


class TemplateList(BaseModel):
    items: list[Template]


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Value] = Field(default_factory=dict, max_length=50)


class Preview(BaseModel):
    version: int
    body: str
    encoding: str
    segments: int
    length: int
    parts: list[str]


class ReceiptResult(BaseModel):
    provider_message_id: str
    message_id: uuid.UUID | None
    state: str | None


class ReceiptResults(BaseModel):
    receipts: list[ReceiptResult]


class InboundResultOut(BaseModel):
    inbound_id: uuid.UUID
    outcome: str
    reply_message_id: uuid.UUID | None
    duplicate: bool
