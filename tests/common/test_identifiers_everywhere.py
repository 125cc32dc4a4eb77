"""Every national ID and mobile number one service accepts, every other accepts too.

One table of typed forms runs through the kernel and through the place in each service
where a person's number enters: identity's citizen sign-in (the OTP request and the
admin's phone binding), request-service's applicant and form fields, notification's
SMS recipient, catalog's form-field validation, and the log formatter that masks them.
All must agree on the normal form, or on the refusal code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources

import pytest

from catalog_service.domain import forms as catalog_forms
from catalog_service.domain.catalogue import FieldKind
from catalog_service.domain.catalogue import FormField as CatalogField
from identity_service.services.citizens import parse_citizen_identity
from mahaliyat.digits import InvalidNumber, parse_decimal, to_ascii_digits
from mahaliyat.identifiers import (
    GOVERNORATE_CODES,
    InvalidIdentifier,
    parse_mobile,
    parse_national_id,
)
from mahaliyat.logs import mask
from mahaliyat.problems import Problem
from notification_service.services.compose import Composer, Draft
from notification_service.template_store import ActiveTemplate
from request_service.domain import forms as request_forms
from request_service.domain.applicants import TokenIdentity, token_identity
from request_service.domain.catalogue import FormField as RequestField
from request_service.domain.text import Bilingual
from request_service.services import intake

# The services' clocks stand still here: a birth date after it is in the future.
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
GOOD_ID = "29001012101234"
GOOD_MOBILE = "+201012345678"

NATIONAL_IDS: list[tuple[str, str]] = [
    # (as typed, the normal form or the refusal code)
    ("29001012101234", "29001012101234"),
    ("٢٩٠٠١٠١٢١٠١٢٣٤", "29001012101234"),
    ("۲۹۰۰۱۰۱۲۱۰۱۲۳۴", "29001012101234"),
    (" 30512310201238 ", "30512310201238"),
    ("305 123 102 01238", "30512310201238"),
    ("3051231-02-01238", "30512310201238"),
    ("\u200f30512310201238\u200f", "30512310201238"),
    ("30001018801234", "30001018801234"),  # born abroad
    ("30002292101234", "30002292101234"),  # 29 February 2000
    ("32611242101234", "32611242101234"),  # born today
    ("29001012101230", "29001012101230"),  # the check digit is not checked
    ("2900101210123", "national_id_format"),
    ("290010121012345", "national_id_format"),
    ("2900101210123x", "national_id_format"),
    ("٢٩٠٠١٠١٢١٠١٢٣", "national_id_format"),
    ("2900101210123４", "national_id_format"),
    ("2" * 80, "national_id_format"),
    ("19001012101234", "national_id_century"),
    ("49001012101234", "national_id_century"),
    ("29002302101234", "national_id_birth_date"),  # 30 February
    ("29013012101234", "national_id_birth_date"),
    ("30102292101234", "national_id_birth_date"),  # 29 February 2001
    ("32611252101234", "national_id_birth_date"),  # tomorrow
    ("39901012101234", "national_id_birth_date"),  # 2099
    ("29001019901234", "national_id_governorate"),
    ("29001010501234", "national_id_governorate"),
]

MOBILES: list[tuple[str, str]] = [
    ("01012345678", "+201012345678"),
    ("+201012345678", "+201012345678"),
    ("00201012345678", "+201012345678"),
    ("201012345678", "+201012345678"),  # how SMS gateways report senders
    ("1012345678", "+201012345678"),
    ("010 1234 5678", "+201012345678"),
    ("010-1234-5678", "+201012345678"),
    ("010.1234.5678", "+201012345678"),
    ("(010) 1234 5678", "+201012345678"),
    ("+20 (10) 1234-5678", "+201012345678"),
    ("\u200e+20 101 234 5678\u200e", "+201012345678"),
    ("010\u00a01234\u00a05678", "+201012345678"),
    ("٠١٠١٢٣٤٥٦٧٨", "+201012345678"),
    ("۰۱۰۱۲۳۴۵۶۷۸", "+201012345678"),
    ("٠٠٢٠١٥٠١٢٣٤٥٦٧", "+201501234567"),
    ("01112345678", "+201112345678"),
    ("01212345678", "+201212345678"),
    ("01512345678", "+201512345678"),
    ("01312345678", "mobile_format"),
    ("01412345678", "mobile_format"),
    ("0101234567", "mobile_format"),
    ("010123456789", "mobile_format"),
    ("0223456789", "mobile_format"),  # a landline
    ("+441012345678", "mobile_format"),
    ("+2001012345678", "mobile_format"),
    ("2001012345678", "mobile_format"),
    ("010-FLOWERS", "mobile_format"),
    ("phone", "mobile_format"),
    ("0" * 80, "mobile_format"),
]

Outcome = str  # the normal form, or the refusal code


# --- each service's way in --------------------------------------------------------------------


def kernel_national_id(typed: str) -> Outcome:
    try:
        return parse_national_id(typed, TODAY).number
    except InvalidIdentifier as exc:
        return exc.code


def kernel_mobile(typed: str) -> Outcome:
    try:
        return parse_mobile(typed)
    except InvalidIdentifier as exc:
        return exc.code


def _identity(national_id: str, phone: str, field: str) -> Outcome:
    """identity-service: what the OTP request and the admin's phone binding both call."""
    try:
        number, e164 = parse_citizen_identity(national_id, phone, NOW)
    except Problem as exc:
        refusal = (exc.status, [(e["field"], str(e["code"])) for e in exc.errors])
    else:
        return number if field == "national_id" else e164
    status, errors = refusal
    assert status == 422
    assert [name for name, _ in errors] == [field]
    return errors[0][1]


