"""The audit trail: every action chained by hash; any edit is found, and where."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    PREFIX,
    Harness,
    bearer,
    building,
    certificate,
)
from tests.request.tokens import OFFICERS, People


async def verify(service: Harness) -> dict[str, Any]:
    response = await service.client.get(f"{PREFIX}/audit/verify", headers=bearer(People.auditor))
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def some_history(service: Harness) -> dict[str, object]:
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


async def test_every_action_is_in_the_chain(staffed: Harness) -> None:
    service = staffed
    app = await some_history(service)
    report = await verify(service)
    # 4 officer registrations + 5 application actions.
    assert report == {"ok": True, "checked": 9, "head_seq": 9, "first_broken": None}
    entries = (
        await service.client.get(
            f"{PREFIX}/applications/{app['id']}/audit", headers=bearer(People.auditor)
        )
    ).json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in entries] == [
        ("submitted", None, "submitted"),
        ("transition", "submitted", "under_review"),
        ("transition", "under_review", "in_processing"),
        ("transition", "in_processing", "rejected"),
    ]
    assert entries[0]["actor_id"] == "clerk-giza-1"
    assert entries[-1]["reason"] == {"ar": "ناقص", "en": "Incomplete"}
    assert all(e["request_id"] for e in entries)


async def test_an_edited_row_is_reported_as_the_first_broken_link(staffed: Harness) -> None:
    service = staffed
    await some_history(service)
    async with service.database.unit_of_work() as uow:
        await uow.session.execute(
            text("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 6")
        )
    report = await verify(service)
    assert report["ok"] is False
    assert report["first_broken"]["seq"] == 6
    assert report["first_broken"]["problem"] == "hash_mismatch"


async def test_a_rewritten_chain_still_breaks_at_the_head_or_the_next_link(
    staffed: Harness,
) -> None:
    service = staffed
    await some_history(service)
    # Deleting a row leaves a gap.
    async with service.database.unit_of_work() as uow:
        await uow.session.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    report = await verify(service)
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        3,
        "missing_entry",
    )


async def test_a_truncated_tail_is_found(staffed: Harness) -> None:
    service = staffed
    await some_history(service)
    async with service.database.unit_of_work() as uow:
        await uow.session.execute(text("DELETE FROM audit_log WHERE seq = 9"))
    report = await verify(service)
    assert (report["first_broken"]["seq"], report["first_broken"]["problem"]) == (
        9,
        "head_mismatch",
    )


async def test_only_auditors_verify(service: Harness) -> None:
    for token in (People.manager, People.clerk, People.citizen_a, People.partner):
        response = await service.client.get(f"{PREFIX}/audit/verify", headers=bearer(token))
        assert response.status_code == 403
