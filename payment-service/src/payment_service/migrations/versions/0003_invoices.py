"""Invoices, their lines and the per-governorate-year invoice counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mahaliyat.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("tracking_number", sa.String(length=16), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("service_name_ar", sa.Text(), nullable=False),
        sa.Column("service_name_en", sa.Text(), nullable=False),
        sa.Column("centre_code", sa.String(length=40), nullable=True),
        sa.Column("jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("governorate", sa.String(length=2), nullable=False),
        sa.Column("applicant_ref", sa.String(length=200), nullable=False),
        sa.Column("applicant_phone", sa.String(length=16), nullable=False),
        sa.Column("applicant_language", sa.String(length=2), nullable=False),
        sa.Column("total_piasters", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source_event_id", sa.String(length=100), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("application_id", name=op.f("uq_invoices_application_id")),
    )
    op.create_index("ix_invoices_applicant", "invoices", ["applicant_ref", "issued_at"])
    op.create_index("ix_invoices_jurisdiction_issued", "invoices", ["jurisdiction", "issued_at"])
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=True),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=30), nullable=False),
        sa.Column("amount_piasters", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invoice_id", "position", name=op.f("pk_invoice_lines")),
    )
    op.create_table(
        "invoice_counters",
        sa.Column("governorate", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("governorate", "year", name=op.f("pk_invoice_counters")),
    )


def downgrade() -> None:
    op.drop_table("invoice_counters")
    op.drop_table("invoice_lines")
    op.drop_index("ix_invoices_jurisdiction_issued", table_name="invoices")
    op.drop_index("ix_invoices_applicant", table_name="invoices")
    op.drop_table("invoices")
