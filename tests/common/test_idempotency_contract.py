"""One ``Idempotency-Key`` contract, held by a creating endpoint of every service.

catalog (publish a service), identity (register a partner client), request (file an
application) and notification (send an SMS), each on SQLite and PostgreSQL: a retry
replays the first answer byte for byte and creates nothing; another body is 422
``idempotency_key_reused``; a malformed key is 400 ``idempotency_key_invalid`` naming
the header; without a key every request is handled anew.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import func, select

from identity_service.models import PartnerClient
from mahaliyat.auth import TokenVerifier
from notification_service.models import SmsMessage
from tests.catalog import conftest as catalog
from tests.catalog.bodies import new_service_body
from tests.identity import conftest as identity
from tests.notification import support as notification
from tests.request import conftest as request
from tests.request.tokens import People
from tests.support.clock import FakeClock

Key = str | bytes | None  # bytes: sent as they are (a non-ASCII key)


def headers(base: dict[str, str], key: Key) -> list[tuple[bytes, bytes]]:
    sent = [(name.encode(), value.encode()) for name, value in base.items()]
    if key is not None:
        sent.append((b"Idempotency-Key", key if isinstance(key, bytes) else key.encode()))
    return sent


@dataclass
class Target:
    """One service's creating endpoint: ``post(variant, key)`` and how many records exist."""

    post: Callable[[int, Key], Awaitable[httpx.Response]]
    count: Callable[[], Awaitable[int]]
    # Without a key: "twice" (two records), "conflict" (the second reaches the domain and is
    # refused as a duplicate: 409, not a replay), or "required" (400: the key is mandatory).
    without_key: str


@asynccontextmanager
async def catalog_target(database_url: str, tmp_path: Path) -> AsyncIterator[Target]:
    key = ed25519.Ed25519PrivateKey.generate()
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    public.update(kid="test-key", use="sig", alg="EdDSA")
    verifier = TokenVerifier(
        issuer=catalog.ISSUER, audience=catalog.AUDIENCE, jwks={"keys": [public]}
    )
    settings = catalog.settings_for(database_url, tmp_path)
    started = cast(AsyncGenerator[catalog.Catalogue], catalog.running(settings, verifier, key))
    service = await anext(started)
    try:
        body = await new_service_body(service)

        async def post(variant: int, key: Key) -> httpx.Response:
            sent = body if variant == 0 else {**body, "sla_days": 3}
            return await service.client.post(
                "/api/v1/catalog/services", json=sent, headers=headers(service.auth("EG"), key)
            )

        async def count() -> int:
            return len(await service.events("catalog.service.published"))

        yield Target(post, count, without_key="conflict")
    finally:
        await started.aclose()


@asynccontextmanager
async def identity_target(database_url: str, tmp_path: Path) -> AsyncIterator[Target]:
    settings = identity.test_settings(database_url, tmp_path)
    async with identity.running(settings, FakeClock()) as service:
        admin = await service.bearer("admin")

        async def post(variant: int, key: Key) -> httpx.Response:
            body = {"name": f"Portal back end {variant}", "scopes": ["catalog:read"]}
            return await service.client.post(
                f"{identity.API}/admin/partners", json=body, headers=headers(admin, key)
            )

        async def count() -> int:
            async with service.database.read() as session:
                query = select(func.count()).select_from(PartnerClient)
                return int(await session.scalar(query) or 0)

        yield Target(post, count, without_key="twice")


@asynccontextmanager
async def request_target(database_url: str, tmp_path: Path) -> AsyncIterator[Target]:
    async with request.start(database_url, tmp_path) as service:

        async def post(variant: int, key: Key) -> httpx.Response:
            body = request.building()
            body["form"]["area"] = 120 + variant
            return await service.client.post(
                f"{request.PREFIX}/applications",
                data={"application": json.dumps(body, ensure_ascii=False)},
                files=request.BUILDING_FILES,
                headers=headers(request.bearer(People.citizen_a), key),
            )

        async def count() -> int:
            return await service.count("applications")

        yield Target(post, count, without_key="twice")


