"""Requests: applications, timeline, documents, tracking counters, idempotency keys,
officers, the hash-chained audit log (sealed in the background), escalations and the holiday table (seeded).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

import mahaliyat.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Egypt's public holidays as first seeded (request_service.domain.holidays at the time).
# Movable feasts are the expected dates, marked approximate until announced.
_FIXED = (
    (1, 7, "عيد الميلاد المجيد", "Coptic Christmas"),
    (1, 25, "عيد ثورة 25 يناير وعيد الشرطة", "January 25 Revolution and Police Day"),
    (4, 25, "عيد تحرير سيناء", "Sinai Liberation Day"),
    (5, 1, "عيد العمال", "Labour Day"),
    (6, 30, "ذكرى ثورة 30 يونيو", "June 30 Revolution"),
    (7, 23, "عيد ثورة 23 يوليو", "July 23 Revolution"),
    (10, 6, "عيد القوات المسلحة", "Armed Forces Day"),
)
_MOVABLE_2026 = (
    (date(2026, 3, 20), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 21), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 22), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 4, 13), "شم النسيم", "Sham El-Nessim"),
    (date(2026, 5, 26), "وقفة عرفات", "Arafat Day"),
    (date(2026, 5, 27), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 28), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 29), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 6, 16), "رأس السنة الهجرية", "Islamic New Year"),
    (date(2026, 8, 26), "المولد النبوي الشريف", "Prophet's Birthday (Mawlid)"),
)


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tracking_number", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("service_name_ar", sa.Text(), nullable=False),
        sa.Column("service_name_en", sa.Text(), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("workflow", sa.JSON(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("centre_code", sa.String(length=40), nullable=True),
        sa.Column("jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("governorate", sa.String(length=2), nullable=False),
        sa.Column("applicant_ref", sa.String(length=200), nullable=False),
        sa.Column("applicant_national_id", sa.String(length=14), nullable=False),
        sa.Column("applicant_phone", sa.String(length=16), nullable=False),
        sa.Column("applicant_language", sa.String(length=2), nullable=False),
        sa.Column("intake_actor_id", sa.String(length=200), nullable=False),
        sa.Column("intake_actor_role", sa.String(length=40), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("sla_days", sa.Integer(), nullable=True),
        sa.Column("due_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("paused_working_days", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("fee_piasters", sa.BigInteger(), nullable=False),
        sa.Column("amount_due_piasters", sa.BigInteger(), nullable=True),
        sa.Column("fee_lines", sa.JSON(), nullable=True),
        sa.Column("fee_quoted_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("invoice_id", sa.String(length=100), nullable=True),
        sa.Column("paid_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("assigned_officer_id", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("state_entered_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("waiting_seconds", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "processing_seconds", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("returned_seconds", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("returned_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("submitted_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("completed_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_applications_tracking_number")),
    )
    op.create_index(
        "ix_applications_applicant", "applications", ["applicant_ref", "submitted_at"], unique=False
    )
    op.create_index(
        "ix_applications_intake_actor",
        "applications",
        ["intake_actor_id", "submitted_at"],
        unique=False,
    )
    op.create_index(
        "ix_applications_jurisdiction_state",
        "applications",
        ["jurisdiction", "state"],
        unique=False,
    )
    op.create_index(
        "ix_applications_officer_state",
        "applications",
        ["assigned_officer_id", "state"],
        unique=False,
    )
    op.create_index("ix_applications_state_due", "applications", ["state", "due_at"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=True),
        sa.Column("reason", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_log_seq")),
    )
    op.create_index(
        op.f("ix_audit_log_application_id"), "audit_log", ["application_id"], unique=False
    )
    op.create_index(
        "ix_audit_log_unsealed",
        "audit_log",
        ["at", "id"],
        unique=False,
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )

    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name_ar", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holidays")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=250), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("response_headers", sa.JSON(), nullable=True),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "officer_departments",
        sa.Column("officer_id", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "officer_id", "department_code", name=op.f("pk_officer_departments")
        ),
    )
    op.create_table(
        "tracking_counters",
        sa.Column("governorate", sa.String(length=2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("governorate", "year", "shard", name=op.f("pk_tracking_counters")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("document_code", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=60), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_documents_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(
        op.f("ix_documents_application_id"), "documents", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"], unique=False)

    op.create_table(
        "escalations",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("due_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("escalated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_escalations_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_escalations")),
    )
    op.create_index(
        op.f("ix_escalations_jurisdiction"), "escalations", ["jurisdiction"], unique=False
    )

    op.create_table(
        "state_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("reason_ar", sa.Text(), nullable=True),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_state_changes_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_changes")),
    )
    op.create_index(
        op.f("ix_state_changes_application_id"), "state_changes", ["application_id"], unique=False
    )

    holidays = sa.table(
        "holidays",
        sa.column("day", sa.Date),
        sa.column("name_ar", sa.Text),
        sa.column("name_en", sa.Text),
        sa.column("approximate", sa.Boolean),
    )
    rows = [
        {"day": date(year, month, day), "name_ar": ar, "name_en": en, "approximate": False}
        for year in (2026, 2027)
        for month, day, ar, en in _FIXED
    ] + [
        {"day": d, "name_ar": ar, "name_en": en, "approximate": True} for d, ar, en in _MOVABLE_2026
    ]
    op.bulk_insert(holidays, rows)
    audit_head = sa.table(
        "audit_head",
        sa.column("id", sa.Integer),
        sa.column("seq", sa.BigInteger),
        sa.column("hash", sa.String),
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": "0" * 64}])


def downgrade() -> None:
    op.drop_index(op.f("ix_state_changes_application_id"), table_name="state_changes")

    op.drop_table("state_changes")
    op.drop_index(op.f("ix_escalations_jurisdiction"), table_name="escalations")

    op.drop_table("escalations")
    op.drop_index(op.f("ix_documents_sha256"), table_name="documents")
    op.drop_index(op.f("ix_documents_application_id"), table_name="documents")

    op.drop_table("documents")
    op.drop_table("tracking_counters")
    op.drop_table("officer_departments")
    op.drop_table("idempotency_keys")
    op.drop_table("holidays")
    op.drop_index("ix_audit_log_unsealed", table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_application_id"), table_name="audit_log")

    op.drop_table("audit_log")
    op.drop_table("audit_head")
    op.drop_index("ix_applications_state_due", table_name="applications")
    op.drop_index("ix_applications_officer_state", table_name="applications")
    op.drop_index("ix_applications_jurisdiction_state", table_name="applications")
    op.drop_index("ix_applications_intake_actor", table_name="applications")
    op.drop_index("ix_applications_applicant", table_name="applications")

    op.drop_table("applications")
