"""The kernel's input rules: the JSON body parser, the guard the app factory installs, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import text

from mahaliyat.problems import Problem
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.web import (
    MAX_JSON_DEPTH,
    MAX_OFFSET,
    Page,
    PageParams,
    Session,
    create_service_app,
    decode_text,
    paging,
    parse_json_body,
    parse_json_text,
)
from mahaliyat.web.bodies import InvalidJson, json_depth_exceeds
from mahaliyat.web.guard import check_urlencoded
from tests.common.test_web import DemoSettings, stack_settings
from tests.support.stack import Stack


def refusal(raw: bytes) -> tuple[str, str]:
    with pytest.raises(Problem) as caught:
        parse_json_body(raw)
    assert caught.value.status == 422
    [error] = caught.value.errors
    return error["field"], error["code"]


# --- the parser -------------------------------------------------------------------------


def test_deep_nesting_is_refused_without_recursing() -> None:
    for opener, closer in ((b"[", b"]"), (b'{"a":', b"}")):
        deep = opener * 10_000 + b"1" + closer * 10_000
        assert refusal(deep) == ("body", "json_too_deep")
    # Unterminated, as an attacker would send it: refused by depth, not by a RecursionError.
    assert refusal(b"[" * 100_000) == ("body", "json_too_deep")


def test_the_depth_limit_is_exact_and_strings_do_not_count() -> None:
    at_limit = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert parse_json_body(at_limit) is not None
    assert refusal(b"[" + at_limit + b"]") == ("body", "json_too_deep")
    brackets_in_strings = b'{"a": "' + b"[{" * 1000 + b'", "b": ["\\"[[[["]}'
    assert parse_json_body(brackets_in_strings)["b"] == ['"[[[[']
    assert not json_depth_exceeds('"\\\\" [[]]', 2)
    assert json_depth_exceeds('"\\\\" [[[]]]', 2)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": "\xff"}',  # never valid in UTF-8
        b'{"a": "\xc3\x28"}',  # a lead byte without its continuation
        b'{"a": "\xc0\xaf"}',  # overlong "/"
        b'{"a": "\xe0\x80\xaf"}',  # overlong "/" in three bytes
        b'{"a": "\xf0\x80\x80\xaf"}',  # overlong "/" in four bytes
        b'{"a": "\xed\xa0\x80"}',  # a surrogate encoded in UTF-8 (CESU)
        b'{"a": "\xf4\x90\x80\x80"}',  # past U+10FFFF
        b"\xff\xfe{\x00}\x00",  # UTF-16 with its BOM
    ],
)
def test_invalid_utf8_is_refused_not_repaired(raw: bytes) -> None:
    assert refusal(raw) == ("body", "utf8_invalid")


def test_utf16_without_a_bom_is_refused() -> None:
    # Valid UTF-8 bytes (NUL is one), but json.loads(bytes) would read it as UTF-16.
    assert refusal('{"a": "b"}'.encode("utf-16-le")) == ("body", "nul_character")


def test_nul_is_refused_in_keys_and_values_naming_the_path() -> None:
    assert refusal(b'{"name": "a\\u0000"}') == ("name", "nul_character")
    assert refusal(b'{"a": {"b": ["ok", "\\u0000"]}}') == ("a.b.1", "nul_character")
    assert refusal(b'{"a": {"k\\u0000": 1}}') == ("a.k\\u0000", "nul_character")
    assert refusal(b'["\\u0000"]') == ("0", "nul_character")
    # An escaped backslash before "u0000" is six characters of text, not a NUL.
    assert parse_json_body(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}


def test_unpaired_surrogates_are_refused_pairs_are_characters() -> None:
    assert refusal(b'{"a": "\\ud800"}') == ("a", "unpaired_surrogate")
    assert refusal(b'{"a": "\\udc00x"}') == ("a", "unpaired_surrogate")
    assert refusal(b'{"\\ud800": 1}') == ("\\ud800", "unpaired_surrogate")
    assert parse_json_body(b'{"a": "\\ud83d\\ude00"}') == {"a": "😀"}


def test_big_numbers() -> None:
    assert parse_json_body(str(2**64).encode()) == 2**64
    assert parse_json_body(b"-9223372036854775809") == -(2**63) - 1
    assert parse_json_body(b"1e308") == 1e308
    assert parse_json_body(b"1e-999") == 0.0
    assert refusal(b"1e999") == ("body", "number_out_of_range")
    assert refusal(b"[-1e400]") == ("body", "number_out_of_range")
    assert refusal(b"9" * 5000) == ("body", "number_out_of_range")
    for constant in (b"NaN", b"Infinity", b"-Infinity"):
        assert refusal(b"[" + constant + b"]") == ("body", "json_invalid")


def test_not_json_is_the_one_refusal_left_to_the_endpoint() -> None:
    with pytest.raises(InvalidJson) as caught:
        parse_json_body(b"{bad")
    assert caught.value.errors[0]["code"] == "json_invalid"
    # NaN is refused for good: Python's own parser would take it.
    with pytest.raises(Problem) as nan:
        parse_json_body(b"NaN")
    assert not isinstance(nan.value, InvalidJson)


def test_a_bom_is_ignored_and_text_is_kept_as_sent() -> None:
    assert parse_json_body('\ufeff{"اسم": "محمد"}'.encode()) == {"اسم": "محمد"}


def test_a_field_gets_its_own_name() -> None:
    with pytest.raises(Problem) as caught:
        parse_json_text('{"applicant": {"name": "\\u0000"}}', where="application")
    assert caught.value.errors[0]["field"] == "application.applicant.name"


def test_text_fields() -> None:
    assert decode_text("محمد".encode(), "name") == "محمد"
    for raw, code in ((b"a\x00", "nul_character"), (b"\xc0\xaf", "utf8_invalid")):
        with pytest.raises(Problem) as caught:
            decode_text(raw, "name", "form")
        assert caught.value.errors[0] == {
            "field": "name",
            "location": "form",
            "code": code,
            "message": caught.value.errors[0]["message"],
        }
    check_urlencoded(b"q=%D8%B1&x=a+b&&empty=", "query")
    with pytest.raises(Problem) as nul:
        check_urlencoded(b"ok=1&name=a%00", "query")
    assert nul.value.errors[0]["field"] == "name"


def test_paging_refuses_impossible_bounds() -> None:
    with pytest.raises(ValueError, match="paging"):
        paging(default_limit=300, max_limit=200)


# --- through a factory-built app, on both backends --------------------------------------


class Note(BaseModel):
    text: str


router = APIRouter()
written: list[str] = []


@router.post("/notes", status_code=201)
async def add_note(note: Note) -> Note:
    written.append(note.text)
    return note


@router.get("/numbers")
async def numbers(page: Page, session: Session) -> dict[str, Any]:
    # A real LIMIT/OFFSET on the database: an offset past 2^63 here was a 500 on SQLite.
    query = text("SELECT 1 AS n LIMIT :limit OFFSET :offset")
    rows = (await session.execute(query, {"limit": page.limit, "offset": page.offset})).all()
    return {"items": [row.n for row in rows], "limit": page.limit, "offset": page.offset}


@router.get("/small")
async def small(
    page: Annotated[PageParams, Depends(paging(default_limit=5, max_limit=10, max_offset=20))],
) -> dict[str, int]:
    return {"limit": page.limit, "offset": page.offset}


@pytest.fixture
async def client(stack: Stack, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings: DemoSettings = stack_settings(stack, tmp_path)
    app = create_service_app(
        runtime=ServiceRuntime(settings),
        title="demo",
        description="",
        api_prefix="/api/v1/demo",
        routers=[router],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as c,
    ):
        yield c


async def test_bad_bodies_never_reach_the_endpoint(client: httpx.AsyncClient) -> None:
    written.clear()
    bodies = {
        b'{"text": ' + b"[" * 10_000 + b"]" * 10_000 + b"}": ("body", "json_too_deep"),
        b'{"text": "\xe2\x82"}': ("body", "utf8_invalid"),
        b'{"text": "a\\u0000b"}': ("text", "nul_character"),
    }
    for body, expected in bodies.items():
        for media in ("application/json", "application/merge-patch+json; charset=utf-8"):
            response = await client.post(
                "/api/v1/demo/notes", content=body, headers={"content-type": media}
            )
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert problem["code"] == "validation_failed"
            assert problem["request_id"] == response.headers["x-request-id"]
            [error] = problem["errors"]
            assert (error["field"], error["code"]) == expected
    assert written == []
    fine = await client.post("/api/v1/demo/notes", json={"text": "ملاحظة"})
    assert (fine.status_code, written) == (201, ["ملاحظة"])


async def test_a_body_sent_in_chunks_is_read_whole(client: httpx.AsyncClient) -> None:
    body = '{"text": "مرحبا"}'.encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield body[:12]  # inside the first Arabic letter's two bytes
        yield body[12:]

    response = await client.post(
        "/api/v1/demo/notes", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json() == {"text": "مرحبا"}


async def test_offsets_are_bounded_before_the_database(client: httpx.AsyncClient) -> None:
    for name, value in (
        ("offset", 2**63),
        ("offset", 2**64),
        ("offset", -1),
        ("offset", MAX_OFFSET + 1),
        ("limit", 0),
        ("limit", 201),
        ("limit", 2**63),
    ):
        response = await client.get("/api/v1/demo/numbers", params={name: value})
        assert response.status_code == 422, (name, value, response.text)
        [error] = response.json()["errors"]
        assert (error["location"], error["field"]) == ("query", name)
    at_bounds = await client.get(
        "/api/v1/demo/numbers", params={"limit": 200, "offset": MAX_OFFSET}
    )
    assert at_bounds.json() == {"items": [], "limit": 200, "offset": MAX_OFFSET}
    defaults = await client.get("/api/v1/demo/numbers")
    assert defaults.json() == {"items": [1], "limit": 50, "offset": 0}
    arabic = await client.get("/api/v1/demo/numbers", params={"limit": "١٠", "offset": "٠"})
    assert arabic.json()["limit"] == 10


async def test_an_endpoints_own_bounds_are_documented(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/demo/small")).json() == {"limit": 5, "offset": 0}
    assert (await client.get("/api/v1/demo/small", params={"offset": 21})).status_code == 422
    spec = (await client.get("/api/v1/demo/openapi.json")).json()
    parameters = {
        p["name"]: p["schema"] for p in spec["paths"]["/api/v1/demo/small"]["get"]["parameters"]
    }
    limit = parameters["limit"]
    assert (limit["type"], limit["minimum"], limit["maximum"], limit["default"]) == (
        "integer",
        1,
        10,
        5,
    )
    assert (parameters["offset"]["minimum"], parameters["offset"]["maximum"]) == (0, 20)
