"""Clients of kind ``service`` (the platform's own services) beside partner clients.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner_clients", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="partner", nullable=False)
        )
    # The development credentials notification-service's settings default to (seeded in
    # development and test only; administrators' clients are named ``mp-…``).
    op.execute(
        "UPDATE partner_clients SET kind = 'service' WHERE client_id = 'notification-service'"
    )


def downgrade() -> None:
    with op.batch_alter_table("partner_clients", schema=None) as batch_op:
        batch_op.drop_column("kind")
