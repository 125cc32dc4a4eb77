"""The kernel's Egyptian identifiers: national IDs, mobile numbers, governorate codes."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError

from mahaliyat.identifiers import (
    BORN_ABROAD,
    CODES,
    GOVERNORATE_CODES,
    GOVERNORATES,
    NATIONAL_ID_GOVERNORATE_CODES,
    InvalidIdentifier,
    MobileNumber,
    NationalIdNumber,
    is_mobile,
    latest_date_anywhere,
    mask_mobile,
    national_form,
    parse_mobile,
    parse_national_id,
    same_mobile,
)
from mahaliyat.problems import install_problem_handlers

TODAY = date(2026, 11, 24)

# --- national IDs -----------------------------------------------------------------------------


def test_a_national_id_says_birth_date_governorate_and_sex() -> None:
    parsed = parse_national_id("29001012101234", TODAY)
    assert parsed.number == "29001012101234"
    assert parsed.birth_date == date(1990, 1, 1)
    assert parsed.governorate_code == "21"
    assert parsed.sex == "male"  # the 13th digit, 3, is odd
    assert parsed.last4 == "1234"


def test_sex_follows_the_thirteenth_digit() -> None:
    assert parse_national_id("29001010123456", TODAY).sex == "male"  # 13th digit 5
    assert parse_national_id("29001010123446", TODAY).sex == "female"  # 13th digit 4
    assert parse_national_id("29001010123406", TODAY).sex == "female"  # 0 is even


def test_centuries_leap_days_and_born_abroad() -> None:
    assert parse_national_id("30512310201238", TODAY).birth_date == date(2005, 12, 31)
    assert parse_national_id("30002292101234", TODAY).birth_date == date(2000, 2, 29)
    assert parse_national_id("29602292101234", TODAY).birth_date == date(1996, 2, 29)
    assert parse_national_id("20001012101234", TODAY).birth_date == date(1900, 1, 1)
    assert parse_national_id("30001018801234", TODAY).governorate_code == BORN_ABROAD.code


def test_how_it_is_typed_does_not_matter() -> None:
    for typed in (
        " ٣٠٥١٢٣١٠٢٠١٢٣٨ ",
        "۳۰۵۱۲۳۱۰۲۰۱۲۳۸",
        "305 123 102 01238",
        "3051231-02-01238",
        "\u200f30512310201238\u200f",
    ):
        assert parse_national_id(typed, TODAY).number == "30512310201238", typed


def test_the_check_digit_is_not_checked() -> None:
    """Its algorithm is not published (egypt.md): every last digit passes."""
    for last in "0123456789":
        assert parse_national_id("2900101210123" + last, TODAY).number.endswith(last)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2900101210123", "national_id_format"),  # 13 digits
        ("290010121012345", "national_id_format"),  # 15 digits
        ("2900101210123x", "national_id_format"),
        ("2900101210123４", "national_id_format"),  # a full-width digit
        ("", "national_id_format"),
        ("2" * 100, "national_id_format"),
        ("19001012101234", "national_id_century"),
        ("49001012101234", "national_id_century"),
        ("09001012101234", "national_id_century"),
        ("29002302101234", "national_id_birth_date"),  # 30 February
        ("29013012101234", "national_id_birth_date"),  # month 13
        ("29000012101234", "national_id_birth_date"),  # month 0
        ("29001002101234", "national_id_birth_date"),  # day 0
        ("30102292101234", "national_id_birth_date"),  # 29 February 2001
        ("32611252101234", "national_id_birth_date"),  # tomorrow
        ("29001019901234", "national_id_governorate"),  # 99
        ("29001010501234", "national_id_governorate"),  # 05 is not used
        ("29001010001234", "national_id_governorate"),
        ("29001012001234", "national_id_governorate"),  # 20 is not used
    ],
)
def test_national_id_refusals(value: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        parse_national_id(value, TODAY)
    assert refused.value.code == code
    assert refused.value.code in CODES
    assert refused.value.message_ar
    assert refused.value.message_en


def test_born_today_is_accepted_tomorrow_is_not() -> None:
    assert parse_national_id("32611242101234", TODAY).birth_date == TODAY
    with pytest.raises(InvalidIdentifier):
        parse_national_id("32611252101234", TODAY)


def test_without_today_only_dates_after_today_anywhere_are_refused() -> None:
    latest = latest_date_anywhere()
    born = latest - timedelta(days=400)
    typed = f"3{born:%y%m%d}2101234"
    assert parse_national_id(typed).birth_date == born
    with pytest.raises(InvalidIdentifier) as refused:
        parse_national_id("39901012101234")  # 2099
    assert refused.value.code == "national_id_birth_date"


# --- governorates -----------------------------------------------------------------------------


def test_governorate_codes_are_those_of_the_national_id() -> None:
    """shared/domain/egypt.md: 27 governorates, and 88 for those born abroad."""
    assert len(GOVERNORATES) == 27
    assert {*GOVERNORATE_CODES, "88"} == NATIONAL_ID_GOVERNORATE_CODES
    assert "88" not in GOVERNORATES
    assert sorted({code[0] for code in GOVERNORATE_CODES}) == ["0", "1", "2", "3"]
    assert (GOVERNORATES["01"].name_en, GOVERNORATES["01"].name_ar) == ("Cairo", "القاهرة")
    assert (GOVERNORATES["21"].name_en, GOVERNORATES["21"].name_ar) == ("Giza", "الجيزة")
    assert (GOVERNORATES["35"].name_en, GOVERNORATES["35"].name_ar) == ("South Sinai", "جنوب سيناء")
    assert all(g.code == code for code, g in GOVERNORATES.items())


def test_governorates_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        GOVERNORATES["99"] = BORN_ABROAD  # type: ignore[index]


# --- mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "01012345678",
        "+201012345678",
        "00201012345678",
        "201012345678",
        "1012345678",
        "+20 10 1234 5678",
        "+20-10-1234-5678",
        "010-1234-5678",
        "010.1234.5678",
        "(010) 1234 5678",
        "010\u00a01234\u00a05678",
        "٠١٠١٢٣٤٥٦٧٨",
        "۰۱۰۱۲۳۴۵۶۷۸",
        "+٢٠ ١٠ ١٢٣٤ ٥٦٧٨",
        "\u200e+20 101 234 5678\u200e",
        "\u2066010 1234 5678\u2069",
    ],
)
def test_mobile_numbers_in_e164(value: str) -> None:
    assert parse_mobile(value) == "+201012345678"
    assert is_mobile(value)


@pytest.mark.parametrize("prefix", ["010", "011", "012", "015"])
def test_every_mobile_prefix(prefix: str) -> None:
    assert parse_mobile(prefix + "12345678") == "+2" + prefix + "12345678"


@pytest.mark.parametrize(
    "value",
    [
        "01312345678",  # 013 is not a mobile prefix
        "01412345678",
        "01612345678",
        "0101234567",  # one digit short
        "010123456789",  # one too many
        "0223456789",  # a Cairo landline
        "0227306178",
        "+441012345678",
        "+14155552671",
        "+2001012345678",  # the trunk 0 after the country code
        "2001012345678",
        "0020101234567",
        "+0101234567",
        "010-FLOWERS",
        "01O12345678",  # a letter O
        "phone",
        "",
        "0" * 100,
        "010 1234 5678 ext 1",
    ],
)
def test_not_mobile_numbers(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        parse_mobile(value)
    assert refused.value.code == "mobile_format"
    assert not is_mobile(value)


def test_same_mobile_however_written() -> None:
    assert same_mobile("٠١٠١٢٣٤٥٦٧٨", "+201012345678")
    assert same_mobile("201012345678", "010 1234 5678")
    assert not same_mobile("01012345678", "01012345679")
    assert not same_mobile("garbage", "garbage")


def test_national_form_and_mask() -> None:
    assert national_form("+201012345678") == "01012345678"
    assert mask_mobile("+201012345678") == "***********78"


# --- pydantic types ---------------------------------------------------------------------------


class Person(BaseModel):
    national_id: NationalIdNumber
    phone: MobileNumber


def test_the_types_normalise() -> None:
    person = Person(national_id="٢٩٠٠١٠١٢١٠١٢٣٤", phone="010 1234 5678")
    assert (person.national_id, person.phone) == ("29001012101234", "+201012345678")


def test_the_types_refuse_with_the_stable_codes() -> None:
    with pytest.raises(ValidationError) as refused:
        Person(national_id="29001019901234", phone="0223456789")
    assert {(e["loc"], e["type"]) for e in refused.value.errors()} == {
        (("national_id",), "national_id_governorate"),
        (("phone",), "mobile_format"),
    }


async def test_a_schema_with_the_types_answers_422_naming_the_field() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/people")
    async def create(person: Person) -> Person:
        return person

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        good = await client.post(
            "/people", json={"national_id": "29001012101234", "phone": "+201012345678"}
        )
        bad = await client.post("/people", json={"national_id": "2900101", "phone": "01312345678"})
        not_text = await client.post(
            "/people", json={"national_id": 29001012101234, "phone": "010"}
        )
    assert good.status_code == 200
    assert good.json() == {"national_id": "29001012101234", "phone": "+201012345678"}
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_failed"
    assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {
        ("national_id", "national_id_format"),
        ("phone", "mobile_format"),
    }
    assert all(e["message"] for e in bad.json()["errors"])
    assert not_text.status_code == 422
    assert {e["field"] for e in not_text.json()["errors"]} == {"national_id", "phone"}
