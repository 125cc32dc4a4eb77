"""The audit trail: written with each action, sealed into the hash chain by the sealer; any edit is found, and where."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from mahaliyat.db import Database
from request_service.domain.audit import chain_hash
from request_service.models import AuditEntry
from request_service.queries import audit as audit_rows
from request_service.services import audit
from request_service.services.sealer import Sealer
from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    PREFIX,
    Harness,
    bearer,
    building,
    certificate,
    start,
    until,
)
from tests.request.tokens import OFFICERS, People


async def verify(service: Harness) -> dict[str, Any]:
    response = await service.client.get(f"{PREFIX}/audit/verify", headers=bearer(People.auditor))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def trail(service: Harness, application_id: str) -> list[dict[str, Any]]:
    response = await service.client.get(
        f"{PREFIX}/applications/{application_id}/audit", headers=bearer(People.auditor)
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


async def some_history(service: Harness) -> dict[str, Any]:
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    await service.filed(People.citizen_a, building(), BUILDING_FILES)
    app = await service.moved(
        OFFICERS[app["staff"]["assigned_officer_id"]],
        app,
        "rejected",
        {"ar": "ناقص", "en": "Incomplete"},
    )
    return app


async def sealed_history(service: Harness) -> dict[str, Any]:
    app = await some_history(service)
    assert await service.seal() == 9  # 4 officer registrations + 5 application actions
    return app


async def execute(service: Harness, statement: Any) -> None:
    async with service.database.unit_of_work() as uow:
        await uow.session.execute(statement)


# The triggers of migration 0003, as an intruder with the table owner's rights would drop them.
GUARDS = {
    "postgresql": [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_guard",
        "ALTER TABLE audit_head DISABLE TRIGGER audit_head_guard",
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_guard",
    ],
    "sqlite": [
        "DROP TRIGGER audit_log_insert_unsealed",
        "DROP TRIGGER audit_log_seal_once",
        "DROP TRIGGER audit_log_no_delete",
        "DROP TRIGGER audit_head_forward",
        "DROP TRIGGER audit_checkpoints_no_delete",
    ],
}


async def drop_guards(service: Harness) -> None:
    """Tampering below the database's own guards: verification must still find it."""
    dialect = "postgresql" if service.database.is_postgres else "sqlite"
    for statement in GUARDS[dialect]:
        await execute(service, text(statement))


async def test_actions_wait_unsealed_until_the_sealer_chains_them(staffed: Harness) -> None:
    service = staffed
    app = await some_history(service)
    before = await verify(service)
    assert (before["ok"], before["checked"], before["head_seq"]) == (True, 0, 0)
    assert (before["pending"], before["stale"], before["first_stale"]) == (9, 0, None)
    pending = await trail(service, app["id"])
    assert [(e["action"], e["sealed"], e["seq"], e["hash"]) for e in pending] == [
        ("submitted", False, None, None),
        ("transition", False, None, None),
        ("transition", False, None, None),
        ("transition", False, None, None),
    ]

    assert await service.seal() == 9
    report = await verify(service)
    assert {k: report[k] for k in ("ok", "checked", "head_seq", "first_broken", "pending")} == {
        "ok": True,
        "checked": 9,
        "head_seq": 9,
        "first_broken": None,
        "pending": 0,
    }
    entries = await trail(service, app["id"])
    assert [(e["action"], e["from_state"], e["to_state"]) for e in entries] == [
        ("submitted", None, "submitted"),
        ("transition", "submitted", "under_review"),
        ("transition", "under_review", "in_processing"),
        ("transition", "in_processing", "rejected"),
    ]
    assert [e["id"] for e in entries] == [e["id"] for e in pending]
    seqs = [e["seq"] for e in entries]
    assert all(e["sealed"] and e["hash"] for e in entries)
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == 4
    assert entries[0]["actor_id"] == "clerk-giza-1"
    assert entries[-1]["reason"] == {"ar": "ناقص", "en": "Incomplete"}
    assert all(e["request_id"] for e in entries)
    assert await service.seal() == 0  # nothing is sealed twice


async def test_the_chain_goes_on_from_the_head_and_the_trail_shows_both_kinds(
    staffed: Harness,
) -> None:
    service = staffed
    app = await sealed_history(service)
    cancelled = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    cancelled = await service.moved(People.citizen_a, cancelled, "cancelled")
    entries = await trail(service, cancelled["id"])
    assert [(e["action"], e["sealed"]) for e in entries] == [
        ("submitted", False),
        ("transition", False),
    ]
    assert (await verify(service))["pending"] == 2
    assert await service.seal() == 2
    assert [e["seq"] for e in await trail(service, cancelled["id"])] == [10, 11]
    report = await verify(service)
    assert (report["ok"], report["checked"], report["head_seq"], report["pending"]) == (
        True,
        11,
        11,
        0,
    )
    assert len(await trail(service, app["id"])) == 4


