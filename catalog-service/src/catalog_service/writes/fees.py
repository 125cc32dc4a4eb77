"""Adding a fee schedule and closing one's period.

Fee history is kept honest: a schedule starts today or later, and a period is only
ever shortened, to today or later; so no quote already given changes under the
citizen. To change fees, close the current period and add the next one from that day.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import events, inputs
from catalog_service.domain.catalogue import FieldKind
from catalog_service.domain.fees import (
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    conflicting_schedule,
    input_errors,
)
from catalog_service.models import FeeScheduleRow
from catalog_service.queries import catalogue, fees, geography
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.reads import representations as rep
from catalog_service.schemas import FeeItemIn, FeeScheduleClose, FeeScheduleIn, FeeScheduleOut
from catalog_service.writes.common import Outcome, begin_change, once, require_scope
from mahaliyat import context
from mahaliyat.auth import Principal
from mahaliyat.db import utcnow
from mahaliyat.events import record
from mahaliyat.problems import Problem

# Domain attribute → API field of a fee item.
_ITEM_FIELDS = {
    "amount": "amount_piasters",
    "rate": "rate_piasters",
    "minimum": "minimum_piasters",
    "maximum": "maximum_piasters",
}


def _item(index: int, body: FeeItemIn) -> FeeItem:
    try:
        return FeeItem(
            code=body.code,
            name_ar=body.name.ar,
            name_en=body.name.en,
            rule=body.rule,
            amount=body.amount_piasters,
            rate=body.rate_piasters,
            inputs=tuple(body.inputs),
            minimum=body.minimum_piasters,
            maximum=body.maximum_piasters,
        )
    except FeeRuleError as exc:
        field = f"items.{index}.{_ITEM_FIELDS.get(exc.field, exc.field)}"
        raise inputs.invalid([(field, exc.code, "body")]) from exc


def _required_date(value: str | None, field: str) -> date:
    parsed = inputs.parse_date(value, field, "body")
    if parsed is None:
        raise inputs.invalid([(field, "required", "body")])
    return parsed


async def _governorate(session: AsyncSession, value: str | None) -> str | None:
    known = {g.code for g in await geography.governorates(session)}
    return inputs.governorate(value, known, location="body")


def _conflict(clash: FeeSchedule, clash_id: uuid.UUID) -> Problem:
    detail = (
        "the period overlaps an existing schedule for this service and governorate"
        if context.language.get() == "en"
        else "الفترة تتداخل مع جدول رسوم قائم لنفس الخدمة والمحافظة"
    )
    return Problem(
        409,
        "fee_period_overlap",
        detail,
        extra={
            "conflicting_schedule": {
                "id": str(clash_id),
                "effective_from": clash.effective_from.isoformat(),
                "effective_to": clash.effective_to.isoformat() if clash.effective_to else None,
            }
        },
    )


async def add(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    service_code: str,
    body: FeeScheduleIn,
    idempotency_key: str | None,
) -> Outcome:
    governorate = await _governorate(session, body.governorate)
    require_scope(principal, governorate)
    code = inputs.path_code(service_code)

    async def create() -> Outcome:
        row = await catalogue.service_row(session, code, lock=True)
        if row is None:
            raise inputs.not_found("service", service_code)
        starts = _required_date(body.effective_from, "effective_from")
        ends = inputs.parse_date(body.effective_to, "effective_to", "body")
        if starts < inputs.today():
            raise inputs.invalid([("effective_from", "fee.starts_in_past", "body")])
        items = tuple(_item(i, item) for i, item in enumerate(body.items))
        try:
            schedule = FeeSchedule(code, governorate, starts, ends, items)
        except FeeRuleError as exc:
            raise inputs.invalid([(exc.field, exc.code, "body")]) from exc
        numeric = [
            f.name
            for f in catalogue.service_of(row).fields
            if f.kind in (FieldKind.NUMBER, FieldKind.AREA_M2)
        ]
        if errors := input_errors(items, numeric):
            raise inputs.invalid([(field, error, "body") for field, error in errors])
        existing = await fees.schedules_of(session, code, governorate)
        clash = conflicting_schedule([s.schedule for s in existing], schedule)
        if clash is not None:
            clash_id = next(s.id for s in existing if s.schedule == clash)
            raise _conflict(clash, clash_id)
        now = utcnow()
        [schedule_id] = await fees.add_schedules(session, [schedule], now, principal.subject)
        out = rep.fee_schedule_out(fees.StoredSchedule(schedule_id, schedule, now, None))
        await record(session, events.fee_changed("added", out))
        return Outcome(
            201,
            out.model_dump(mode="json"),
            f"/api/v1/catalog/services/{code}/fee-schedules/{schedule_id}",
        )

    return await once(
        session, read_model, principal, idempotency_key, f"add_fee_schedule:{code}", body, create
    )


async def _schedule_row(
    session: AsyncSession, service_code: str, schedule_id: uuid.UUID
) -> FeeScheduleRow:
    row = await fees.schedule_row(session, schedule_id, lock=True)
    if row is None or row.service_code != inputs.path_code(service_code):
        raise inputs.not_found("fee_schedule", str(schedule_id))
    return row


async def close(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    service_code: str,
    schedule_id: uuid.UUID,
    body: FeeScheduleClose,
) -> FeeScheduleOut:
    row = await _schedule_row(session, service_code, schedule_id)
    require_scope(principal, row.governorate_code)
    ends = _required_date(body.effective_to, "effective_to")
    if ends != row.effective_to:
        if ends <= row.effective_from:
            raise inputs.invalid([("effective_to", "fee.period_empty", "body")])
        if ends < inputs.today():
            raise inputs.invalid([("effective_to", "fee.closes_in_past", "body")])
        if row.effective_to is not None and ends > row.effective_to:
            raise inputs.invalid([("effective_to", "fee.period_only_shortens", "body")])
        await begin_change(session, read_model)
        fees.close_schedule(row, ends, utcnow())
        out = rep.fee_schedule_out(fees.stored(row))
        await record(session, events.fee_changed("closed", out))
        return out
    return rep.fee_schedule_out(fees.stored(row))