def identity_national_id(typed: str) -> Outcome:
    return _identity(typed, GOOD_MOBILE, "national_id")


def identity_mobile(typed: str) -> Outcome:
    return _identity(GOOD_ID, typed, "phone")


def _request_errors(run: Callable[[list[dict[str, str]]], str]) -> Outcome:
    errors: list[dict[str, str]] = []
    value = run(errors)
    if errors:
        assert len(errors) == 1
        return errors[0]["code"]
    return value


def request_applicant_national_id(typed: str) -> Outcome:
    """request-service: the applicant of an application filed at a counter or by a partner."""
    return _request_errors(
        lambda errors: intake._national_id(typed, TokenIdentity(), TODAY, errors)
    )


def request_applicant_mobile(typed: str) -> Outcome:
    return _request_errors(lambda errors: intake._phone(typed, TokenIdentity(), errors))


def _request_form(kind: str, typed: str) -> Outcome:
    """request-service: a typed field of a service's form."""
    field = RequestField("f", kind, Bilingual("", ""))
    cleaned, errors = request_forms.clean_form([field], {"f": typed}, TODAY)
    return errors[0].code if errors else str(cleaned["f"])


def request_form_national_id(typed: str) -> Outcome:
    return _request_form("national_id", typed)


def request_form_mobile(typed: str) -> Outcome:
    return _request_form("phone", typed)


def _catalog_form(kind: FieldKind, typed: str) -> Outcome:
    """catalog-service: validating form data against a service's typed fields."""
    field = CatalogField("f", kind, "", "")
    cleaned, errors = catalog_forms.clean_form([field], {"f": typed}, TODAY)
    return errors[0].code if errors else str(cleaned["f"])


def catalog_national_id(typed: str) -> Outcome:
    return _catalog_form(FieldKind.NATIONAL_ID, typed)


def catalog_mobile(typed: str) -> Outcome:
    return _catalog_form(FieldKind.PHONE, typed)


