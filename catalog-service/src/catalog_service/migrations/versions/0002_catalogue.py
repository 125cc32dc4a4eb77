"""Catalogue tables: geography, categories, departments, services, fee schedules, centres,
mobile stops, the generation counter (with its one row) and idempotency keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import mahaliyat.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_generation")),
    )
    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_ar", sa.String(length=150), nullable=False),
        sa.Column("name_en", sa.String(length=150), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_categories")),
    )
    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_ar", sa.String(length=150), nullable=False),
        sa.Column("name_en", sa.String(length=150), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_departments")),
    )
    op.create_table(
        "governorates",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name_ar", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("capital_ar", sa.String(length=100), nullable=False),
        sa.Column("capital_en", sa.String(length=100), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("phone_area_code", sa.String(length=4), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_governorates")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "services",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name_ar", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("description_ar", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("department_code", sa.String(length=40), nullable=False),
        sa.Column("sla_days", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("centre_kinds", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("retired_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["categories.code"],
            name=op.f("fk_services_category_code_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["departments.code"],
            name=op.f("fk_services_department_code_departments"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_services_category_code"), ["category_code"], unique=False
        )

    op.create_table(
        "subdivisions",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("governorate_code", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name_ar", sa.String(length=150), nullable=False),
        sa.Column("name_en", sa.String(length=150), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["governorate_code"],
            ["governorates.code"],
            name=op.f("fk_subdivisions_governorate_code_governorates"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_subdivisions")),
    )
    with op.batch_alter_table("subdivisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subdivisions_governorate_code"), ["governorate_code"], unique=False
        )

    op.create_table(
        "centres",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("governorate_code", sa.String(length=2), nullable=False),
        sa.Column("subdivision_code", sa.String(length=5), nullable=True),
        sa.Column("name_ar", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("address_ar", sa.String(length=500), nullable=False),
        sa.Column("address_en", sa.String(length=500), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("vehicle_plate", sa.String(length=40), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["governorate_code"],
            ["governorates.code"],
            name=op.f("fk_centres_governorate_code_governorates"),
        ),
        sa.ForeignKeyConstraint(
            ["subdivision_code"],
            ["subdivisions.code"],
            name=op.f("fk_centres_subdivision_code_subdivisions"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_centres")),
    )
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.create_index(
            "ix_centres_governorate_kind", ["governorate_code", "kind"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_centres_subdivision_code"), ["subdivision_code"], unique=False
        )

    op.create_table(
        "fee_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service_code", sa.String(length=16), nullable=False),
        sa.Column("governorate_code", sa.String(length=2), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", mahaliyat.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", mahaliyat.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["governorate_code"],
            ["governorates.code"],
            name=op.f("fk_fee_schedules_governorate_code_governorates"),
        ),
        sa.ForeignKeyConstraint(
            ["service_code"], ["services.code"], name=op.f("fk_fee_schedules_service_code_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_schedules")),
    )
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fee_schedules_service_governorate",
            ["service_code", "governorate_code"],
            unique=False,
        )

    op.create_table(
        "mobile_stops",
        sa.Column("centre_code", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.Column("subdivision_code", sa.String(length=5), nullable=False),
        sa.Column("place_ar", sa.String(length=300), nullable=False),
        sa.Column("place_en", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_code"], ["centres.code"], name=op.f("fk_mobile_stops_centre_code_centres")
        ),
        sa.ForeignKeyConstraint(
            ["subdivision_code"],
            ["subdivisions.code"],
            name=op.f("fk_mobile_stops_subdivision_code_subdivisions"),
        ),
        sa.PrimaryKeyConstraint("centre_code", "day", name=op.f("pk_mobile_stops")),
    )
    with op.batch_alter_table("mobile_stops", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mobile_stops_subdivision_day", ["subdivision_code", "day"], unique=False
        )

    generation = sa.table(
        "catalogue_generation",
        sa.column("id", sa.Integer()),
        sa.column("generation", sa.BigInteger()),
        sa.column("changed_at", mahaliyat.db.UTCDateTime()),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 0, "changed_at": datetime.now(UTC)}])


def downgrade() -> None:
    with op.batch_alter_table("mobile_stops", schema=None) as batch_op:
        batch_op.drop_index("ix_mobile_stops_subdivision_day")

    op.drop_table("mobile_stops")
    with op.batch_alter_table("fee_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_schedules_service_governorate")

    op.drop_table("fee_schedules")
    with op.batch_alter_table("centres", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_centres_subdivision_code"))
        batch_op.drop_index("ix_centres_governorate_kind")

    op.drop_table("centres")
    with op.batch_alter_table("subdivisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subdivisions_governorate_code"))

    op.drop_table("subdivisions")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_category_code"))

    op.drop_table("services")
    op.drop_table("idempotency_keys")
    op.drop_table("governorates")
    op.drop_table("departments")
    op.drop_table("categories")
    op.drop_table("catalogue_generation")
