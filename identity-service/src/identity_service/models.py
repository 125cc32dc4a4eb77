"""Identity service tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mahaliyat.db import Base, UTCDateTime, make_metadata
from mahaliyat.ids import new_id


class IdentityBase(Base):
    __abstract__ = True
    metadata = make_metadata()


class Citizen(IdentityBase):
    """A citizen who has proved a phone by one-time code. The id is the token subject."""

    __tablename__ = "citizens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    national_id: Mapped[str] = mapped_column(String(14), unique=True)
    phone: Mapped[str] = mapped_column(String(16))  # E.164; the number codes are sent to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OtpChallenge(IdentityBase):
    """One code request. ``typed_phone`` is what the caller typed (the visible limits count
    it); ``phone`` is where the code went: the number the national ID is bound to, if any."""

    __tablename__ = "otp_challenges"
    __table_args__ = (
        Index("ix_otp_challenges_phone_created", "phone", "created_at"),
        Index("ix_otp_challenges_ip_created", "client_ip", "created_at"),
        Index("ix_otp_challenges_typed_phone_created", "typed_phone", "created_at"),
        Index(
            "ix_otp_challenges_national_id_typed_phone_created",
            "national_id",
            "typed_phone",
            "created_at",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    national_id: Mapped[str] = mapped_column(String(14))
    phone: Mapped[str] = mapped_column(String(16))
    typed_phone: Mapped[str] = mapped_column(String(16))
    # False: the silent cap held the SMS back; such a challenge never verifies.
    delivered: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    code_digest: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, hex
    language: Mapped[str] = mapped_column(String(2))
    client_ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffUser(IdentityBase):
    __tablename__ = "staff_users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # lower case
    full_name_ar: Mapped[str] = mapped_column(String(200))
    full_name_en: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unlocked_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime
    )  # failures before it are forgiven
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list[StaffGrant]] = relationship(
        back_populates="staff",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by=lambda: [StaffGrant.jurisdiction, StaffGrant.role],
    )


class StaffGrant(IdentityBase):
    """One role over one jurisdiction; a staff member may hold several."""

    __tablename__ = "staff_grants"
    __table_args__ = (UniqueConstraint("staff_id", "role", "jurisdiction"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[StaffUser] = relationship(back_populates="grants")


class LoginFailure(IdentityBase):
    """A failed staff sign-in, by the username typed (known or not, so both lock alike)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "failed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_ip: Mapped[str | None] = mapped_column(String(64))


class PartnerClient(IdentityBase):
    """An OAuth2 client of another ministry or system (client credentials)."""

    __tablename__ = "partner_clients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))  # argon2id
    scopes: Mapped[str] = mapped_column(Text)  # space-separated
    jurisdiction: Mapped[str] = mapped_column(String(32))
    # partner: another ministry's or the portal's system; service: one of the platform's
    # own services (its tokens say kind "service" and may hold SERVICE_ONLY_SCOPES).
    kind: Mapped[str] = mapped_column(String(16), default="partner", server_default="partner")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenFamily(IdentityBase):
    """A sign-in session: every refresh token rotated from one login belongs to it."""

    __tablename__ = "token_families"
    __table_args__ = (Index("ix_token_families_subject", "subject_kind", "subject_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    subject_kind: Mapped[str] = mapped_column(String(16))  # citizen | staff
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class RefreshToken(IdentityBase):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("token_families.id", ondelete="CASCADE"), index=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    successor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the token it was rotated into


class AuditEntry(IdentityBase):
    """Append-only: every admin action and security event."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_action", "action"),
        Index("ix_audit_entries_target", "target"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(128))
    client_ip: Mapped[str | None] = mapped_column(String(64))
