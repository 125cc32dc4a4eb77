"""One-time codes: the number typed beside the one the code went to, and whether it was sent;
refresh tokens: the token each was rotated into.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("typed_phone", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("delivered", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    # Until now the code went to the number the limits counted: the typed one, or the bound one.
    op.execute("UPDATE otp_challenges SET typed_phone = phone")
    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.alter_column("typed_phone", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_index(
            "ix_otp_challenges_national_id_typed_phone_created",
            ["national_id", "typed_phone", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_otp_challenges_typed_phone_created", ["typed_phone", "created_at"], unique=False
        )

    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("successor_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_column("successor_id")

    with op.batch_alter_table("otp_challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_otp_challenges_typed_phone_created")
        batch_op.drop_index("ix_otp_challenges_national_id_typed_phone_created")
        batch_op.drop_column("delivered")
        batch_op.drop_column("typed_phone")
