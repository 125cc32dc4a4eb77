"""Requests service tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from mahaliyat.db import Base, UTCDateTime, make_metadata


class RequestBase(Base):
    __abstract__ = True
    metadata = make_metadata()


class Application(RequestBase):
    """One application, from whichever channel it came; ``version`` is its ETag."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_applicant", "applicant_ref", "submitted_at"),
        Index("ix_applications_jurisdiction_state", "jurisdiction", "state"),
        Index("ix_applications_state_due", "state", "due_at"),
        Index("ix_applications_officer_state", "assigned_officer_id", "state"),
        Index("ix_applications_intake_actor", "intake_actor_id", "submitted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(16), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(30))

    service_code: Mapped[str] = mapped_column(String(40))
    service_name_ar: Mapped[str] = mapped_column(Text)
    service_name_en: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str] = mapped_column(String(40))
    # The catalogue's per-service transitions when it gave any, kept as filed.
    workflow: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)

    channel: Mapped[str] = mapped_column(String(20))
    centre_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    jurisdiction: Mapped[str] = mapped_column(String(60))
    governorate: Mapped[str] = mapped_column(String(2))

    applicant_ref: Mapped[str] = mapped_column(String(200))
    applicant_national_id: Mapped[str] = mapped_column(String(14))
    applicant_phone: Mapped[str] = mapped_column(String(16))
    applicant_language: Mapped[str] = mapped_column(String(2))
    intake_actor_id: Mapped[str] = mapped_column(String(200))
    intake_actor_role: Mapped[str] = mapped_column(String(40))
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON)

    sla_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_working_days: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    fee_piasters: Mapped[int] = mapped_column(BigInteger)  # quoted when filed
    amount_due_piasters: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fee_lines: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    fee_quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    invoice_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_piasters: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # as paid

    assigned_officer_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    state_entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    waiting_seconds: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    processing_seconds: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    returned_seconds: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)


class StateChange(RequestBase):
    """The timeline of an application: one row per transition (and one for filing)."""

    __tablename__ = "state_changes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_state: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(40))
    reason_ar: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


class Document(RequestBase):
    """A file attached to an application; its bytes live in the document store by SHA-256."""

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    document_code: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by: Mapped[str] = mapped_column(String(200))


class TrackingCounter(RequestBase):
    """How many tracking numbers one shard of a governorate's year has given out."""

    __tablename__ = "tracking_counters"

    governorate: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(BigInteger)


class OfficerDepartment(RequestBase):
    """A back-office officer (token ``sub``) serving a department within a jurisdiction."""

    __tablename__ = "officer_departments"

    officer_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEntry(RequestBase):
    """Written unlinked in the business transaction; the sealer links it into the hash chain.

    Never deleted, and updated once only: when sealed (``seq``, ``prev_hash``,
    ``hash`` go from NULL to their values). ``at`` is when the entry was written.
    Database triggers (migration 0003) refuse anything else, and TRUNCATE on
    PostgreSQL. The SQLite trigger names every column: a new column must be added
    to it, and a batch migration that recreates the table must recreate them.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        # The sealer's queue: unsealed entries in the order they are sealed.
        Index(
            "ix_audit_log_unsealed",
            "at",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, index=True)
    from_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reason: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Set together by the sealer; NULL while the entry waits to be sealed.
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditHead(RequestBase):
    """One row: the last sealed sequence number and hash; only the sealer moves it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(RequestBase):
    """A chain head published as ``request.audit_checkpoint``; append-only like the log."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class Escalation(RequestBase):
    """An application whose SLA was breached, escalated to its centre manager (once)."""

    __tablename__ = "escalations"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    jurisdiction: Mapped[str] = mapped_column(String(60), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Holiday(RequestBase):
    """The admins' decisions over Egypt's seeded holidays (``mahaliyat.calendar.egypt_holidays``).

    A row makes its day a holiday under its names, or, ``removed``, a working day whatever
    the seed says (the names are then empty). Days without a row follow the seed.
    """

    __tablename__ = "holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name_ar: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    approximate: Mapped[bool] = mapped_column(Boolean)
    removed: Mapped[bool] = mapped_column(Boolean, server_default=false())
