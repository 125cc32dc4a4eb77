"""The kernel's idempotency on its own: replay, expiry after 24 h, release, purge, sealing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from starlette.responses import Response

from mahaliyat.auth import Principal
from mahaliyat.db import Database
from mahaliyat.idempotency import (
    IDEMPOTENCY_METADATA,
    RETENTION,
    checked_key,
    idempotency_keys,
    idempotent,
    purge_expired,
)
from mahaliyat.problems import Problem

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CLERK = Principal(subject="clerk-1", kind="staff")


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(IDEMPOTENCY_METADATA.create_all)
    try:
        yield database
    finally:
        await database.dispose()


class Counter:
    """A ``produce`` that counts its runs and answers a new body each time."""

    def __init__(self, status: int = 201) -> None:
        self.runs = 0
        self.status = status

    async def __call__(self) -> Response:
        self.runs += 1
        return Response(
            content=f'{{"run": {self.runs}, "name": "مركز"}}'.encode(),
            status_code=self.status,
            media_type="application/json; charset=utf-8",
            headers={"Location": f"/things/{self.runs}", "ETag": f'"{self.runs}"'},
        )


async def call(
    database: Database,
    produce: Any,
    *,
    now: datetime,
    key: str | None = "key-1",
    content: Any = None,
    principal: Principal | str = CLERK,
) -> Response:
    async with database.unit_of_work() as uow:
        return await idempotent(
            uow.session,
            principal,
            key,
            "POST /things",
            {"name": "x"} if content is None else content,
            produce,
            now=now,
        )


async def rows(database: Database) -> int:
    async with database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(idempotency_keys)) or 0)


async def test_a_retry_gets_the_stored_answer_byte_for_byte(database: Database) -> None:
    produce = Counter()
    first = await call(database, produce, now=T0)
    again = await call(database, produce, now=T0 + timedelta(hours=1))
    assert produce.runs == 1
    assert (again.status_code, again.body) == (first.status_code, first.body)
    assert again.headers["content-type"] == "application/json; charset=utf-8"
    assert again.headers["location"] == "/things/1"
    assert again.headers["etag"] == '"1"'
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


async def test_a_record_expires_after_24_hours_and_is_replaced(database: Database) -> None:
    produce = Counter()
    await call(database, produce, now=T0)
    just_before = await call(database, produce, now=T0 + RETENTION - timedelta(seconds=1))
    assert (produce.runs, just_before.headers.get("idempotent-replayed")) == (1, "true")

    expired = await call(database, produce, now=T0 + RETENTION)
    assert produce.runs == 2  # an expired record is ignored: handled anew
    assert "idempotent-replayed" not in expired.headers
    assert await rows(database) == 1  # replaced, not added

    later = await call(database, produce, now=T0 + RETENTION + timedelta(hours=1))
    assert (produce.runs, later.body) == (2, expired.body)  # the new record is the one kept
    # An expired key may be reused for another request too.
    other = await call(database, Counter(), now=T0 + 3 * RETENTION, content={"name": "y"})
    assert other.status_code == 201


async def test_the_same_key_with_another_request_is_422(database: Database) -> None:
    produce = Counter()
    await call(database, produce, now=T0)
    with pytest.raises(Problem) as refused:
        await call(database, produce, now=T0, content={"name": "other"})
    assert (refused.value.status, refused.value.code) == (422, "idempotency_key_reused")
    async with database.unit_of_work() as uow:
        with pytest.raises(Problem) as elsewhere:
            await idempotent(
                uow.session, CLERK, "key-1", "POST /others", {"name": "x"}, produce, now=T0
            )
    assert elsewhere.value.code == "idempotency_key_reused"  # the route is part of the request
    assert produce.runs == 1


async def test_keys_belong_to_their_principal(database: Database) -> None:
    produce = Counter()
    await call(database, produce, now=T0)
    await call(database, produce, now=T0, principal=Principal(subject="clerk-1", kind="citizen"))
    await call(database, produce, now=T0, principal="service:other")
    assert produce.runs == 3


async def test_a_key_still_being_handled_is_409(database: Database) -> None:
    async def nested() -> Response:  # the same key again before the first has answered
        return await idempotent(
            uow.session, CLERK, "key-1", "POST /things", {"name": "x"}, Counter()
        )

    async with database.unit_of_work() as uow:
        with pytest.raises(Problem) as busy:
            await idempotent(uow.session, CLERK, "key-1", "POST /things", {"name": "x"}, nested)
    assert (busy.value.status, busy.value.code) == (409, "idempotency_key_in_use")


async def test_only_a_success_is_kept(database: Database) -> None:
    refused = Counter(status=409)
    await call(database, refused, now=T0)
    assert await rows(database) == 0  # the key is released
    ok = Counter()
    await call(database, ok, now=T0, content={"name": "another body, same key"})
    assert ok.runs == 1

    async def fails() -> Response:
        raise Problem(422, "invalid")

    with pytest.raises(Problem):
        await call(database, fails, now=T0, key="key-2")
    assert await rows(database) == 1  # rolled back with the unit of work


async def test_without_a_key_nothing_is_stored(database: Database) -> None:
    produce = Counter()
    await call(database, produce, now=T0, key=None)
    await call(database, produce, now=T0, key=None)
    assert (produce.runs, await rows(database)) == (2, 0)


async def test_purge_deletes_what_is_older_than_the_retention(database: Database) -> None:
    await call(database, Counter(), now=T0, key="old")
    await call(database, Counter(), now=T0 + timedelta(hours=20), key="young")
    async with database.unit_of_work() as uow:
        purged = await purge_expired(uow.session, now=T0 + RETENTION + timedelta(minutes=1))
    assert (purged, await rows(database)) == (1, 1)


async def test_the_stored_answer_and_key_are_not_readable_in_the_table(database: Database) -> None:
    secret = b"client-secret-shown-once"

    async def produce() -> Response:
        return Response(secret, 201, media_type="text/plain")

    await call(database, produce, now=T0, key="secret-key-1")
    async with database.read() as session:
        stored = (await session.execute(select(idempotency_keys))).one()
    assert secret not in stored.response_body
    assert "secret-key-1" not in stored.key_digest
    assert stored.principal == "staff:clerk-1"


@pytest.mark.parametrize("raw", ["", " a", "a b", "ключ", "a:b", "a" * 256])
def test_malformed_keys_are_refused_with_400(raw: str) -> None:
    with pytest.raises(Problem) as refused:
        checked_key(raw)
    assert (refused.value.status, refused.value.code) == (400, "idempotency_key_invalid")


def test_well_formed_keys_pass_and_a_missing_one_is_none_unless_required() -> None:
    assert checked_key("a" * 255) == "a" * 255
    assert checked_key("Az09_-") == "Az09_-"
    assert checked_key(None) is None
    with pytest.raises(Problem) as missing:
        checked_key(None, required=True)
    assert (missing.value.status, missing.value.code) == (400, "idempotency_key_invalid")


async def test_a_concurrent_twin_waits_for_the_first_and_replays_it(postgres_url: str) -> None:
    """PostgreSQL: the twin's INSERT waits on the first's uncommitted row, then replays."""
    database = Database(postgres_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(IDEMPOTENCY_METADATA.create_all)
    entered, release = asyncio.Event(), asyncio.Event()
    runs = 0

    async def slow() -> Response:
        nonlocal runs
        runs += 1
        entered.set()
        await release.wait()
        return Response(b'{"id": 1}', 201, media_type="application/json")

    async def lock_waits() -> int:
        async with database.engine.connect() as connection:
            query = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
            return int((await connection.execute(query)).scalar_one())

    try:
        first = asyncio.create_task(call(database, slow, now=T0))
        await entered.wait()
        twin = asyncio.create_task(call(database, slow, now=T0))
        waiting = 0
        while waiting == 0:  # the twin is blocked on the first's row (no timing involved)
            assert not twin.done(), twin
            waiting = await lock_waits()
            await asyncio.sleep(0.01)
        release.set()
        answered, replayed = await asyncio.gather(first, twin)
        assert runs == 1
        assert replayed.body == answered.body
        assert replayed.headers["idempotent-replayed"] == "true"
        assert await rows(database) == 1
    finally:
        release.set()
        await database.dispose()
