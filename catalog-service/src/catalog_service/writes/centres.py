"""Opening a centre, changing one, and replacing a mobile centre's schedule of stops.

A governorate admin acts on the centres in its jurisdiction only (others answer 404, as
the kernel's rule has it); a markaz admin on the centres of its markaz.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time
from functools import partial
from typing import Any

from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service import events, inputs
from catalog_service.domain.centres import Centre, CentreKind, MobileStop, OpeningHours, Weekday
from catalog_service.domain.codes import governorate_of, is_centre_code
from catalog_service.inputs import Errors
from catalog_service.models import CentreRow
from catalog_service.queries import centres, geography
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.reads import representations as rep
from catalog_service.schemas import (
    CentreCreate,
    CentreOut,
    CentreUpdate,
    MobileStops,
    OpeningHoursIn,
    ScheduleReplace,
)
from catalog_service.writes.common import (
    ADMIN_ROLE,
    Outcome,
    begin_change,
    lock_catalogue,
    once,
    say,
)
from mahaliyat.auth import Principal, ensure_jurisdiction
from mahaliyat.db import utcnow
from mahaliyat.digits import to_ascii_digits
from mahaliyat.events import record
from mahaliyat.problems import Problem

CENTRES_PATH = "/api/v1/catalog/centres"
_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f]")
_LANDLINE_OR_MOBILE = re.compile(r"^(?:\+20|0020|0)(\d{8,10})$")
_NOT_NULL = ("name", "address", "phone", "hours", "active")
# The letter in a centre's code says its kind: 21-03-F01, 21-H01, 21-M02, 21-L01.
_KIND_LETTER = {
    CentreKind.FIXED: "F",
    CentreKind.GOVERNORATE_HQ: "H",
    CentreKind.MOBILE: "M",
    CentreKind.LICENSING: "L",
}
# A mobile centre serves in daylight: a stop opens at 06:00 or later and closes by 22:00.
SERVICE_DAY = (time(6, 0), time(22, 0))
# One schedule replacement covers at most a quarter of a year.
MAX_SCHEDULE_DAYS = 92


def _phone(value: str, errors: Errors) -> str | None:
    """Egyptian numbers in E.164: ``02 3345 6789`` → ``+20233456789``."""
    match = _LANDLINE_OR_MOBILE.match(_SEPARATORS.sub("", to_ascii_digits(value)))
    if match is None:
        errors.append(("phone", "invalid_phone", "body"))
        return None
    return "+20" + match.group(1)


def _clock(value: str, field: str, errors: Errors) -> time | None:
    try:
        return time.fromisoformat(to_ascii_digits(value.strip()))
    except ValueError:
        errors.append((field, "invalid_time", "body"))
        return None


def _hours(rows: list[OpeningHoursIn], errors: Errors) -> tuple[OpeningHours, ...]:
    hours = []
    for i, h in enumerate(rows):
        opens = _clock(h.opens, f"hours.{i}.opens", errors)
        closes = _clock(h.closes, f"hours.{i}.closes", errors)
        if opens is None or closes is None:
            continue
        if closes <= opens:
            errors.append((f"hours.{i}.closes", "closes_before_opening", "body"))
            continue
        hours.append(OpeningHours(Weekday(h.weekday), opens, closes))
    return tuple(hours)


def _in_scope(principal: Principal, code: str) -> None:
    """A centre outside the admin's jurisdiction answers 404: its existence is not revealed."""
    ensure_jurisdiction(principal, ADMIN_ROLE, code)


# --- opening a centre -----------------------------------------------------------------


def _code(value: str) -> str:
    """The centre code as typed (Arabic-Indic digits, lower case), or a 422 naming ``code``."""
    code = to_ascii_digits(value.strip()).upper()
    if not is_centre_code(code):
        raise inputs.invalid([("code", "invalid_centre", "body")])
    return code


def _code_errors(code: str, kind: CentreKind) -> Errors:
    """The code's letter must be its kind's; fixed centres sit in a subdivision, governorate-HQ
    and mobile centres in the governorate itself."""
    parts = code.split("-")
    if parts[-1][0] != _KIND_LETTER[kind]:
        return [("code", "centre.code_not_of_kind", "body")]
    if kind is CentreKind.FIXED and len(parts) != 3:
        return [("code", "centre.code_needs_subdivision", "body")]
    if kind in (CentreKind.GOVERNORATE_HQ, CentreKind.MOBILE) and len(parts) != 2:
        return [("code", "centre.code_governorate_level", "body")]
    return []