async def test_an_edited_row_is_reported_as_the_first_broken_link(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    await execute(service, text("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 6"))
    report = await verify(service)
    assert report["ok"] is False
    assert report["first_broken"]["seq"] == 6
    assert report["first_broken"]["problem"] == "hash_mismatch"


async def test_an_edited_row_with_its_hash_recomputed_breaks_the_next_link(
    staffed: Harness,
) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    async with service.database.unit_of_work() as uow:
        row = (
            await uow.session.execute(select(AuditEntry.__table__).where(AuditEntry.seq == 4))
        ).one()
        forged = {**audit.hashed_content(row, 4), "actor_id": "someone-else"}
        await uow.session.execute(
            text("UPDATE audit_log SET actor_id = 'someone-else', hash = :h WHERE seq = 4"),
            {"h": chain_hash(row.prev_hash, forged)},
        )
    report = await verify(service)
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        5,
        "prev_hash_mismatch",
    )


async def test_a_deleted_row_leaves_a_gap(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    await execute(service, text("DELETE FROM audit_log WHERE seq = 3"))
    report = await verify(service)
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        3,
        "missing_entry",
    )


async def test_a_truncated_tail_is_found(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    await execute(service, text("DELETE FROM audit_log WHERE seq = 9"))
    report = await verify(service)
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        9,
        "head_mismatch",
    )


def forged_entry(seq: int, prev_hash: str, digest: str | None = None) -> dict[str, Any]:
    """A row as an intruder would add it: hash made up, or computed like the sealer's."""
    entry: dict[str, Any] = {
        "id": uuid.uuid4(),
        "at": datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        "actor_id": "officer-giza-1",
        "actor_role": "back_office",
        "action": "transition",
        "application_id": None,
        "from_state": "in_processing",
        "to_state": "approved",
        "reason": None,
        "request_id": None,
        "details": {},
        "seq": seq,
        "prev_hash": prev_hash,
    }
    entry["hash"] = digest or chain_hash(
        prev_hash, audit.hashed_content(SimpleNamespace(**entry), seq)
    )
    return entry


async def test_an_inserted_row_with_a_forged_hash_is_found(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    async with service.database.read() as session:
        _seq, head_hash = await audit_rows.head(session)
    await execute(service, insert(AuditEntry).values(forged_entry(10, head_hash, "f" * 64)))
    report = await verify(service)
    assert (report["ok"], report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        False,
        10,
        "hash_mismatch",
    )


async def test_an_appended_row_hashed_like_the_sealer_would_is_beyond_the_head(
    staffed: Harness,
) -> None:
    service = staffed
    await sealed_history(service)
    await drop_guards(service)
    async with service.database.read() as session:
        _seq, head_hash = await audit_rows.head(session)
    await execute(service, insert(AuditEntry).values(forged_entry(10, head_hash)))
    report = await verify(service)
    assert (report["ok"], report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        False,
        10,
        "head_mismatch",
    )


async def test_the_database_refuses_to_change_or_delete_the_trail(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    await service.filed(People.citizen_a, building(), BUILDING_FILES)  # one entry waits unsealed
    async with service.database.read() as session:
        _seq, head_hash = await audit_rows.head(session)
    refused: list[Any] = [
        text("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 6"),
        text("UPDATE audit_log SET details = '{}' WHERE seq = 6"),
        text("UPDATE audit_log SET seq = NULL, prev_hash = NULL, hash = NULL WHERE seq = 9"),
        text("UPDATE audit_log SET seq = 99 WHERE seq = 9"),
        text("UPDATE audit_log SET hash = :h WHERE seq = 9").bindparams(h="e" * 64),
        text("DELETE FROM audit_log WHERE seq = 3"),
        text("DELETE FROM audit_log"),
        # An entry waiting for the sealer: its content is as final as a sealed one's.
        text("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq IS NULL"),
        text("DELETE FROM audit_log WHERE seq IS NULL"),
        # Written as if already sealed (past the head).
        insert(AuditEntry).values(forged_entry(10, head_hash)),
        # The head never moves back, and stays.
        text("UPDATE audit_head SET seq = 3"),
        text("DELETE FROM audit_head"),
    ]
    if service.database.is_postgres:
        refused += [text("TRUNCATE audit_log"), text("TRUNCATE audit_head")]
    for statement in refused:
        with pytest.raises(DBAPIError):
            await execute(service, statement)
            pytest.fail(f"not refused: {statement}")
    report = await verify(service)
    assert (report["ok"], report["checked"], report["head_seq"], report["pending"]) == (
        True,
        9,
        9,
        1,
    )
    assert await service.seal() == 1  # the sealer's own update is the one allowed
    assert (await verify(service))["checked"] == 10


async def rewrite_chain(service: Harness, seq: int, actor_id: str) -> None:
    """Edit entry ``seq`` and rehash every link after it and the head: a whole-chain forgery."""
    async with service.database.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                select(AuditEntry.__table__).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq)
            )
        ).all()
        previous = rows[0].prev_hash
        for row in rows:
            content = audit.hashed_content(row, row.seq)
            if row.seq == seq:
                content["actor_id"] = actor_id
            digest = chain_hash(previous, content)
            await uow.session.execute(
                text(
                    "UPDATE audit_log SET actor_id = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": content["actor_id"], "p": previous, "h": digest, "s": row.seq},
            )
            previous = digest
        await uow.session.execute(
            text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": previous}
        )
        await uow.session.execute(text("DELETE FROM audit_checkpoints"))


