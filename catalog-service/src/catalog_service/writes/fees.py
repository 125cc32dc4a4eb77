"""Adding a fee schedule, closing one's period, and withdrawing one that has not started.

Fee history is kept honest: a schedule starts today or later, and a period is only
ever shortened, to today or later; so no quote already given changes under the
citizen. To change fees, close the current period and add the next one from that day.
A schedule announced for a later day can be withdrawn until that day comes.
"""

from __future__ import annotations

import uuid
from datetime import date

from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import events, inputs
from catalog_service.domain.catalogue import NUMERIC_KINDS
from catalog_service.domain.fees import (
    FeeItem,
    FeeRuleError,
    FeeSchedule,
    conflicting_schedule,
    period_errors,
)
from catalog_service.inputs import Errors
from catalog_service.models import FeeScheduleRow
from catalog_service.queries import catalogue, fees, geography
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.reads import representations as rep
from catalog_service.schemas import FeeItemIn, FeeScheduleClose, FeeScheduleIn, FeeScheduleOut
from catalog_service.writes.common import (
    Outcome,
    begin_change,
    lock_catalogue,
    once,
    require_scope,
    say,
)
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
# The exclusion constraint of migration 0003 (PostgreSQL): periods of one service and
# governorate never overlap, whatever writes the rows.
PERIOD_CONSTRAINT = "ex_fee_schedules_period"


def _item(index: int, body: FeeItemIn, numeric: frozenset[str], errors: Errors) -> FeeItem | None:
    """The item, or None with every one of its errors added (``items.<i>.<api field>``)."""
    try:
        item: FeeItem | None = FeeItem(
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
        item = None
        errors.extend(
            (f"items.{index}.{_ITEM_FIELDS.get(field, field)}", code, "body")
            for field, code in exc.errors
        )
    if any(name not in numeric for name in body.inputs):
        # Rated items multiply the service's number or area fields, nothing else.
        errors.append((f"items.{index}.inputs", "fee.input_not_a_number_field", "body"))
        item = None
    return item


def _date(value: str | None, field: str, errors: Errors, *, required: bool) -> date | None:
    """``value`` read as a date, or None with its error added."""
    parsed = inputs.collect(errors, lambda: inputs.parse_date(value, field, "body"))
    if parsed is None and required and not any(e[0] == field for e in errors):
        errors.append((field, "required", "body"))
    return parsed


async def _governorate(session: AsyncSession, value: str | None) -> str | None:
    known = {g.code for g in await geography.governorates(session)}
    return inputs.governorate(value, known, location="body")


def _conflict(clash: FeeSchedule | None, clash_id: uuid.UUID | None) -> Problem:
    extra = {}
    if clash is not None:
        extra["conflicting_schedule"] = {
            "id": str(clash_id),
            "effective_from": clash.effective_from.isoformat(),
            "effective_to": clash.effective_to.isoformat() if clash.effective_to else None,
        }
    return Problem(
        409,
        "fee_period_overlap",
        say(
            "الفترة تتداخل مع جدول رسوم قائم لنفس الخدمة والمحافظة",
            "the period overlaps an existing schedule for this service and governorate",
        ),
        extra=extra,
    )


async def add(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    service_code: str,
    body: FeeScheduleIn,
    idempotency_key: str | None,
) -> Response:
    governorate = await _governorate(session, body.governorate)
    require_scope(principal, governorate)
    code = inputs.path_code(service_code)

    async def create() -> Outcome:
        row = await catalogue.service_row(session, code, lock=True)
        if row is None:
            raise inputs.not_found("service", service_code)
        numeric = frozenset(
            f.name for f in catalogue.service_of(row).fields if f.kind in NUMERIC_KINDS
        )
        errors: Errors = []
        starts = _date(body.effective_from, "effective_from", errors, required=True)
        ends = _date(body.effective_to, "effective_to", errors, required=False)
        if starts is not None and starts < inputs.today():
            errors.append(("effective_from", "fee.starts_in_past", "body"))
        if starts is not None:
            errors += [(field, error, "body") for field, error in period_errors(starts, ends)]
        items = [_item(i, item, numeric, errors) for i, item in enumerate(body.items)]
        codes = [item.code for item in body.items]
        if len(codes) != len(set(codes)):
            errors.append(("items", "fee.item_code_duplicate", "body"))
        if errors:
            raise inputs.invalid(errors)
        assert starts is not None, "required above"
        schedule = FeeSchedule(code, governorate, starts, ends, tuple(filter(None, items)))
        existing = await fees.schedules_of(session, code, governorate)
        clash = conflicting_schedule([s.schedule for s in existing], schedule)
        if clash is not None:
            raise _conflict(clash, next(s.id for s in existing if s.schedule == clash))
        now = utcnow()
        try:
            [schedule_id] = await fees.add_schedules(session, [schedule], now, principal.subject)
        except IntegrityError as exc:
            if PERIOD_CONSTRAINT in str(exc.orig):
                raise _conflict(None, None) from exc
            raise
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
    session: AsyncSession, principal: Principal, service_code: str, schedule_id: uuid.UUID
) -> FeeScheduleRow:
    """The schedule, locked after the generation (one lock order for every writer), in scope."""
    await lock_catalogue(session)
    row = await fees.schedule_row(session, schedule_id, lock=True)
    if row is None or row.service_code != inputs.path_code(service_code):
        raise inputs.not_found("fee_schedule", str(schedule_id))
    require_scope(principal, row.governorate_code)
    return row


