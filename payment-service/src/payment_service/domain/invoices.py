"""What an invoice is made of, read from request-service's ``awaiting_payment`` event.

``request.status_changed`` entering ``awaiting_payment`` carries ``amount_due_piasters``,
``fee_lines`` and ``fee_total_piasters`` (docs/contracts.md). The invoice's total is the
amount due; an event whose lines do not sum to it, or whose stated total differs, is
refused: nothing is invoiced that its lines do not explain.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CURRENCY = "EGP"


class InvoiceRefused(ValueError):
    """The event cannot be invoiced as it stands (a producer bug: dead-lettered for a person)."""


@dataclass(frozen=True, slots=True)
class Line:
    code: str | None
    name_ar: str
    name_en: str
    quantity: str
    amount_piasters: int


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    application_id: uuid.UUID
    tracking_number: str
    service_code: str
    service_name_ar: str
    service_name_en: str
    centre_code: str | None
    jurisdiction: str
    governorate: str
    applicant_ref: str
    applicant_phone: str
    applicant_language: str
    lines: tuple[Line, ...]
    total_piasters: int
    currency: str


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InvoiceRefused(f"{key} is missing")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvoiceRefused(f"{key} is not a whole number of piasters")
    return value


def _name(data: Mapping[str, Any], key: str) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise InvoiceRefused(f"{key} is not {{ar, en}}")
    return _text(value, "ar"), _text(value, "en")


def _line(raw: Any) -> Line:
    if not isinstance(raw, Mapping):
        raise InvoiceRefused("a fee line is not an object")
    code = raw.get("code")
    if code is not None and not isinstance(code, str):
        raise InvoiceRefused("a fee line's code is not a string")
    name_ar, name_en = _name(raw, "name")
    quantity = raw.get("quantity", "1")
    return Line(code, name_ar, name_en, str(quantity), _int(raw, "amount_piasters"))


def invoice_request(data: Mapping[str, Any]) -> InvoiceRequest:
    """The invoice an ``awaiting_payment`` event asks for; :class:`InvoiceRefused` when it cannot be."""
    try:
        application_id = uuid.UUID(_text(data, "application_id"))
    except ValueError as exc:
        raise InvoiceRefused("application_id is not a UUID") from exc
    raw_lines = data.get("fee_lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise InvoiceRefused("fee_lines is missing or empty")
    lines = tuple(_line(raw) for raw in raw_lines)
    due = _int(data, "amount_due_piasters")
    stated = _int(data, "fee_total_piasters")
    summed = sum(line.amount_piasters for line in lines)
    if due <= 0:
        raise InvoiceRefused(f"amount_due_piasters {due} is not positive")
    if summed != due or stated != due:
        raise InvoiceRefused(
            f"fee lines sum to {summed}, fee_total_piasters is {stated}, amount due is {due}"
        )
    currency = data.get("currency", CURRENCY)
    if currency != CURRENCY:
        raise InvoiceRefused(f"currency {currency!r} is not {CURRENCY}")
    applicant = data.get("applicant")
    if not isinstance(applicant, Mapping):
        raise InvoiceRefused("applicant is missing")
    centre = data.get("centre_code")
    governorate = _text(data, "governorate")
    if not (len(governorate) == 2 and governorate.isascii() and governorate.isdigit()):
        raise InvoiceRefused("governorate is not two digits")
    service_ar, service_en = _name(data, "service_name")
    return InvoiceRequest(
        application_id=application_id,
        tracking_number=_text(data, "tracking_number"),
        service_code=_text(data, "service_code"),
        service_name_ar=service_ar,
        service_name_en=service_en,
        centre_code=centre if isinstance(centre, str) else None,
        jurisdiction=_text(data, "jurisdiction"),
        governorate=governorate,
        applicant_ref=_text(applicant, "ref"),
        applicant_phone=_text(applicant, "phone"),
        applicant_language="en" if applicant.get("language") == "en" else "ar",
        lines=lines,
        total_piasters=due,
        currency=CURRENCY,
    )