def notification_recipient(typed: str) -> Outcome:
    """notification-service: the recipient of every SMS (the API's ``to``, events, replies)."""
    composer = Composer(
        max_segments=3,
        quiet_hours=None,
        retry_window=timedelta(hours=1),
        otp_validity=timedelta(minutes=5),
    )
    draft = Draft(
        kind="api",
        recipient=typed,
        language="ar",
        template=ActiveTemplate("test.hello", "ar", 1, "مرحبا"),
        values={},
    )
    try:
        return str(composer.compose(draft, NOW)["recipient"])
    except InvalidIdentifier as exc:
        return exc.code


NATIONAL_ID_WAYS_IN = [
    identity_national_id,
    request_applicant_national_id,
    request_form_national_id,
    catalog_national_id,
]
MOBILE_WAYS_IN = [
    identity_mobile,
    request_applicant_mobile,
    request_form_mobile,
    catalog_mobile,
    notification_recipient,
]


@pytest.mark.parametrize(("typed", "expected"), NATIONAL_IDS)
def test_every_service_reads_a_national_id_as_the_kernel_does(typed: str, expected: str) -> None:
    assert kernel_national_id(typed) == expected
    assert {way.__name__: way(typed) for way in NATIONAL_ID_WAYS_IN} == {
        way.__name__: expected for way in NATIONAL_ID_WAYS_IN
    }


@pytest.mark.parametrize(("typed", "expected"), MOBILES)
def test_every_service_reads_a_mobile_as_the_kernel_does(typed: str, expected: str) -> None:
    assert kernel_mobile(typed) == expected
    assert {way.__name__: way(typed) for way in MOBILE_WAYS_IN} == {
        way.__name__: expected for way in MOBILE_WAYS_IN
    }


@pytest.mark.parametrize(("typed", "expected"), [m for m in MOBILES if m[1].startswith("+")])
def test_a_citizen_token_carrying_the_stored_form_is_understood(typed: str, expected: str) -> None:
    """What identity stores (E.164) is what request-service reads back from the token."""
    identity = token_identity({"national_id": GOOD_ID, "phone_number": expected})
    assert (identity.national_id, identity.phone) == (GOOD_ID, expected)


@pytest.mark.parametrize(
    "typed",
    [t for t, e in NATIONAL_IDS if e.isdigit() and len(t) < 40]
    + [t for t, e in MOBILES if e.startswith("+")],
)
def test_the_logs_mask_every_form_that_is_accepted(typed: str) -> None:
    masked = mask(f"the number {typed} was typed")
    digits = "".join(c for c in to_ascii_digits(masked) if c.isdigit())
    assert len(digits) == 2, masked  # the last two digits only
    assert masked.startswith("the number ")
    assert masked.endswith(" was typed")


def test_the_governorates_of_the_catalogue_are_the_kernels() -> None:
    """catalog-service's geography (names, capitals, subdivisions) covers the same codes."""
    data = resources.files("catalog_service.seed").joinpath("data/governorates.json").read_text()
    codes = {g["code"] for g in json.loads(data)["governorates"]}
    assert codes == GOVERNORATE_CODES


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,234", "1234"),
        ("١٬٢٣٤", "1234"),
        ("150.5", "150.5"),
        ("١٥٠٫٥", "150.5"),
        ("1,5", "not_number"),
        ("1,234٫5", "not_number"),
        ("1e3", "not_number"),
    ],
)
def test_every_service_reads_a_number_as_the_kernel_does(typed: str, expected: str) -> None:
    try:
        kernel = str(parse_decimal(typed))
    except InvalidNumber as exc:
        kernel = exc.code
    request_field = RequestField("n", "number", Bilingual("", ""))
    request_clean, request_errors = request_forms.clean_form([request_field], {"n": typed})
    catalog_field = CatalogField("n", FieldKind.NUMBER, "", "")
    catalog_clean, catalog_errors = catalog_forms.clean_form([catalog_field], {"n": typed})
    request = request_errors[0].code if request_errors else str(Decimal(str(request_clean["n"])))
    catalog = catalog_errors[0].code if catalog_errors else str(catalog_clean["n"])
    assert (kernel, request, catalog) == (expected, expected, expected)