async def close(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    service_code: str,
    schedule_id: uuid.UUID,
    body: FeeScheduleClose,
) -> FeeScheduleOut:
    row = await _schedule_row(session, principal, service_code, schedule_id)
    if row.withdrawn_at is not None:
        raise _withdrawn()
    errors: Errors = []
    ends = _date(body.effective_to, "effective_to", errors, required=True)
    if errors or ends is None:
        raise inputs.invalid(errors)
    if ends != row.effective_to:
        if ends <= row.effective_from:
            errors.append(("effective_to", "fee.period_empty", "body"))
        if ends < inputs.today():
            errors.append(("effective_to", "fee.closes_in_past", "body"))
        if row.effective_to is not None and ends > row.effective_to:
            errors.append(("effective_to", "fee.period_only_shortens", "body"))
        if errors:
            raise inputs.invalid(errors)
        await begin_change(session, read_model)
        fees.close_schedule(row, ends, utcnow())
        out = rep.fee_schedule_out(fees.stored(row))
        await record(session, events.fee_changed("closed", out))
        return out
    return rep.fee_schedule_out(fees.stored(row))


def _withdrawn() -> Problem:
    return Problem(
        409,
        "fee_schedule_withdrawn",
        say("سُحب جدول الرسوم هذا قبل سريانه", "this fee schedule was withdrawn before it started"),
    )


async def withdraw(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    service_code: str,
    schedule_id: uuid.UUID,
) -> FeeScheduleOut:
    """Take back a schedule before its first day: it never applied, so no quote or invoice
    rests on it. The row stays (``withdrawn_at``) but leaves fees, history and overlaps."""
    row = await _schedule_row(session, principal, service_code, schedule_id)
    if row.withdrawn_at is None:
        if row.effective_from <= inputs.today():
            raise Problem(
                409,
                "fee_schedule_started",
                say(
                    "بدأ سريان جدول الرسوم؛ يمكن إنهاء فترته فقط",
                    "the schedule has started; its period can only be closed",
                ),
            )
        await begin_change(session, read_model)
        fees.withdraw_schedule(row, utcnow())
        out = rep.fee_schedule_out(fees.stored(row))
        await record(session, events.fee_changed("withdrawn", out))
        return out
    return rep.fee_schedule_out(fees.stored(row))  # withdrawn already: the same answer
