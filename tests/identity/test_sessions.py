"""Refresh tokens rotate; a reused one revokes its family. Logout, revocation, introspection."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from identity_service.models import AuditEntry, RefreshToken, TokenFamily
from identity_service.tokens import refresh_digest
from tests.identity.conftest import (
    API,
    DEMO_PASSWORD,
    Service,
    running,
    test_settings,
)
from tests.support.clock import FakeClock


async def refresh(service: Service, token: str) -> httpx.Response:
    return await service.client.post(
        f"{API}/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def introspect(service: Service, token: str) -> dict[str, Any]:
    response = await service.client.post(
        f"{API}/introspect", data={"token": token}, headers=basic("demo-portal", DEMO_PASSWORD)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_refresh_rotates_and_the_new_tokens_work(service: Service) -> None:
    first = await service.citizen_tokens()
    response = await refresh(service, first["refresh_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    me = await service.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.json()["kind"] == "citizen"
    assert (await refresh(service, second["refresh_token"])).status_code == 200


async def test_refresh_tokens_are_stored_hashed(service: Service) -> None:
    tokens = await service.login("giza.kpi")
    async with service.database.read() as session:
        digests = list(await session.scalars(select(RefreshToken.token_digest)))
    assert tokens["refresh_token"] not in digests
    assert refresh_digest(tokens["refresh_token"]) in digests


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(service: Service) -> None:
    stolen = await service.login("giza.kpi")
    rotated = (await refresh(service, stolen["refresh_token"])).json()
    service.clock.advance(seconds=11)  # past the grace for a parallel or retried refresh
    reuse = await refresh(service, stolen["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.json()["error"] == "invalid_grant"
    # The legitimate holder's newer token dies with the family.
    assert (await refresh(service, rotated["refresh_token"])).status_code == 401
    assert (await introspect(service, rotated["refresh_token"])) == {"active": False}
    assert (await introspect(service, rotated["access_token"])) == {"active": False}
    async with service.database.read() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "session.refresh_reused" in actions
    # Other sessions of the same person are untouched.
    other = await service.login("giza.kpi")
    assert (await refresh(service, other["refresh_token"])).status_code == 200


async def test_parallel_refreshes_of_one_token_issue_one_successor_and_keep_the_session(
    service: Service,
) -> None:
    tokens = await service.login("giza.kpi")
    outcomes = await asyncio.gather(*(refresh(service, tokens["refresh_token"]) for _ in range(3)))
    assert sorted(r.status_code for r in outcomes) == [200, 409, 409]
    assert {r.json()["error"] for r in outcomes if r.status_code == 409} == {
        "refresh_token_rotated"
    }
    (winner,) = [r.json() for r in outcomes if r.status_code == 200]
    # The losers carried no tokens away, and the winner's successor still works.
    assert all("refresh_token" not in r.json() for r in outcomes if r.status_code == 409)
    assert (await refresh(service, winner["refresh_token"])).status_code == 200


async def family_state(service: Service, refresh_token: str) -> tuple[bool, list[str]]:
    """Whether the token's family is revoked, and the reuse audit entries so far."""
    async with service.database.read() as session:
        family_id = await session.scalar(
            select(RefreshToken.family_id).where(
                RefreshToken.token_digest == refresh_digest(refresh_token)
            )
        )
        revoked = await session.scalar(
            select(TokenFamily.revoked_at).where(TokenFamily.id == family_id)
        )
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action == "session.refresh_reused")
            )
        )
    return revoked is not None, actions


async def test_a_retry_within_the_grace_is_refused_without_ending_the_session(
    service: Service,
) -> None:
    first = await service.citizen_tokens()
    second = (await refresh(service, first["refresh_token"])).json()  # its answer was "lost"
    service.clock.advance(seconds=10)  # the grace, inclusive
    retry = await refresh(service, first["refresh_token"])
    assert retry.status_code == 409
    assert retry.json()["error"] == "refresh_token_rotated"
    assert "access_token" not in retry.json()
    assert await family_state(service, first["refresh_token"]) == (False, [])
    # The successor was never used, so the session goes on with it.
    assert (await refresh(service, second["refresh_token"])).status_code == 200


