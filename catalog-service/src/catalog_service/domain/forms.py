"""Validation of application form data against a service's typed fields.

Errors are (field, message_code) pairs; the API turns them into a 422 problem.
Codes: ``required``, ``unknown_field``, ``not_text``, ``too_long``,
``not_number``, ``below_minimum``, ``above_maximum``, ``not_date``,
``not_an_option``, ``not_a_list``, ``duplicate_option``, ``too_few_options``,
``too_many_options``, and the identifier codes of :mod:`mahaliyat.identifiers`
(``national_id_format``, ``national_id_century``, ``national_id_birth_date``,
``national_id_governorate``, ``mobile_format``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from catalog_service.domain.catalogue import FieldKind, FormField
from mahaliyat.digits import InvalidNumber, parse_decimal, to_ascii_digits
from mahaliyat.identifiers import InvalidIdentifier, parse_mobile, parse_national_id


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str


class _Invalid(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _text(f: FormField, value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("not_text")
    text = " ".join(value.split())
    if f.max_length is not None and len(text) > f.max_length:
        raise _Invalid("too_long")
    return text


def _number(f: FormField, value: object) -> Decimal:
    if isinstance(value, bool):
        raise _Invalid("not_number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = parse_decimal(value)
        except InvalidNumber:
            raise _Invalid("not_number") from None
    else:
        raise _Invalid("not_number")
    if not number.is_finite():
        raise _Invalid("not_number")
    if f.kind is FieldKind.AREA_M2 and number <= 0:
        raise _Invalid("below_minimum")
    if f.min_value is not None and number < Decimal(str(f.min_value)):
        raise _Invalid("below_minimum")
    if f.max_value is not None and number > Decimal(str(f.max_value)):
        raise _Invalid("above_maximum")
    return number


def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise _Invalid("not_date")
    try:
        return date.fromisoformat(to_ascii_digits(value.strip()))
    except ValueError:
        raise _Invalid("not_date") from None


def _choice(f: FormField, value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("not_an_option")
    if value not in f.option_codes:
        raise _Invalid("not_an_option")
    return value


def _multi_choice(f: FormField, value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _Invalid("not_a_list")
    picked = [_choice(f, v) for v in value]
    if len(set(picked)) != len(picked):
        raise _Invalid("duplicate_option")
    if f.min_value is not None and len(picked) < f.min_value:
        raise _Invalid("too_few_options")
    if f.max_value is not None and len(picked) > f.max_value:
        raise _Invalid("too_many_options")
    return picked


def _national_id(value: object, today: date | None) -> str:
    if not isinstance(value, str):
        raise _Invalid("national_id_format")
    try:
        return parse_national_id(value, today).number
    except InvalidIdentifier as exc:
        raise _Invalid(exc.code) from None


def _phone(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("mobile_format")
    try:
        return parse_mobile(value)
    except InvalidIdentifier as exc:
        raise _Invalid(exc.code) from None


def _clean(f: FormField, value: object, today: date | None) -> object:
    match f.kind:
        case FieldKind.TEXT:
            return _text(f, value)
        case FieldKind.NUMBER | FieldKind.AREA_M2:
            return _number(f, value)
        case FieldKind.DATE:
            return _date(value)
        case FieldKind.CHOICE:
            return _choice(f, value)
        case FieldKind.MULTI_CHOICE:
            return _multi_choice(f, value)
        case FieldKind.NATIONAL_ID:
            return _national_id(value, today)
        case FieldKind.PHONE:
            return _phone(value)


def clean_form(
    fields: Sequence[FormField], data: Mapping[str, object], today: date | None = None
) -> tuple[dict[str, object], list[FieldError]]:
    """Normalised values (Decimal numbers, dates, E.164 phones, ASCII IDs) and errors.

    ``today`` (the caller's local date) refuses national IDs born after it; without it
    only birth dates after today anywhere on Earth are refused.
    """
    known = {f.name for f in fields}
    errors = [FieldError(name, "unknown_field") for name in data if name not in known]
    cleaned: dict[str, object] = {}
    for f in fields:
        value = data.get(f.name)
        if _blank(value):
            if f.required:
                errors.append(FieldError(f.name, "required"))
            continue
        try:
            cleaned[f.name] = _clean(f, value, today)
        except _Invalid as exc:
            errors.append(FieldError(f.name, exc.code))
    return cleaned, errors


def validate_form(
    fields: Sequence[FormField], data: Mapping[str, object], today: date | None = None
) -> list[FieldError]:
    """Every (field, message_code) problem of ``data``; empty when it is valid."""
    return clean_form(fields, data, today)[1]
