"""Withdrawn fee schedules, the planned-stops horizon of mobile centres, and (PostgreSQL) an
exclusion constraint refusing overlapping fee periods of one service and governorate.

The constraint needs the ``btree_gist`` extension (for ``=`` on text inside a GiST index);
it is a trusted extension since PostgreSQL 13, so the database's owner may create it.

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


def upgrade() -> None:
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stops_planned_to", sa.Date(), nullable=True))

    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", mahaliyat.db.UTCDateTime(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE fee_schedules ADD CONSTRAINT ex_fee_schedules_period EXCLUDE USING gist ("
            "service_code WITH =, "
            "coalesce(governorate_code, '--') WITH =, "
            "daterange(effective_from, effective_to, '[)') WITH &&"
            ") WHERE (withdrawn_at IS NULL)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE fee_schedules DROP CONSTRAINT ex_fee_schedules_period")

    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")

    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_column("stops_planned_to")