async def test_the_chain_head_is_published_and_a_rewritten_chain_is_found_from_outside(
    staffed: Harness,
) -> None:
    service = staffed
    sealer = service.app.state.sealer
    assert await sealer.checkpoint_now() is None  # nothing sealed yet
    await sealed_history(service)
    first = await sealer.checkpoint_now()
    assert first is not None
    async with service.database.read() as session:
        assert await audit_rows.head(session) == (9, first.hash)
    [published] = await service.events("request.audit_checkpoint")
    assert published["source"] == "/request"
    assert {k: published["data"][k] for k in ("seq", "hash", "previous_seq", "previous_hash")} == {
        "seq": 9,
        "hash": first.hash,
        "previous_seq": None,
        "previous_hash": None,
    }
    # Not again until the head has moved and the interval has passed.
    assert await sealer.checkpoint_now() is None
    await service.filed(People.citizen_a, building(), BUILDING_FILES)
    assert await service.seal() == 1
    assert await sealer.checkpoint_now() is None
    service.clock.advance(seconds=service.settings.audit_checkpoint_interval_seconds)
    second = await sealer.checkpoint_now()
    assert second is not None
    assert second.seq == 10
    later = (await service.events("request.audit_checkpoint"))[-1]["data"]
    assert (later["previous_seq"], later["previous_hash"]) == (9, first.hash)

    outside = {"checkpoint_seq": 9, "checkpoint_hash": first.hash}
    response = await service.client.get(
        f"{PREFIX}/audit/verify", params=outside, headers=bearer(People.auditor)
    )
    assert response.json()["ok"] is True

    # Someone rewrites the whole chain below the database's guards, consistently.
    await drop_guards(service)
    await rewrite_chain(service, 4, "someone-else")
    assert (await verify(service))["ok"] is True  # the chain is whole again...
    response = await service.client.get(
        f"{PREFIX}/audit/verify", params=outside, headers=bearer(People.auditor)
    )
    report = response.json()
    assert report["ok"] is False  # ...but no longer passes through the published head
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        9,
        "checkpoint_mismatch",
    )
    half = await service.client.get(
        f"{PREFIX}/audit/verify",
        params={"checkpoint_seq": 9},
        headers=bearer(People.auditor),
    )
    assert half.status_code == 422
    assert half.json()["errors"][0]["field"] == "checkpoint_hash"


async def test_a_stored_checkpoint_past_a_cut_chain_is_reported(staffed: Harness) -> None:
    service = staffed
    await sealed_history(service)
    checkpoint = await service.app.state.sealer.checkpoint_now()
    assert checkpoint is not None
    await drop_guards(service)
    await execute(service, text("DELETE FROM audit_log WHERE seq >= 8"))
    await execute(
        service,
        text("UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_log WHERE seq = 7)"),
    )
    report = await verify(service)
    assert (report["ok"], report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        False,
        9,
        "checkpoint_mismatch",
    )


async def test_an_entry_left_unsealed_too_long_is_flagged(service: Harness) -> None:
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    waiting = await verify(service)
    assert (waiting["ok"], waiting["pending"], waiting["stale"]) == (True, 1, 0)
    service.clock.advance(seconds=service.settings.audit_seal_stale_seconds + 1)
    late = await verify(service)
    assert (late["ok"], late["pending"], late["stale"], late["first_broken"]) == (
        False,
        1,
        1,
        None,
    )
    assert late["first_stale"]["application_id"] == app["id"]
    assert late["first_stale"]["action"] == "submitted"
    assert late["oldest_pending_at"] == late["first_stale"]["at"]
    assert await service.seal() == 1
    sealed = await verify(service)
    assert (sealed["ok"], sealed["pending"], sealed["stale"], sealed["checked"]) == (True, 0, 0, 1)


