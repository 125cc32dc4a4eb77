"""Catalog service tables.

Nested parts of a service (steps, documents, form fields, keywords, channels) are
JSON columns: they are always read and written with their service. Fee schedules,
centres and mobile stops are rows, so overlaps, history and filters are queries.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mahaliyat.db import Base, UTCDateTime, make_metadata


class CatalogBase(Base):
    __abstract__ = True
    metadata = make_metadata()


class GovernorateRow(CatalogBase):
    __tablename__ = "governorates"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    capital_ar: Mapped[str] = mapped_column(String(100))
    capital_en: Mapped[str] = mapped_column(String(100))
    population: Mapped[int] = mapped_column(Integer)
    phone_area_code: Mapped[str] = mapped_column(String(4))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class SubdivisionRow(CatalogBase):
    """A markaz, city, district, qism or new city: ``<governorate>-<seq>``."""

    __tablename__ = "subdivisions"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    governorate_code: Mapped[str] = mapped_column(ForeignKey("governorates.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_ar: Mapped[str] = mapped_column(String(150))
    name_en: Mapped[str] = mapped_column(String(150))
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)


class CategoryRow(CatalogBase):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(150))
    name_en: Mapped[str] = mapped_column(String(150))
    position: Mapped[int] = mapped_column(Integer)


class DepartmentRow(CatalogBase):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(150))
    name_en: Mapped[str] = mapped_column(String(150))


class ServiceRow(CatalogBase):
    __tablename__ = "services"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_ar: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    description_ar: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    sla_days: Mapped[int] = mapped_column(Integer)
    online: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    channels: Mapped[list[str]] = mapped_column(JSON)
    centre_kinds: Mapped[list[str]] = mapped_column(JSON)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    keywords: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FeeScheduleRow(CatalogBase):
    """A service's fee items for one governorate (NULL: the national default) on [from, to).

    A withdrawn schedule (``withdrawn_at``) never applied; it is kept for the record only.
    On PostgreSQL an exclusion constraint (migration 0003) refuses overlapping periods of
    one service and governorate among the schedules not withdrawn.
    """

    __tablename__ = "fee_schedules"
    __table_args__ = (
        Index("ix_fee_schedules_service_governorate", "service_code", "governorate_code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("services.code"))
    governorate_code: Mapped[str | None] = mapped_column(
        ForeignKey("governorates.code"), nullable=True
    )
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


_fees = FeeScheduleRow.__table__
assert isinstance(_fees, Table)
_fees.append_constraint(
    ExcludeConstraint(
        (_fees.c.service_code, "="),
        # NULL (the national default) would never equal NULL: compare a stand-in instead.
        (func.coalesce(_fees.c.governorate_code, literal_column("'--'")), "="),
        (
            func.daterange(_fees.c.effective_from, _fees.c.effective_to, literal_column("'[)'")),
            "&&",
        ),
        name="ex_fee_schedules_period",
        using="gist",
        where=text("withdrawn_at IS NULL"),
    ).ddl_if(dialect="postgresql")
)


class CentreRow(CatalogBase):
    __tablename__ = "centres"
    __table_args__ = (Index("ix_centres_governorate_kind", "governorate_code", "kind"),)

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    governorate_code: Mapped[str] = mapped_column(ForeignKey("governorates.code"))
    subdivision_code: Mapped[str | None] = mapped_column(
        ForeignKey("subdivisions.code"), nullable=True, index=True
    )
    name_ar: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    address_ar: Mapped[str] = mapped_column(String(500))
    address_en: Mapped[str] = mapped_column(String(500))
    phone: Mapped[str] = mapped_column(String(20))
    hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    vehicle_plate: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Mobile centres: the days before this one are planned (an admin's schedule or the demo's),
    # so the demo top-up never refills a day an admin left empty. NULL: nothing planned yet.
    stops_planned_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class MobileStopRow(CatalogBase):
    """Where a mobile centre stands on a day (one stop per vehicle and day: it parks in one
    village or district for the day's service hours)."""

    __tablename__ = "mobile_stops"
    __table_args__ = (Index("ix_mobile_stops_subdivision_day", "subdivision_code", "day"),)

    centre_code: Mapped[str] = mapped_column(ForeignKey("centres.code"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    subdivision_code: Mapped[str] = mapped_column(ForeignKey("subdivisions.code"))
    place_ar: Mapped[str] = mapped_column(String(300))
    place_en: Mapped[str] = mapped_column(String(300))


class CatalogueGeneration(CatalogBase):
    """One row whose counter every catalogue write raises; replicas compare it to their snapshot.

    Raising it first in a write also takes its row lock, so catalogue writers are
    serialised and an overlap check cannot race another insert.
    """

    __tablename__ = "catalogue_generation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
