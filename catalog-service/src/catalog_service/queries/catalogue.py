"""Categories, departments and services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.domain.catalogue import Category, Channel, Department, Service
from catalog_service.domain.centres import CentreKind
from catalog_service.models import CategoryRow, DepartmentRow, ServiceRow
from catalog_service.queries import codec


async def categories(session: AsyncSession) -> list[Category]:
    rows = await session.scalars(select(CategoryRow).order_by(CategoryRow.position))
    return [Category(r.code, r.name_ar, r.name_en, r.position) for r in rows]


async def category(session: AsyncSession, code: str) -> Category | None:
    r = await session.get(CategoryRow, code)
    return None if r is None else Category(r.code, r.name_ar, r.name_en, r.position)


async def departments(session: AsyncSession) -> list[Department]:
    rows = await session.scalars(select(DepartmentRow).order_by(DepartmentRow.code))
    return [Department(r.code, r.name_ar, r.name_en) for r in rows]


async def department(session: AsyncSession, code: str) -> Department | None:
    r = await session.get(DepartmentRow, code)
    return None if r is None else Department(r.code, r.name_ar, r.name_en)


async def has_categories(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().select_from(CategoryRow))))


async def add_categories(session: AsyncSession, items: Iterable[Category]) -> None:
    rows = [
        {"code": c.code, "name_ar": c.name_ar, "name_en": c.name_en, "position": c.order}
        for c in items
    ]
    if rows:
        await session.execute(insert(CategoryRow), rows)


async def add_departments(session: AsyncSession, items: Iterable[Department]) -> None:
    rows = [{"code": d.code, "name_ar": d.name_ar, "name_en": d.name_en} for d in items]
    if rows:
        await session.execute(insert(DepartmentRow), rows)


def _values(service: Service) -> dict[str, Any]:
    return {
        "name_ar": service.name_ar,
        "name_en": service.name_en,
        "description_ar": service.description_ar,
        "description_en": service.description_en,
        "category_code": service.category_code,
        "department_code": service.department_code,
        "sla_days": service.sla_days,
        "online": service.online,
        "active": service.active,
        "channels": [c.value for c in service.channels],
        "centre_kinds": [k.value for k in service.centre_kinds],
        "steps": codec.steps_json(service.steps),
        "documents": codec.documents_json(service.documents),
        "fields": codec.fields_json(service.fields),
        "keywords": {"ar": list(service.keywords_ar), "en": list(service.keywords_en)},
    }


def service_of(row: ServiceRow) -> Service:
    return Service(
        code=row.code,
        name_ar=row.name_ar,
        name_en=row.name_en,
        description_ar=row.description_ar,
        description_en=row.description_en,
        category_code=row.category_code,
        department_code=row.department_code,
        sla_days=row.sla_days,
        online=row.online,
        channels=tuple(Channel(c) for c in row.channels),
        centre_kinds=tuple(CentreKind(k) for k in row.centre_kinds),
        steps=codec.steps_of(row.steps),
        documents=codec.documents_of(row.documents),
        fields=codec.fields_of(row.fields),
        keywords_ar=tuple(row.keywords.get("ar", ())),
        keywords_en=tuple(row.keywords.get("en", ())),
        active=row.active,
    )


async def services(session: AsyncSession) -> list[Service]:
    rows = await session.scalars(select(ServiceRow).order_by(ServiceRow.code))
    return [service_of(r) for r in rows]


async def service_row(session: AsyncSession, code: str, *, lock: bool = False) -> ServiceRow | None:
    """The row; ``lock`` holds it (``FOR UPDATE``) until the transaction ends."""
    return await session.get(ServiceRow, code, with_for_update=lock or None)


async def add_services(session: AsyncSession, items: Iterable[Service], now: datetime) -> None:
    rows = [
        {"code": s.code, **_values(s), "created_at": now, "updated_at": now, "retired_at": None}
        for s in items
    ]
    if rows:
        await session.execute(insert(ServiceRow), rows)


def change_service(row: ServiceRow, service: Service, now: datetime) -> None:
    """Write ``service`` over ``row`` (its code stays)."""
    for name, value in _values(service).items():
        setattr(row, name, value)
    row.updated_at = now
    row.retired_at = None if service.active else (row.retired_at or now)
