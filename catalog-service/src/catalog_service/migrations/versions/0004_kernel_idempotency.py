"""Idempotency keys in the kernel's one table, replacing the service's own.

The service's own idempotency table is dropped (its records live 24 hours: a retry
across the upgrade makes a second record at worst) and the kernel's
``idempotency_keys`` (``mahaliyat.idempotency``) takes its place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mahaliyat.db import UTCDateTime
from mahaliyat.migrations import create_idempotency_table, drop_idempotency_table

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("idempotency_keys")
    create_idempotency_table(op)


def downgrade() -> None:
    drop_idempotency_table(op)
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
