"""Notifications service tables: templates, messages and their attempts, receipts, inbound SMS."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mahaliyat.db import Base, UTCDateTime, make_metadata
from mahaliyat.ids import new_id


class NotificationBase(Base):
    __abstract__ = True
    metadata = make_metadata()


class SmsTemplate(NotificationBase):
    """One version of a template; a change adds a version, the latest active one is used."""

    __tablename__ = "sms_templates"
    __table_args__ = (UniqueConstraint("key", "language", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200))  # event type, or event type + "." + variant
    language: Mapped[str] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


DUE_CONDITION = (
    "state IN ('created', 'temporary_failure', 'technical_failure') AND next_attempt_at IS NOT NULL"
)
# Handed over, no receipt yet, not given up: what the receipt-wait deadline looks at.
UNCONFIRMED_CONDITION = "state = 'sent' AND final_at IS NULL"


class SmsMessage(NotificationBase):
    """One SMS to one recipient. OTP bodies are stored masked; the code travels encrypted."""

    __tablename__ = "sms_messages"
    __table_args__ = (
        # A second guard behind the consumer inbox: one message per event and template.
        UniqueConstraint("event_id", "template_key"),
        Index(
            "ix_sms_messages_due",
            "priority",
            "next_attempt_at",
            postgresql_where=text(DUE_CONDITION),
            sqlite_where=text(DUE_CONDITION),
        ),
        Index("ix_sms_messages_recipient_sent_at", "recipient", "sent_at"),
        Index("ix_sms_messages_reference", "reference"),
        Index(
            "ix_sms_messages_sending",
            "claimed_at",
            postgresql_where=text("state = 'sending'"),
            sqlite_where=text("state = 'sending'"),
        ),
        Index(
            "ix_sms_messages_unconfirmed",
            "sent_at",
            postgresql_where=text(UNCONFIRMED_CONDITION),
            sqlite_where=text(UNCONFIRMED_CONDITION),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))  # otp, event, api, reply
    priority: Mapped[int] = mapped_column(Integer)  # lower goes first: OTP 0
    reference: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    event_type: Mapped[str | None] = mapped_column(String(200))
    template_key: Mapped[str] = mapped_column(String(200))
    template_version: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(20))  # E.164
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text)  # OTP: with the code masked
    body_template: Mapped[str | None] = mapped_column(Text)  # OTP: the body with {code} left in
    otp_ciphertext: Mapped[str | None] = mapped_column(Text)
    otp_challenge_id: Mapped[str | None] = mapped_column(String(100))
    body_digest: Mapped[str] = mapped_column(String(64))  # what "identical" compares
    encoding: Mapped[str] = mapped_column(String(5))
    segments: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)  # septets or UTF-16 code units
    jurisdiction: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_token: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider: Mapped[str | None] = mapped_column(String(50))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    final_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsAttempt(NotificationBase):
    """One hand-over of a message to a provider, and what came of it.

    ``number`` is the message's attempt (claim) number; providers tried one after the
    other within a claim share it. The provider's id is not unique: some providers
    repeat ids, and a receipt naming one applies to the latest attempt that has it.
    """

    __tablename__ = "sms_attempts"
    __table_args__ = (Index("ix_sms_attempts_provider_message", "provider", "provider_message_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    message_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sms_messages.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(50))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_detail: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SmsReceipt(NotificationBase):
    """A delivery receipt as received; one row per provider, provider id and status."""

    __tablename__ = "sms_receipts"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(50))
    provider_message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(50))  # the provider's word
    state: Mapped[str | None] = mapped_column(String(20))  # ours, None when it means nothing
    message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InboundSms(NotificationBase):
    """A text a citizen sent us, and how it was answered."""

    __tablename__ = "sms_inbound"
    __table_args__ = (
        UniqueConstraint("provider", "provider_message_id"),
        Index("ix_sms_inbound_sender_received_at", "sender", "received_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    provider: Mapped[str] = mapped_column(String(50))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    sender: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # answered, unknown, invalid, limited, unavailable, unreachable_sender
    outcome: Mapped[str | None] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(20))
    reply_message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class WebhookReplay(NotificationBase):
    """A token- or basic-auth webhook payload already acted on, kept for the replay window."""

    __tablename__ = "sms_webhook_replays"
    __table_args__ = (Index("ix_sms_webhook_replays_received_at", "received_at"),)

    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # payload_digest(...)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inbound_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the inbound text it recorded
