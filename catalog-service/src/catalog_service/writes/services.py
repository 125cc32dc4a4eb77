"""Publishing, replacing and retiring services (national admins only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import events, inputs
from catalog_service.domain.catalogue import (
    NUMERIC_KINDS,
    Category,
    Department,
    FormField,
    Option,
    ProcedureStep,
    RequiredDocument,
    Service,
    definition_errors,
)
from catalog_service.domain.fees import FeeSchedule, required_inputs, schedule_for
from catalog_service.models import ServiceRow
from catalog_service.queries import catalogue, fees
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.reads import representations as rep
from catalog_service.schemas import ServiceCreate, ServiceDefinitionIn, ServiceDetail
from catalog_service.writes.common import (
    Outcome,
    begin_change,
    lock_catalogue,
    once,
    require_national,
)
from mahaliyat.auth import Principal
from mahaliyat.db import utcnow
from mahaliyat.events import record
from mahaliyat.problems import Problem

SERVICES_PATH = "/api/v1/catalog/services"


def definition(code: str, body: ServiceDefinitionIn, *, active: bool = True) -> Service:
    return Service(
        code=code,
        name_ar=body.name.ar,
        name_en=body.name.en,
        description_ar=body.description.ar,
        description_en=body.description.en,
        category_code=body.category,
        department_code=body.department,
        sla_days=body.sla_days,
        online=body.online,
        channels=tuple(dict.fromkeys(body.channels)),
        centre_kinds=tuple(dict.fromkeys(body.centre_kinds)),
        steps=tuple(
            ProcedureStep(i, s.text.ar, s.text.en) for i, s in enumerate(body.steps, start=1)
        ),
        documents=tuple(
            RequiredDocument(d.code, d.name.ar, d.name.en, d.required) for d in body.documents
        ),
        fields=tuple(
            FormField(
                name=f.name,
                kind=f.kind,
                label_ar=f.label.ar,
                label_en=f.label.en,
                required=f.required,
                min_value=f.min_value,
                max_value=f.max_value,
                max_length=f.max_length,
                options=tuple(Option(o.code, o.name.ar, o.name.en) for o in f.options),
            )
            for f in body.fields
        ),
        keywords_ar=tuple(body.keywords.ar),
        keywords_en=tuple(body.keywords.en),
        active=active,
    )


def _fee_input_errors(service: Service, schedules: Iterable[FeeSchedule]) -> list[tuple[str, str]]:
    """Form fields the fee rules of ``schedules`` multiply but the definition no longer offers
    as a number or area: ``fields.<name>`` when removed, ``fields.<i>.kind`` when retyped."""
    numeric = {f.name for f in service.fields if f.kind in NUMERIC_KINDS}
    positions = {f.name: i for i, f in enumerate(service.fields)}
    needed = dict.fromkeys(
        name for s in schedules for name in required_inputs(s.items) if name not in numeric
    )
    return [
        (f"fields.{positions[name]}.kind", "fee.input_field_not_a_number")
        if name in positions
        else (f"fields.{name}", "fee.input_field_removed")
        for name in needed
    ]


async def _checked(
    session: AsyncSession, service: Service, *, on: date | None = None
) -> tuple[Category, Department]:
    """The service's category and department, or a 422 naming every inconsistency.

    With ``on``, the fee schedules in effect that day or later (national and every
    governorate's) must still find the form fields their rules multiply.
    """
    category = await catalogue.category(session, service.category_code)
    department = await catalogue.department(session, service.department_code)
    errors = [(field, code, "body") for field, code in definition_errors(service)]
    if on is not None:
        stored = await fees.schedules_of(session, service.code, every=True)
        current = [
            s.schedule
            for s in stored
            if s.schedule.effective_to is None or s.schedule.effective_to > on
        ]
        errors += [(field, code, "body") for field, code in _fee_input_errors(service, current)]
    if category is None:
        errors.append(("category", "unknown_category", "body"))
    if department is None:
        errors.append(("department", "unknown_department", "body"))
    if errors or category is None or department is None:
        raise inputs.invalid(errors)
    return category, department


async def _detail(
    session: AsyncSession, service: Service, category: Category, department: Department, on: date
) -> ServiceDetail:
    national = [s.schedule for s in await fees.schedules_of(session, service.code, None)]
    schedule = schedule_for(national, service.code, None, on)
    return rep.service_detail(service, category, department, schedule, None, on)


async def publish(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    body: ServiceCreate,
    idempotency_key: str | None,
) -> Response:
    require_national(principal)

    async def create() -> Outcome:
        if await catalogue.service_row(session, body.code) is not None:
            raise Problem(409, "service_exists", f"{body.code}")
        service = definition(body.code, body)
        category, department = await _checked(session, service)
        await catalogue.add_services(session, [service], utcnow())
        detail = await _detail(session, service, category, department, inputs.today())
        await record(session, events.service_event("published", detail))
        return Outcome(201, detail.model_dump(mode="json"), f"{SERVICES_PATH}/{service.code}")

    return await once(
        session, read_model, principal, idempotency_key, "publish_service", body, create
    )


async def _row(session: AsyncSession, code: str) -> ServiceRow:
    await lock_catalogue(session)  # before the service row: one lock order for every writer
    row = await catalogue.service_row(session, inputs.path_code(code), lock=True)
    if row is None:
        raise inputs.not_found("service", code)
    return row


async def change(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    code: str,
    body: ServiceDefinitionIn,
) -> ServiceDetail:
    require_national(principal)
    row = await _row(session, code)
    before = catalogue.service_of(row)
    service = definition(row.code, body, active=row.active)
    category, department = await _checked(session, service, on=inputs.today())
    if service != before:
        await begin_change(session, read_model)
        catalogue.change_service(row, service, utcnow())
    detail = await _detail(session, service, category, department, inputs.today())
    if service != before:
        await record(session, events.service_event("updated", detail))
    return detail


async def retire(
    session: AsyncSession, read_model: CatalogueReadModel, principal: Principal, code: str
) -> ServiceDetail:
    """Retired services stay readable (``active: false``) but leave lists, search and centres."""
    require_national(principal)
    row = await _row(session, code)
    service = replace(catalogue.service_of(row), active=False)
    category = await catalogue.category(session, service.category_code)
    department = await catalogue.department(session, service.department_code)
    assert category is not None, "foreign key"
    assert department is not None, "foreign key"
    changed = row.active
    if changed:
        await begin_change(session, read_model)
        catalogue.change_service(row, service, utcnow())
    detail = await _detail(session, service, category, department, inputs.today())
    if changed:
        await record(session, events.service_event("retired", detail))
    return detail