async def test_a_refused_action_leaves_no_entry_to_seal(staffed: Harness) -> None:
    service = staffed
    await service.seal()
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    refused = await service.move(People.clerk, app, "under_review", version=7)
    assert refused.status_code == 412
    assert await service.seal() == 1  # the filing only


async def test_the_background_sealer_seals_without_being_asked(
    database_url: str, tmp_path: Path
) -> None:
    async with start(
        database_url, tmp_path, audit_sealer_enabled=True, audit_seal_interval_seconds=0.02
    ) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)

        async def sealed() -> bool:
            return all(e["sealed"] for e in await trail(service, app["id"]))

        await until(sealed, what="the sealer to seal the filing")
        report = await verify(service)
        assert (report["ok"], report["checked"], report["pending"]) == (True, 1, 0)

        async def checkpointed() -> bool:
            return bool(await service.events("request.audit_checkpoint"))

        await until(checkpointed, what="the sealer to publish the chain head")
        [checkpoint] = await service.events("request.audit_checkpoint")
        assert checkpoint["data"]["seq"] == 1


async def test_stopping_the_service_seals_what_it_wrote(database_url: str, tmp_path: Path) -> None:
    async with start(
        database_url, tmp_path, audit_sealer_enabled=True, audit_seal_interval_seconds=3600
    ) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
        await service.moved(People.citizen_a, app, "cancelled")
        assert (await verify(service))["pending"] == 2  # the loop sleeps for an hour
    database = Database(database_url)
    try:
        async with database.read() as session:
            stale_after = timedelta(seconds=service.settings.audit_seal_stale_seconds)
            report = await audit.verify(session, service.clock(), stale_after)
        assert (report.ok, report.checked, report.pending) == (True, 2, 0)
    finally:
        await database.dispose()


async def test_a_woken_sealer_seals_before_its_next_tick(database_url: str, tmp_path: Path) -> None:
    async with start(
        database_url, tmp_path, audit_sealer_enabled=True, audit_seal_interval_seconds=3600
    ) as service:
        app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
        assert (await verify(service))["pending"] == 1  # the ticker sleeps for an hour
        service.app.state.sealer.wake()

        async def sealed() -> bool:
            return all(e["sealed"] for e in await trail(service, app["id"]))

        await until(sealed, what="the woken sealer to seal the filing")


async def test_two_sealers_at_once_keep_one_chain(service: Harness, database_url: str) -> None:
    async with service.database.unit_of_work() as uow:
        for n in range(40):
            await audit.record(
                uow.session, at=service.clock(), actor_id=f"a{n}", actor_role="x", action="test"
            )
    other = Database(database_url)
    try:
        first = Sealer(service.database, interval=1, batch=3)
        second = Sealer(other, interval=1, batch=3)
        counts = await asyncio.gather(first.seal_now(), second.seal_now())
        assert sum(counts) == 40
        report = await verify(service)
        assert (report["ok"], report["checked"], report["head_seq"], report["pending"]) == (
            True,
            40,
            40,
            0,
        )
    finally:
        await other.dispose()


async def test_a_sealer_skips_its_round_while_another_replica_seals(
    postgres_url: str, tmp_path: Path
) -> None:
    """PostgreSQL only: the advisory lock is PostgreSQL's; SQLite has one writer anyway."""
    async with start(postgres_url, tmp_path) as service:
        await _sealers_take_turns(service, postgres_url)


async def _sealers_take_turns(service: Harness, database_url: str) -> None:
    await service.filed(People.citizen_a, building(), BUILDING_FILES)
    other = Database(database_url)
    try:
        async with other.unit_of_work() as uow:
            assert await audit_rows.take_sealer_lock(uow.session, wait=False)
            assert await service.app.state.sealer.seal_now(wait=False) == 0
        assert await service.app.state.sealer.seal_now(wait=False) == 1
    finally:
        await other.dispose()
    async with service.database.read() as session:
        left = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_(None))
        )
    assert left == 0


async def test_only_auditors_verify(service: Harness) -> None:
    for token in (People.manager, People.clerk, People.citizen_a, People.partner):
        response = await service.client.get(f"{PREFIX}/audit/verify", headers=bearer(token))
        assert response.status_code == 403