async def test_a_rotated_token_after_the_grace_revokes_the_family(service: Service) -> None:
    first = await service.citizen_tokens()
    second = (await refresh(service, first["refresh_token"])).json()
    service.clock.advance(seconds=10, milliseconds=1)
    reuse = await refresh(service, first["refresh_token"])
    assert (reuse.status_code, reuse.json()["error"]) == (401, "invalid_grant")
    assert await family_state(service, first["refresh_token"]) == (
        True,
        ["session.refresh_reused"],
    )
    assert (await refresh(service, second["refresh_token"])).status_code == 401


async def test_no_grace_once_the_successor_has_been_used(service: Service) -> None:
    # The holder moved on; whoever shows the older token now holds a copy.
    first = await service.citizen_tokens()
    second = (await refresh(service, first["refresh_token"])).json()
    service.clock.advance(seconds=2)
    third = (await refresh(service, second["refresh_token"])).json()
    service.clock.advance(seconds=2)
    reuse = await refresh(service, first["refresh_token"])
    assert (reuse.status_code, reuse.json()["error"]) == (401, "invalid_grant")
    assert (await refresh(service, third["refresh_token"])).status_code == 401


async def test_a_grace_of_zero_restores_strict_reuse_detection(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    settings = test_settings(database_url, tmp_path, refresh_reuse_grace_seconds=0)
    async with running(settings, clock) as service:
        tokens = await service.login("giza.kpi")
        assert (await refresh(service, tokens["refresh_token"])).status_code == 200
        assert (await refresh(service, tokens["refresh_token"])).status_code == 401


async def test_expired_and_unknown_refresh_tokens(service: Service) -> None:
    tokens = await service.citizen_tokens()
    assert (await refresh(service, "mrt_not-a-token")).status_code == 401
    service.clock.advance(days=30, seconds=1)
    expired = await refresh(service, tokens["refresh_token"])
    assert expired.status_code == 401
    assert expired.json()["error"] == "invalid_grant"


async def test_logout_ends_the_session(service: Service) -> None:
    tokens = await service.login("giza.back")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await introspect(service, tokens["access_token"]))["active"] is True
    assert (await service.client.post(f"{API}/logout", headers=headers)).status_code == 204
    assert (await refresh(service, tokens["refresh_token"])).status_code == 401
    assert (await introspect(service, tokens["access_token"])) == {"active": False}
    assert (await service.client.post(f"{API}/logout")).status_code == 401


async def test_one_cannot_sign_someone_else_out(service: Service) -> None:
    victim = await service.login("giza.front")
    attacker = await service.bearer("giza.back")
    await service.client.post(
        f"{API}/logout", headers=attacker, json={"refresh_token": victim["refresh_token"]}
    )
    assert (await refresh(service, victim["refresh_token"])).status_code == 200


async def test_rfc7009_revocation(service: Service) -> None:
    tokens = await service.citizen_tokens()
    revoked = await service.client.post(
        f"{API}/revoke", data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
    )
    assert revoked.status_code == 200
    assert (await refresh(service, tokens["refresh_token"])).status_code == 401
    unknown = await service.client.post(f"{API}/revoke", data={"token": "mrt_unknown"})
    assert unknown.status_code == 200
    missing = await service.client.post(f"{API}/revoke", data={})
    assert (missing.status_code, missing.json()["error"]) == (400, "invalid_request")


async def test_rfc7662_introspection(service: Service) -> None:
    tokens = await service.login("giza.kpi")
    access = await introspect(service, tokens["access_token"])
    assert access["active"] is True
    assert access["kind"] == "staff"
    assert access["grants"] == [{"role": "kpi_viewer", "jurisdiction": "21"}]
    refresh_info = await introspect(service, tokens["refresh_token"])
    assert refresh_info["active"] is True
    assert refresh_info["sub"] == access["sub"]
    assert (await introspect(service, "garbage")) == {"active": False}

    anonymous = await service.client.post(
        f"{API}/introspect", data={"token": tokens["access_token"]}
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    staff_bearer = await service.client.post(
        f"{API}/introspect",
        data={"token": tokens["access_token"]},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert staff_bearer.status_code == 401  # partners and services only
