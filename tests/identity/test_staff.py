"""Staff sign-in: argon2id passwords, lockout that cannot tell known from unknown names, password change."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from identity_service.models import AuditEntry, LoginFailure, StaffUser
from tests.identity.conftest import API, DEMO_PASSWORD, Service


async def attempt(service: Service, username: str, password: str) -> httpx.Response:
    return await service.client.post(
        f"{API}/staff/login", json={"username": username, "password": password}
    )


async def staff_id(service: Service, username: str) -> str:
    async with service.database.read() as session:
        found = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    assert found is not None
    return str(found)


async def audit_actions(service: Service) -> list[tuple[str, str | None]]:
    async with service.database.read() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target) for e in entries]


async def test_passwords_are_stored_as_argon2id(service: Service) -> None:
    async with service.database.read() as session:
        hashes = list(await session.scalars(select(StaffUser.password_hash)))
    assert hashes
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert all(DEMO_PASSWORD not in h for h in hashes)


async def test_username_is_case_insensitive_and_wrong_password_is_401(service: Service) -> None:
    assert (await attempt(service, " Giza.KPI ", DEMO_PASSWORD)).status_code == 200
    wrong = await attempt(service, "giza.kpi", "not the password")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"


async def test_five_failures_lock_the_account_and_an_admin_unlocks_it(service: Service) -> None:
    statuses = [(await attempt(service, "giza.front", f"wrong-{n}")).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    locked = await attempt(service, "giza.front", DEMO_PASSWORD)  # even the right password
    assert locked.status_code == 423
    assert locked.json()["code"] == "account_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= 30 * 60

    admin = await service.bearer("admin")
    user = await staff_id(service, "giza.front")
    shown = await service.client.get(f"{API}/admin/staff/{user}", headers=admin)
    assert shown.json()["locked_until"] is not None
    unlocked = await service.client.post(f"{API}/admin/staff/{user}/unlock", headers=admin)
    assert unlocked.status_code == 200
    assert unlocked.json()["locked_until"] is None
    assert (await attempt(service, "giza.front", DEMO_PASSWORD)).status_code == 200

    actions = await audit_actions(service)
    assert actions.count(("staff.login_failed", "username:giza.front")) == 5
    assert ("staff.locked_out", "username:giza.front") in actions
    assert ("staff.unlocked", f"staff:{user}") in actions


async def test_parallel_guesses_cannot_slip_past_the_lock(service: Service) -> None:
    guesses = await asyncio.gather(*(attempt(service, "giza.kpi", f"guess-{n}") for n in range(9)))
    assert sorted(r.status_code for r in guesses) == [401] * 4 + [423] * 5
    async with service.database.read() as session:
        counted = await session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.username == "giza.kpi")
        )
    assert counted == 5  # attempts refused while locked are not password checks


async def test_unknown_usernames_answer_and_lock_exactly_like_known_ones(
    service: Service,
) -> None:
    known = [await attempt(service, "giza.back", f"wrong-{n}") for n in range(6)]
    unknown = [await attempt(service, "no.such.user", f"wrong-{n}") for n in range(6)]

    def shape(response: httpx.Response) -> tuple[int, str, set[str]]:
        body: dict[str, Any] = response.json()
        return response.status_code, body["code"], set(body) - {"request_id", "locked_until"}

    assert [shape(r) for r in known] == [shape(r) for r in unknown]
    assert known[-1].status_code == 423


async def test_the_lock_ends_by_itself_after_30_minutes(service: Service) -> None:
    for n in range(5):
        await attempt(service, "catalog.admin", f"wrong-{n}")
    service.clock.advance(minutes=29)
    assert (await attempt(service, "catalog.admin", DEMO_PASSWORD)).status_code == 423
    service.clock.advance(minutes=1, seconds=1)
    assert (await attempt(service, "catalog.admin", DEMO_PASSWORD)).status_code == 200


async def test_failures_spread_over_more_than_30_minutes_do_not_lock(service: Service) -> None:
    for n in range(4):
        assert (await attempt(service, "catalog.admin", f"wrong-{n}")).status_code == 401
    service.clock.advance(minutes=31)
    assert (await attempt(service, "catalog.admin", "wrong-again")).status_code == 401
    assert (await attempt(service, "catalog.admin", DEMO_PASSWORD)).status_code == 200


async def test_a_success_forgives_earlier_failures(service: Service) -> None:
    for n in range(4):
        await attempt(service, "catalog.admin", f"wrong-{n}")
    assert (await attempt(service, "catalog.admin", DEMO_PASSWORD)).status_code == 200
    for n in range(4):
        assert (await attempt(service, "catalog.admin", f"wrong-{n}")).status_code == 401


async def test_a_disabled_account_cannot_sign_in_or_refresh(service: Service) -> None:
    tokens = await service.login("giza.kpi")
    admin = await service.bearer("admin")
    user = await staff_id(service, "giza.kpi")
    disabled = await service.client.post(f"{API}/admin/staff/{user}/disable", headers=admin)
    assert disabled.json()["disabled"] is True
    refused = await attempt(service, "giza.kpi", DEMO_PASSWORD)
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_credentials")
    refreshed = await service.client.post(
        f"{API}/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refreshed.status_code == 401
    assert refreshed.json()["error"] == "invalid_grant"
    await service.client.post(f"{API}/admin/staff/{user}/enable", headers=admin)
    assert (await attempt(service, "giza.kpi", DEMO_PASSWORD)).status_code == 200


async def change(
    service: Service, headers: dict[str, str], current: str, new: str
) -> httpx.Response:
    return await service.client.post(
        f"{API}/staff/password",
        headers=headers,
        json={"current_password": current, "new_password": new},
    )


async def test_password_change_enforces_the_policy(service: Service) -> None:
    headers = await service.bearer("giza.back")
    for new, code in [
        ("short", "password_too_short"),
        ("GIZA.BACK", "password_too_short"),
        ("giza.back-", None),
    ]:
        response = await change(service, headers, DEMO_PASSWORD, new)
        if code is None:
            assert response.status_code == 204, response.text
        else:
            assert response.status_code == 422
            assert response.json()["errors"][0] == {
                **response.json()["errors"][0],
                "field": "new_password",
                "code": code,
            }
    headers = await service.bearer("giza.back", "giza.back-")
    same = await change(service, headers, "giza.back-", "giza.back-")
    assert [e["code"] for e in same.json()["errors"]] == ["password_unchanged"]


async def test_password_equal_to_the_username_is_refused(service: Service) -> None:
    admin = await service.bearer("admin")
    created = await service.client.post(
        f"{API}/admin/staff",
        headers=admin,
        json={"username": "long.username", "full_name_ar": "موظف", "password": "initial-pass-1"},
    )
    assert created.status_code == 201, created.text
    headers = await service.bearer("long.username", "initial-pass-1")
    response = await change(service, headers, "initial-pass-1", "Long.Username")
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["password_equals_username"]


async def test_password_change_ends_other_sessions_and_the_old_password(service: Service) -> None:
    other_device = await service.login("giza.back")
    this_device = await service.login("giza.back")
    headers = {"Authorization": f"Bearer {this_device['access_token']}"}
    assert (await change(service, headers, DEMO_PASSWORD, "a-new-long-password")).status_code == 204
    assert (await attempt(service, "giza.back", DEMO_PASSWORD)).status_code == 401
    assert (await attempt(service, "giza.back", "a-new-long-password")).status_code == 200

    def refresh(tokens: dict[str, Any]) -> Any:
        return service.client.post(
            f"{API}/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )

    assert (await refresh(other_device)).status_code == 401
    assert (await refresh(this_device)).status_code == 200


async def test_a_wrong_current_password_counts_towards_the_lockout(service: Service) -> None:
    headers = await service.bearer("giza.back")
    service.clock.advance(seconds=1)  # failures after the sign-in, as in real life
    statuses = []
    for n in range(5):
        response = await change(service, headers, f"wrong-{n}", "a-new-long-password")
        statuses.append(response.status_code)
        if response.status_code == 422:
            assert response.json()["errors"][0]["field"] == "current_password"
    assert statuses == [422, 422, 422, 422, 423]
    assert (await attempt(service, "giza.back", DEMO_PASSWORD)).status_code == 423


async def test_the_decoy_hash_is_ready_before_the_first_unknown_username(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    # From now on any argon2 *hash* fails: the first unknown-username sign-in must need
    # only the verification a known username costs, the decoy having been made at start.
    def no_hashing(self: PasswordHasher, password: str | bytes, **_: object) -> str:
        raise AssertionError("hashed during a sign-in")

    monkeypatch.setattr(PasswordHasher, "hash", no_hashing)
    unknown = await attempt(service, "never.seen.before", "a-guess-of-a-password")
    known = await attempt(service, "giza.back", "a-guess-of-a-password")
    assert (unknown.status_code, unknown.json()["code"]) == (401, "invalid_credentials")
    assert (known.status_code, known.json()["code"]) == (401, "invalid_credentials")
