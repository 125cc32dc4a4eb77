"""Attempts keyed per attempt, the receipt wait, webhook replays.

- ``sms_attempts``: the unique (provider, provider_message_id) goes: a provider may
  repeat its ids (a resend, or a gateway that numbers per day), and one such clash
  rolled back the record of a whole batch. An index takes its place; a receipt
  applies to the latest attempt with the id.
- ``sms_messages``: an index on ``sent_at`` of messages handed over with no receipt
  yet, for the receipt-wait deadline.
- ``sms_webhook_replays``: payloads of token and basic-auth webhooks already acted on.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mahaliyat.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCONFIRMED = "state = 'sent' AND final_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "sms_webhook_replays",
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("inbound_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("provider", "digest", name=op.f("pk_sms_webhook_replays")),
    )
    with op.batch_alter_table("sms_webhook_replays", schema=None) as batch_op:
        batch_op.create_index("ix_sms_webhook_replays_received_at", ["received_at"], unique=False)

    with op.batch_alter_table("sms_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_sms_attempts_provider_provider_message_id"), type_="unique"
        )
        batch_op.create_index(
            "ix_sms_attempts_provider_message", ["provider", "provider_message_id"], unique=False
        )

    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sms_messages_unconfirmed",
            ["sent_at"],
            unique=False,
            postgresql_where=sa.text(UNCONFIRMED),
            sqlite_where=sa.text(UNCONFIRMED),
        )


def downgrade() -> None:
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_sms_messages_unconfirmed",
            postgresql_where=sa.text(UNCONFIRMED),
            sqlite_where=sa.text(UNCONFIRMED),
        )

    # Fails if attempts with a repeated provider id were recorded since the upgrade.
    with op.batch_alter_table("sms_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_attempts_provider_message")
        batch_op.create_unique_constraint(
            batch_op.f("uq_sms_attempts_provider_provider_message_id"),
            ["provider", "provider_message_id"],
        )

    with op.batch_alter_table("sms_webhook_replays", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_webhook_replays_received_at")

    op.drop_table("sms_webhook_replays")