@asynccontextmanager
async def notification_target(database_url: str, tmp_path: Path) -> AsyncIterator[Target]:
    partner_templates = ["request.status_changed.cancelled"]
    async with notification.running(
        database_url, tmp_path, partner_templates=partner_templates
    ) as service:

        async def post(variant: int, key: Key) -> httpx.Response:
            body = {
                "template": "request.status_changed.cancelled",
                "to": "01012345678" if variant == 0 else "01112345678",
                "values": {"tracking_number": "21-26-0004217-9"},
            }
            return await service.client.post(
                f"{notification.PREFIX}/sms",
                json=body,
                headers=headers(service.tokens.partner(), key),
            )

        async def count() -> int:
            async with service.database.read() as session:
                query = select(func.count()).select_from(SmsMessage)
                return int(await session.scalar(query) or 0)

        yield Target(post, count, without_key="required")


TARGETS = {
    "catalog": catalog_target,
    "identity": identity_target,
    "request": request_target,
    "notification": notification_target,
}


@pytest.fixture(params=sorted(TARGETS))
async def target(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> AsyncIterator[Target]:
    async with TARGETS[request.param](database_url, tmp_path) as built:
        yield built


def replayable(response: httpx.Response) -> dict[str, str]:
    """The headers a replay must repeat (the answer's own, not the transport's)."""
    skip = {"content-length", "date", "server", "idempotent-replayed", "x-request-id"}
    return {k: v for k, v in response.headers.items() if k not in skip}


async def test_a_retry_replays_the_first_answer_byte_for_byte(target: Target) -> None:
    before = await target.count()
    first = await target.post(0, "contract-1")
    assert 200 <= first.status_code < 300, first.text
    assert "idempotent-replayed" not in first.headers
    again = await target.post(0, "contract-1")
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert replayable(again) == replayable(first)
    assert await target.count() == before + 1


async def test_the_same_key_with_another_body_is_422(target: Target) -> None:
    first = await target.post(0, "contract-2")
    assert 200 <= first.status_code < 300, first.text
    before = await target.count()
    other = await target.post(1, "contract-2")
    assert other.status_code == 422, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert await target.count() == before


@pytest.mark.parametrize(
    "key",
    ["k" * 256, "has space", "مفتاح".encode(), "", "colon:key", "dot.key"],
    ids=["256-chars", "space", "non-ascii", "empty", "colon", "dot"],
)
async def test_a_malformed_key_is_400_naming_the_header(target: Target, key: str | bytes) -> None:
    before = await target.count()
    refused = await target.post(0, key)
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "idempotency_key_invalid"
    assert [(e["field"], e["location"]) for e in problem["errors"]] == [
        ("Idempotency-Key", "header")
    ]
    assert await target.count() == before


async def test_the_longest_and_every_allowed_character_are_accepted(target: Target) -> None:
    longest = ("Az09_-" * 43)[:255]
    response = await target.post(0, longest)
    assert 200 <= response.status_code < 300, response.text


async def test_without_a_key_every_request_is_handled_anew(target: Target) -> None:
    before = await target.count()
    first = await target.post(0, None)
    second = await target.post(0, None)
    assert "idempotent-replayed" not in second.headers
    if target.without_key == "required":
        assert (first.status_code, first.json()["code"]) == (400, "idempotency_key_invalid")
        assert [e["field"] for e in first.json()["errors"]] == ["Idempotency-Key"]
        assert await target.count() == before
    elif target.without_key == "conflict":
        assert 200 <= first.status_code < 300, first.text
        assert second.status_code == 409, second.text  # handled again: the domain refuses it
        assert await target.count() == before + 1
    else:
        assert 200 <= first.status_code < 300, first.text
        assert 200 <= second.status_code < 300, second.text
        assert first.content != second.content
        assert await target.count() == before + 2
