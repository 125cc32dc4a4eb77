"""Idempotency keys in the kernel's one table, replacing the service's own.

The service's own idempotency table is dropped (its records live 24 hours: a retry
across the upgrade makes a second record at worst) and the kernel's
``idempotency_keys`` (``mahaliyat.idempotency``) takes its place.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mahaliyat.db import UTCDateTime
from mahaliyat.migrations import create_idempotency_table, drop_idempotency_table

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_idempotency_records_created_at"), table_name="idempotency_records")
    op.drop_table("idempotency_records")
    create_idempotency_table(op)


def downgrade() -> None:
    drop_idempotency_table(op)
    op.create_table(
        "idempotency_records",
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("sealed_body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("key_digest", name=op.f("pk_idempotency_records")),
    )
    op.create_index(
        op.f("ix_idempotency_records_created_at"), "idempotency_records", ["created_at"]
    )
