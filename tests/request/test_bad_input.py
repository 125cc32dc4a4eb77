"""Bad text in a submission, as JSON or as multipart: a 422 naming the body or the field, and
nothing filed or stored (deep nesting was a 500; invalid UTF-8 was stored as U+FFFD)."""

from __future__ import annotations

import json

import httpx

from tests.request.conftest import BUILDING_FILES, PREFIX, Harness, bearer, building
from tests.request.tokens import People


def error_of(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    return error["field"], error["code"]


async def nothing_filed(service: Harness) -> None:
    assert await service.count("applications") == 0
    assert service.stored_files() == []  # staged uploads included (document_root/.staging)


async def test_bad_json_bodies_are_refused_naming_the_body(service: Harness) -> None:
    headers = bearer(People.citizen_a, **{"content-type": "application/json"})
    cases = {
        b"[" * 10_000 + b"]" * 10_000: ("body", "json_too_deep"),
        b'{"service_code": "BLD-001", "applicant": ' * 40 + b"{}" + b"}" * 40: (
            "body",
            "json_too_deep",
        ),
        b'{"service_code": "BLD-\xff001"}': ("body", "utf8_invalid"),
        b'{"service_code": "BLD-\xc0\xaf001"}': ("body", "utf8_invalid"),
    }
    nul = building()
    nul["applicant"]["language"] = "a\x00r"
    cases[json.dumps(nul).encode()] = ("applicant.language", "nul_character")
    for body, expected in cases.items():
        response = await service.client.post(
            f"{PREFIX}/applications", content=body, headers=headers
        )
        assert error_of(response) == expected, body[:40]
    await nothing_filed(service)


async def test_bad_multipart_fields_are_refused_naming_the_field(service: Harness) -> None:
    deep = '{"service_code": "BLD-001", "form": ' + "[" * 10_000 + "]" * 10_000 + "}"
    nul = building()
    nul["form"]["usage"] = "residential\x00"
    cases: list[tuple[dict[str, str | bytes], tuple[str, str]]] = [
        ({"application": deep}, ("application", "json_too_deep")),
        ({"application": json.dumps(nul)}, ("application.form.usage", "nul_character")),
        (
            {"application": json.dumps(building()).encode()[:-1] + b', "x": "\xe9t\xe9"}'},
            ("application", "utf8_invalid"),
        ),
        (
            {"application": json.dumps(building()), "note": b"a\x00b"},
            ("note", "nul_character"),
        ),
    ]
    for data, expected in cases:
        files = [(name, (None, value)) for name, value in data.items()]
        response = await service.client.post(
            f"{PREFIX}/applications",
            files=[*files, *BUILDING_FILES],
            headers=bearer(People.citizen_a),
        )
        assert error_of(response) == expected, data
    await nothing_filed(service)
    # The same application without the bad text is filed.
    assert (await service.submit(People.citizen_a, building(), BUILDING_FILES)).status_code == 201
