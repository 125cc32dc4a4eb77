"""The amount actually paid; audit checkpoints; database triggers keeping the audit trail append-only.

audit_log: an entry is inserted unsealed and updated once, when the sealer fills
seq, prev_hash and hash, nothing else changing; no DELETE (nor TRUNCATE on
PostgreSQL). audit_head only moves forward; audit_checkpoints never change.

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

# Every column of audit_log but the three the sealer fills (SQLite compares them one by one).
_CONTENT = (
    "id",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "application_id",
    "from_state",
    "to_state",
    "reason",
    "request_id",
    "details",
)
_SEALING = ("seq", "prev_hash", "hash")

_POSTGRES_UP = (
    """
    CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL THEN
                RAISE EXCEPTION 'audit_log: entries are written unsealed; only the sealer links them'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE'
            AND OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
            AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
            AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash')
                = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash')
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused (an entry is only sealed, once)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq > OLD.seq THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_head only moves forward: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    "CREATE TRIGGER audit_log_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_guard()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_head"
    " FOR EACH ROW EXECUTE FUNCTION audit_head_guard()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_checkpoints_guard BEFORE UPDATE OR DELETE ON audit_checkpoints"
    " FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
)
_POSTGRES_DOWN = (
    "DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints",
    "DROP TRIGGER audit_checkpoints_guard ON audit_checkpoints",
    "DROP TRIGGER audit_head_no_truncate ON audit_head",
    "DROP TRIGGER audit_head_guard ON audit_head",
    "DROP TRIGGER audit_log_no_truncate ON audit_log",
    "DROP TRIGGER audit_log_guard ON audit_log",
    "DROP FUNCTION audit_append_only()",
    "DROP FUNCTION audit_head_guard()",
    "DROP FUNCTION audit_log_guard()",
)


def _changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


# SQLite has no TRUNCATE (and a DELETE trigger turns off its truncate optimisation).
_SQLITE_UP = (
    f"""
    CREATE TRIGGER audit_log_insert_unsealed BEFORE INSERT ON audit_log
    WHEN {" OR ".join(f"NEW.{c} IS NOT NULL" for c in _SEALING)}
    BEGIN SELECT RAISE(ABORT, 'audit_log: entries are written unsealed'); END
    """,
    f"""
    CREATE TRIGGER audit_log_seal_once BEFORE UPDATE ON audit_log
    WHEN {" OR ".join(f"OLD.{c} IS NOT NULL" for c in _SEALING)}
        OR {" OR ".join(f"NEW.{c} IS NULL" for c in _SEALING)}
        OR {_changed(_CONTENT)}
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: an entry is only sealed, once'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
    WHEN NEW.id IS NOT OLD.id OR NEW.seq <= OLD.seq
    BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END
    """,
    """
    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward: DELETE refused'); END
    """,
    """
    CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE refused'); END
    """,
)
_SQLITE_DOWN = tuple(
    f"DROP TRIGGER {name}"
    for name in (
        "audit_checkpoints_no_delete",
        "audit_checkpoints_no_update",
        "audit_head_no_delete",
        "audit_head_forward",
        "audit_log_no_delete",
        "audit_log_seal_once",
        "audit_log_insert_unsealed",
    )
)


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_piasters", sa.BigInteger(), nullable=True))
    # Paid before this revision: the amount due is the best known (it was at least that).
    op.execute(
        "UPDATE applications SET paid_piasters = amount_due_piasters WHERE paid_at IS NOT NULL"
    )
    for statement in _POSTGRES_UP if _is_postgres() else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _POSTGRES_DOWN if _is_postgres() else _SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("paid_piasters")
    op.drop_table("audit_checkpoints")