async def _place_errors(session: AsyncSession, code: str) -> Errors:
    """The code's governorate and subdivision must exist."""
    governorate = governorate_of(code)
    if not await geography.governorate_exists(session, governorate):
        return [("code", "unknown_governorate", "body")]
    parts = code.split("-")
    if len(parts) == 3 and not await geography.subdivision_exists(session, "-".join(parts[:2])):
        return [("code", "unknown_subdivision", "body")]
    return []


def _new_centre(code: str, body: CentreCreate, errors: Errors) -> Centre | None:
    phone = _phone(body.phone, errors)
    hours = _hours(body.hours, errors)
    if body.vehicle_plate and body.kind is not CentreKind.MOBILE:
        errors.append(("vehicle_plate", "only_mobile_centres", "body"))
    if errors or phone is None:
        return None
    parts = code.split("-")
    return Centre(
        code=code,
        kind=body.kind,
        governorate_code=parts[0],
        subdivision_code="-".join(parts[:2]) if len(parts) == 3 else None,
        name_ar=body.name.ar,
        name_en=body.name.en,
        address_ar=body.address.ar,
        address_en=body.address.en,
        phone=phone,
        hours=hours,
        latitude=body.latitude,
        longitude=body.longitude,
        vehicle_plate=body.vehicle_plate or None,
        active=body.active,
    )


async def create(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    body: CentreCreate,
    idempotency_key: str | None,
    base_url: str,
) -> Response:
    code = _code(body.code)
    _in_scope(principal, code)
    errors = _code_errors(code, body.kind) + await _place_errors(session, code)
    centre = _new_centre(code, body, errors)
    if errors or centre is None:
        raise inputs.invalid(errors)

    async def open_centre() -> Outcome:
        if await centres.centre_row(session, code) is not None:
            raise Problem(
                409,
                "centre_exists",
                say(f"يوجد مركز بالرمز {code}", f"a centre {code} exists already"),
            )
        await centres.add_centres(session, [centre], utcnow())
        out = rep.centre_out(centre, base_url)
        await record(session, events.centre_changed("created", out))
        return Outcome(201, out.model_dump(mode="json"), f"{CENTRES_PATH}/{code}")

    return await once(
        session, read_model, principal, idempotency_key, "open_centre", body, open_centre
    )


# --- changing a centre ----------------------------------------------------------------


def changed(centre: Centre, body: CentreUpdate) -> Centre:
    """``centre`` with the fields the request sent, or a 422 naming every bad one."""
    sent = body.model_fields_set
    errors: Errors = [
        (name, "required", "body")
        for name in _NOT_NULL
        if name in sent and getattr(body, name) is None
    ]
    values: dict[str, Any] = {}
    if body.name is not None:
        values.update(name_ar=body.name.ar, name_en=body.name.en)
    if body.address is not None:
        values.update(address_ar=body.address.ar, address_en=body.address.en)
    if body.phone is not None:
        values["phone"] = _phone(body.phone, errors)
    if body.hours is not None:
        values["hours"] = _hours(body.hours, errors)
    if body.active is not None:
        values["active"] = body.active
    for name in ("latitude", "longitude", "vehicle_plate"):
        if name in sent:
            values[name] = getattr(body, name)
    if values.get("vehicle_plate") and centre.kind is not CentreKind.MOBILE:
        errors.append(("vehicle_plate", "only_mobile_centres", "body"))
    if errors:
        raise inputs.invalid(errors)
    return replace(centre, **values)


async def _row(session: AsyncSession, principal: Principal, code: str) -> CentreRow:
    """The centre, locked after the generation (one lock order for every writer), in scope."""
    await lock_catalogue(session)
    row = await centres.centre_row(session, inputs.path_code(code), lock=True)
    if row is None:
        raise inputs.not_found("centre", code)
    _in_scope(principal, row.code)
    return row


async def update(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    code: str,
    body: CentreUpdate,
    base_url: str,
) -> CentreOut:
    row = await _row(session, principal, code)
    before = centres.centre_of(row)
    after = changed(before, body)
    out = rep.centre_out(after, base_url)
    if after != before:
        await begin_change(session, read_model)
        centres.change_centre(row, after, utcnow())
        await record(session, events.centre_changed("updated", out))
    return out


# --- a mobile centre's schedule -------------------------------------------------------


