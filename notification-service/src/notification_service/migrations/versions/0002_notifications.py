"""Notifications: templates (versioned), messages, their attempts, delivery receipts,
inbound SMS and idempotency keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mahaliyat.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "sms_inbound",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("sender", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("tracking_number", sa.String(length=20), nullable=True),
        sa.Column("reply_message_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_inbound")),
        sa.UniqueConstraint(
            "provider",
            "provider_message_id",
            name=op.f("uq_sms_inbound_provider_provider_message_id"),
        ),
    )
    op.create_index(
        "ix_sms_inbound_sender_received_at", "sms_inbound", ["sender", "received_at"], unique=False
    )

    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("event_type", sa.String(length=200), nullable=True),
        sa.Column("template_key", sa.String(length=200), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_template", sa.Text(), nullable=True),
        sa.Column("otp_ciphertext", sa.Text(), nullable=True),
        sa.Column("otp_challenge_id", sa.String(length=100), nullable=True),
        sa.Column("body_digest", sa.String(length=64), nullable=False),
        sa.Column("encoding", sa.String(length=5), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("deadline_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("claim_token", sa.Uuid(), nullable=True),
        sa.Column("claimed_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("provider", sa.String(length=50), nullable=True),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("error_detail", sa.String(length=500), nullable=True),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("final_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint(
            "event_id", "template_key", name=op.f("uq_sms_messages_event_id_template_key")
        ),
    )
    op.create_index(
        "ix_sms_messages_due",
        "sms_messages",
        ["priority", "next_attempt_at"],
        unique=False,
        postgresql_where=sa.text(
            "state IN ('created', 'temporary_failure', 'technical_failure') AND next_attempt_at IS NOT NULL"
        ),
        sqlite_where=sa.text(
            "state IN ('created', 'temporary_failure', 'technical_failure') AND next_attempt_at IS NOT NULL"
        ),
    )
    op.create_index(
        "ix_sms_messages_recipient_sent_at", "sms_messages", ["recipient", "sent_at"], unique=False
    )
    op.create_index("ix_sms_messages_reference", "sms_messages", ["reference"], unique=False)
    op.create_index(
        "ix_sms_messages_sending",
        "sms_messages",
        ["claimed_at"],
        unique=False,
        postgresql_where=sa.text("state = 'sending'"),
        sqlite_where=sa.text("state = 'sending'"),
    )

    op.create_table(
        "sms_receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("received_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("applied_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_receipts")),
        sa.UniqueConstraint(
            "provider",
            "provider_message_id",
            "status",
            name=op.f("uq_sms_receipts_provider_provider_message_id_status"),
        ),
    )
    op.create_table(
        "sms_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_templates")),
        sa.UniqueConstraint(
            "key", "language", "version", name=op.f("uq_sms_templates_key_language_version")
        ),
    )
    op.create_table(
        "sms_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=50), nullable=True),
        sa.Column("error_detail", sa.String(length=500), nullable=True),
        sa.Column("started_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["sms_messages.id"],
            name=op.f("fk_sms_attempts_message_id_sms_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_attempts")),
        sa.UniqueConstraint(
            "provider",
            "provider_message_id",
            name=op.f("uq_sms_attempts_provider_provider_message_id"),
        ),
    )
    op.create_index(
        op.f("ix_sms_attempts_message_id"), "sms_attempts", ["message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("sms_attempts")
    op.drop_table("sms_templates")
    op.drop_table("sms_receipts")
    op.drop_table("sms_messages")
    op.drop_table("sms_inbound")
    op.drop_table("idempotency_keys")
