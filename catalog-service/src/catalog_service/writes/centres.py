"""Updating a centre: a governorate admin may change the centres in its jurisdiction."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import events, inputs
from catalog_service.domain.centres import Centre, CentreKind, OpeningHours, Weekday
from catalog_service.domain.personal_numbers import ascii_digits
from catalog_service.queries import centres
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.reads import representations as rep
from catalog_service.schemas import CentreOut, CentreUpdate, OpeningHoursIn
from catalog_service.writes.common import ADMIN_ROLE, begin_change
from mahaliyat.auth import Principal, ensure_jurisdiction
from mahaliyat.db import utcnow
from mahaliyat.events import record

_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f]")
_LANDLINE_OR_MOBILE = re.compile(r"^(?:\+20|0020|0)(\d{8,10})$")
_NOT_NULL = ("name", "address", "phone", "hours", "active")


def _phone(value: str) -> str:
    """Egyptian numbers in E.164: ``02 3345 6789`` → ``+20233456789``."""
    match = _LANDLINE_OR_MOBILE.match(_SEPARATORS.sub("", ascii_digits(value)))
    if match is None:
        raise inputs.invalid([("phone", "invalid_phone", "body")])
    return "+20" + match.group(1)


def _clock(value: str, field: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise inputs.invalid([(field, "invalid_time", "body")]) from None


def _hours(rows: list[OpeningHoursIn]) -> tuple[OpeningHours, ...]:
    hours = []
    for i, h in enumerate(rows):
        opens = _clock(h.opens, f"hours.{i}.opens")
        closes = _clock(h.closes, f"hours.{i}.closes")
        if closes <= opens:
            raise inputs.invalid([(f"hours.{i}.closes", "closes_before_opening", "body")])
        hours.append(OpeningHours(Weekday(h.weekday), opens, closes))
    return tuple(hours)


def changed(centre: Centre, body: CentreUpdate) -> Centre:
    """``centre`` with the fields the request sent."""
    sent = body.model_fields_set
    if missing := [name for name in _NOT_NULL if name in sent and getattr(body, name) is None]:
        raise inputs.invalid([(name, "required", "body") for name in missing])
    values: dict[str, Any] = {}
    if body.name is not None:
        values.update(name_ar=body.name.ar, name_en=body.name.en)
    if body.address is not None:
        values.update(address_ar=body.address.ar, address_en=body.address.en)
    if body.phone is not None:
        values["phone"] = _phone(body.phone)
    if body.hours is not None:
        values["hours"] = _hours(body.hours)
    if body.active is not None:
        values["active"] = body.active
    for name in ("latitude", "longitude", "vehicle_plate"):
        if name in sent:
            values[name] = getattr(body, name)
    if values.get("vehicle_plate") and centre.kind is not CentreKind.MOBILE:
        raise inputs.invalid([("vehicle_plate", "only_mobile_centres", "body")])
    return replace(centre, **values)


async def update(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    code: str,
    body: CentreUpdate,
    base_url: str,
) -> CentreOut:
    row = await centres.centre_row(session, inputs.path_code(code), lock=True)
    if row is None:
        raise inputs.not_found("centre", code)
    ensure_jurisdiction(principal, ADMIN_ROLE, row.code)
    before = centres.centre_of(row)
    after = changed(before, body)
    out = rep.centre_out(after, base_url)
    if after != before:
        await begin_change(session, read_model)
        centres.change_centre(row, after, utcnow())
        await record(session, events.centre_updated(out))
    return out