def _range(body: ScheduleReplace, errors: Errors) -> tuple[date, date] | None:
    start = inputs.collect(errors, lambda: inputs.parse_date(body.start, "from", "body"))
    end = inputs.collect(errors, lambda: inputs.parse_date(body.end, "to", "body"))
    for field, value, given in (("from", start, body.start), ("to", end, body.end)):
        if value is None and not given.strip():
            errors.append((field, "required", "body"))
    if start is not None and start < inputs.today():
        errors.append(("from", "schedule.starts_in_past", "body"))
    if start is None or end is None:
        return None
    if end <= start:
        errors.append(("to", "schedule.range_empty", "body"))
    elif (end - start).days > MAX_SCHEDULE_DAYS:
        errors.append(("to", "schedule.range_too_long", "body"))
    return start, end


async def _stops(
    session: AsyncSession,
    centre: Centre,
    body: ScheduleReplace,
    window: tuple[date, date] | None,
    errors: Errors,
) -> list[MobileStop]:
    """The stops sent, each checked: in the range, one a day, sane hours, in the centre's
    governorate."""
    local = {s.code for s in await geography.subdivisions(session, centre.governorate_code)}
    known = await geography.subdivision_codes(session)
    stops: list[MobileStop] = []
    days: set[date] = set()
    for i, stop in enumerate(body.stops):
        field = f"stops.{i}"
        on = inputs.collect(errors, partial(inputs.parse_date, stop.on, f"{field}.on", "body"))
        if on is not None and window is not None and not window[0] <= on < window[1]:
            errors.append((f"{field}.on", "schedule.outside_range", "body"))
        elif on is not None and on in days:
            errors.append((f"{field}.on", "schedule.stops_overlap", "body"))
        if on is not None:
            days.add(on)
        opens = _clock(stop.opens, f"{field}.opens", errors)
        closes = _clock(stop.closes, f"{field}.closes", errors)
        if opens is not None and opens < SERVICE_DAY[0]:
            errors.append((f"{field}.opens", "schedule.outside_service_hours", "body"))
        if closes is not None and closes > SERVICE_DAY[1]:
            errors.append((f"{field}.closes", "schedule.outside_service_hours", "body"))
        if opens is not None and closes is not None and closes <= opens:
            errors.append((f"{field}.closes", "closes_before_opening", "body"))
        subdivision = inputs.collect(
            errors,
            partial(inputs.subdivision, stop.subdivision, known, f"{field}.subdivision", "body"),
        )
        if subdivision is not None and subdivision not in local:
            errors.append((f"{field}.subdivision", "schedule.outside_governorate", "body"))
        if on is not None and opens is not None and closes is not None and subdivision is not None:
            # Kept only to compare and store when no stop has an error (the caller checks).
            stops.append(
                MobileStop(
                    centre.code, on, opens, closes, subdivision, stop.place.ar, stop.place.en
                )
            )
    return sorted(stops, key=lambda s: s.on)


async def replace_schedule(
    session: AsyncSession,
    read_model: CatalogueReadModel,
    principal: Principal,
    code: str,
    body: ScheduleReplace,
) -> MobileStops:
    """The centre's stops on [from, to) become the ones sent; days left out have none. The
    same schedule again changes nothing and publishes nothing."""
    row = await _row(session, principal, code)
    centre = centres.centre_of(row)
    if centre.kind is not CentreKind.MOBILE:
        raise Problem(
            404,
            "not_a_mobile_centre",
            say(f"{centre.code} ليس مركزًا متنقلًا", f"{centre.code} is not a mobile centre"),
        )
    errors: Errors = []
    window = _range(body, errors)
    stops = await _stops(session, centre, body, window, errors)
    if errors or window is None:
        raise inputs.invalid(errors)
    start, end = window
    subdivisions = {
        s.code: s for s in await geography.subdivisions(session, centre.governorate_code)
    }
    answer = MobileStops(
        start=start, end=end, items=rep.stops_out(stops, {centre.code: centre}, subdivisions)
    )
    if stops != await centres.stops(session, start, end, centre_code=centre.code):
        await begin_change(session, read_model)
        await centres.replace_stops(session, centre.code, start, end, stops)
        await record(session, events.schedule_changed(centre.code, answer))
    if row.stops_planned_to is None or row.stops_planned_to < end:
        row.stops_planned_to = end  # the demo top-up leaves these days as the admin set them
    return answer
