"""The admin API: staff and grants, audit of every action, Idempotency-Key replays."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from identity_service.models import Citizen, PartnerClient, StaffUser
from mahaliyat.idempotency import idempotency_keys
from tests.identity.conftest import ALEX_CITIZEN, API, GIZA_CITIZEN, Service


async def audit(service: Service, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await service.client.get(f"{API}/admin/audit", headers=headers, params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_create_staff_with_grants_in_several_jurisdictions(service: Service) -> None:
    admin = await service.bearer("admin")
    response = await service.client.post(
        f"{API}/admin/staff",
        headers={**admin, "X-Request-Id": "req-create-staff-1"},
        json={
            "username": "Sohag.Officer",
            "full_name_ar": "مفتش سوهاج",
            "grants": [
                {"role": "inspector", "jurisdiction": "26-02"},
                {"role": "back_office", "jurisdiction": "26-02-F01"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["username"] == "sohag.officer"
    password = created["initial_password"]
    assert password
    assert len(password) >= 10
    tokens = await service.login("sohag.officer", password)
    me = await service.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert {(g["role"], g["jurisdiction"]) for g in me.json()["grants"]} == {
        ("inspector", "26-02"),
        ("back_office", "26-02-F01"),
    }
    (entry,) = await audit(service, admin, action="staff.created", target=f"staff:{created['id']}")
    assert entry["actor"].startswith("staff:")
    assert entry["request_id"] == "req-create-staff-1"
    assert entry["details"]["username"] == "sohag.officer"
    assert password not in str(entry)


@pytest.mark.parametrize(
    ("grant", "field", "code"),
    [
        ({"role": "wizard", "jurisdiction": "21"}, "grants.0.role", "unknown_role"),
        ({"role": "citizen", "jurisdiction": "EG"}, "grants.0.role", "role_not_for_staff"),
        ({"role": "partner", "jurisdiction": "EG"}, "grants.0.role", "role_not_for_staff"),
        ({"role": "kpi_viewer", "jurisdiction": "99"}, "grants.0.jurisdiction", "unknown_governorate"),
        ({"role": "kpi_viewer", "jurisdiction": "88"}, "grants.0.jurisdiction", "unknown_governorate"),
        ({"role": "kpi_viewer", "jurisdiction": "21/03"}, "grants.0.jurisdiction", "jurisdiction_format"),
        ({"role": "kpi_viewer", "jurisdiction": "21-3"}, "grants.0.jurisdiction", "jurisdiction_format"),
        ({"role": "kpi_viewer", "jurisdiction": "eg"}, "grants.0.jurisdiction", "jurisdiction_format"),
        ({"role": "platform_admin", "jurisdiction": "21"}, "grants.0.jurisdiction", "platform_admin_is_national"),
    ],
)  # fmt: skip
async def test_grants_are_validated(
    sqlite_service: Service, grant: dict[str, str], field: str, code: str
) -> None:
    admin = await sqlite_service.bearer("admin")
    user = (await sqlite_service.client.get(f"{API}/admin/staff?q=giza.kpi", headers=admin)).json()
    staff_id = user["items"][0]["id"]
    response = await sqlite_service.client.put(
        f"{API}/admin/staff/{staff_id}/grants", headers=admin, json={"grants": [grant]}
    )
    assert response.status_code == 422, response.text
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


async def test_set_grants_takes_effect_at_the_next_sign_in_and_is_audited(
    service: Service,
) -> None:
    admin = await service.bearer("admin")
    listed = (await service.client.get(f"{API}/admin/staff?q=giza.kpi", headers=admin)).json()
    staff_id = listed["items"][0]["id"]
    grants = [
        {"role": "kpi_viewer", "jurisdiction": "21"},
        {"role": "kpi_viewer", "jurisdiction": "02"},
        {"role": "centre_manager", "jurisdiction": "21-03-F01"},
    ]
    response = await service.client.put(
        f"{API}/admin/staff/{staff_id}/grants", headers=admin, json={"grants": grants}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["grants"]) == 3
    headers = await service.bearer("giza.kpi")
    me = (await service.client.get(f"{API}/me", headers=headers)).json()
    assert sorted(map(str, me["grants"])) == sorted(map(str, grants))
    (entry,) = await audit(service, admin, action="staff.grants_set")
    assert entry["details"]["before"] == [{"role": "kpi_viewer", "jurisdiction": "21"}]
    assert len(entry["details"]["after"]) == 3


async def test_an_admin_cannot_disable_itself_or_drop_its_own_admin_role(service: Service) -> None:
    admin = await service.bearer("admin")
    me = (await service.client.get(f"{API}/me", headers=admin)).json()
    disabled = await service.client.post(
        f"{API}/admin/staff/{me['subject']}/disable", headers=admin
    )
    assert (disabled.status_code, disabled.json()["code"]) == (409, "cannot_disable_self")
    dropped = await service.client.put(
        f"{API}/admin/staff/{me['subject']}/grants", headers=admin, json={"grants": []}
    )
    assert dropped.status_code == 409


async def test_every_admin_action_is_audited(service: Service) -> None:
    admin = await service.bearer("admin")
    created = (
        await service.client.post(
            f"{API}/admin/staff",
            headers=admin,
            json={"username": "temp.user", "full_name_ar": "مؤقت", "password": "temporary-pass"},
        )
    ).json()
    staff_id = created["id"]
    await service.client.put(
        f"{API}/admin/staff/{staff_id}/grants",
        headers=admin,
        json={"grants": [{"role": "auditor", "jurisdiction": "EG"}]},
    )
    await service.client.post(f"{API}/admin/staff/{staff_id}/unlock", headers=admin)
    reset = await service.client.post(f"{API}/admin/staff/{staff_id}/password-reset", headers=admin)
    await service.client.post(f"{API}/admin/staff/{staff_id}/disable", headers=admin)
    await service.client.post(f"{API}/admin/staff/{staff_id}/enable", headers=admin)
    partner = (
        await service.client.post(
            f"{API}/admin/partners", headers=admin, json={"name": "P", "scopes": ["kpi:read"]}
        )
    ).json()
    await service.client.patch(
        f"{API}/admin/partners/{partner['id']}", headers=admin, json={"scopes": ["catalog:read"]}
    )
    await service.client.post(f"{API}/admin/partners/{partner['id']}/secret", headers=admin)
    await service.client.post(f"{API}/admin/partners/{partner['id']}/disable", headers=admin)

    entries = await audit(service, admin)
    by_target = [
        e["action"]
        for e in reversed(entries)
        if e["target"] in (f"staff:{staff_id}", f"partner:{partner['client_id']}")
    ]
    assert by_target == [
        "staff.created",
        "staff.grants_set",
        "staff.unlocked",
        "staff.password_reset",
        "staff.disabled",
        "staff.enabled",
        "partner.created",
        "partner.updated",
        "partner.secret_rotated",
        "partner.disabled",
    ]
    me = (await service.client.get(f"{API}/me", headers=admin)).json()
    assert {e["actor"] for e in entries if e["target"] == f"staff:{staff_id}"} == {
        f"staff:{me['subject']}"
    }
    assert reset.json()["new_password"] not in str(entries)
    assert (await service.login("temp.user", reset.json()["new_password"]))["access_token"]


async def test_audit_pages_newest_first(service: Service) -> None:
    admin = await service.bearer("admin")
    for n in range(3):
        await service.client.post(f"{API}/staff/login", json={"username": f"x{n}", "password": "y"})
    first = (
        await service.client.get(
            f"{API}/admin/audit?action=staff.login_failed&limit=2", headers=admin
        )
    ).json()
    assert [e["target"] for e in first["items"]] == ["username:x2", "username:x1"]
    rest = (
        await service.client.get(
            f"{API}/admin/audit?action=staff.login_failed&limit=2&before={first['next_before']}",
            headers=admin,
        )
    ).json()
    assert [e["target"] for e in rest["items"]] == ["username:x0"]
    assert rest["next_before"] is None


async def count(service: Service, model: Any) -> int:
    async with service.database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_idempotency_key_replays_the_first_result(service: Service) -> None:
    admin = await service.bearer("admin")
    body = {"name": "Portal back end", "scopes": ["catalog:read"]}
    headers = {**admin, "Idempotency-Key": "create-portal-1"}
    before = await count(service, PartnerClient)
    first = await service.client.post(f"{API}/admin/partners", headers=headers, json=body)
    again = await service.client.post(f"{API}/admin/partners", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # the same client and the same one-time secret
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(service, PartnerClient) == before + 1
    # The stored answer does not hold the secret in clear.
    async with service.database.read() as session:
        sealed = list(await session.scalars(select(idempotency_keys.c.response_body)))
    assert sealed
    assert all(s is not None for s in sealed)
    assert all(first.json()["client_secret"].encode() not in s for s in sealed)

    other = await service.client.post(
        f"{API}/admin/partners", headers={**admin, "Idempotency-Key": "create-portal-2"}, json=body
    )
    assert other.json()["id"] != first.json()["id"]
    reused = await service.client.post(
        f"{API}/admin/partners", headers=headers, json={**body, "name": "Something else"}
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")


async def test_parallel_retries_with_one_key_create_one_record(service: Service) -> None:
    admin = await service.bearer("admin")
    headers = {**admin, "Idempotency-Key": "staff-parallel"}
    body = {"username": "parallel.user", "full_name_ar": "موظف", "password": "parallel-pass-1"}
    responses = await asyncio.gather(
        *(service.client.post(f"{API}/admin/staff", headers=headers, json=body) for _ in range(3))
    )
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    async with service.database.read() as session:
        users = await session.scalar(
            select(func.count()).select_from(StaffUser).where(StaffUser.username == "parallel.user")
        )
    assert users == 1


async def test_idempotency_keys_belong_to_their_actor(service: Service) -> None:
    admin = await service.bearer("admin")
    created = (
        await service.client.post(
            f"{API}/admin/staff",
            headers=admin,
            json={
                "username": "second.admin",
                "full_name_ar": "مسؤول ثان",
                "password": "second-admin-pass",
                "grants": [{"role": "platform_admin", "jurisdiction": "EG"}],
            },
        )
    ).json()
    assert created["id"]
    second = await service.bearer("second.admin", "second-admin-pass")
    body = {"name": "Same key", "scopes": ["kpi:read"]}
    one = await service.client.post(
        f"{API}/admin/partners", headers={**admin, "Idempotency-Key": "k"}, json=body
    )
    two = await service.client.post(
        f"{API}/admin/partners", headers={**second, "Idempotency-Key": "k"}, json=body
    )
    assert one.json()["id"] != two.json()["id"]


async def test_without_a_key_each_post_creates(service: Service) -> None:
    admin = await service.bearer("admin")
    body = {"name": "No key", "scopes": ["kpi:read"]}
    one = await service.client.post(f"{API}/admin/partners", headers=admin, json=body)
    two = await service.client.post(f"{API}/admin/partners", headers=admin, json=body)
    assert one.json()["id"] != two.json()["id"]


async def test_username_rules_and_conflicts(service: Service) -> None:
    admin = await service.bearer("admin")
    taken = await service.client.post(
        f"{API}/admin/staff", headers=admin, json={"username": "GIZA.kpi", "full_name_ar": "x"}
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "username_taken")
    bad = await service.client.post(
        f"{API}/admin/staff", headers=admin, json={"username": "a b", "full_name_ar": "x"}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "username"
    listed = (await service.client.get(f"{API}/admin/staff?q=GIZA", headers=admin)).json()
    assert {u["username"] for u in listed["items"]} == {"giza.front", "giza.back", "giza.kpi"}


# --- the counter procedure for a squatted national ID -------------------------------

SQUATTER_PHONE = "01199999999"


async def bind(
    service: Service, headers: dict[str, str], national_id: str, phone: str, reason: str
) -> httpx.Response:
    return await service.client.post(
        f"{API}/admin/citizens/phone-binding",
        headers=headers,
        json={"national_id": national_id, "phone": phone, "reason": reason},
    )


async def test_an_admin_rebinds_a_squatted_national_id_to_its_holders_phone(
    service: Service,
) -> None:
    # Someone who knew the ID signed in first, from their own phone.
    squatter = await service.citizen_tokens_from(GIZA_CITIZEN, SQUATTER_PHONE)
    pending_id, pending_code = await service.request_code(GIZA_CITIZEN, SQUATTER_PHONE)
    admin = await service.bearer("admin")

    reason = "ID card checked at centre 21-03-F01"
    response = await bind(service, admin, "٢٩٠٠١٠١٢١٠١٢٣٤", "010-1234-5678", reason)
    assert response.status_code == 200, response.text
    bound = response.json()
    assert bound["phone"] == "+201012345678"
    assert (bound["created"], bound["changed"], bound["sessions_ended"]) == (False, True, 1)

    # The squatter is out: their session, and the code already sent to them.
    refreshed = await service.client.post(
        f"{API}/token",
        data={"grant_type": "refresh_token", "refresh_token": squatter["refresh_token"]},
    )
    assert refreshed.status_code == 401
    late = await service.client.post(
        f"{API}/otp/verify", json={"challenge_id": pending_id, "code": pending_code}
    )
    assert (late.status_code, late.json()["code"]) == (409, "national_id_bound_to_another_phone")
    # Codes now go to the holder, whatever is typed, and the account (subject) is the same.
    challenge_id, _ = await service.request_code(GIZA_CITIZEN, SQUATTER_PHONE)
    event = next(e for e in await service.otp_events() if e["subject"] == challenge_id)
    assert event["data"]["phone"] == "+201012345678"
    holder = await service.citizen_tokens(GIZA_CITIZEN)
    claims = jwt.decode(holder["access_token"], options={"verify_signature": False})
    assert (
        claims["sub"]
        == bound["id"]
        == jwt.decode(squatter["access_token"], options={"verify_signature": False})["sub"]
    )
    assert claims["phone_number"] == "+201012345678"

    (entry,) = await audit(service, admin, action="citizen.phone_bound")
    me = (await service.client.get(f"{API}/me", headers=admin)).json()
    assert entry["actor"] == f"staff:{me['subject']}"
    assert entry["target"] == f"citizen:{bound['id']}"
    assert entry["details"]["reason"] == reason
    assert entry["details"]["phone_before"] == "*" * 11 + "99"
    assert entry["details"]["phone_after"] == "*" * 11 + "78"
    assert "+201199999999" not in str(entry)


async def test_binding_an_unknown_national_id_prevents_squatting(service: Service) -> None:
    admin = await service.bearer("admin")
    response = await bind(service, admin, ALEX_CITIZEN, "01012345678", "first visit, in person")
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["sessions_ended"]) == (True, 0)
    challenge_id, _ = await service.request_code(ALEX_CITIZEN, SQUATTER_PHONE)
    event = next(e for e in await service.otp_events() if e["subject"] == challenge_id)
    assert event["data"]["phone"] == "+201012345678"  # not the squatter's
    again = await bind(service, admin, ALEX_CITIZEN, "01012345678", "asked twice")
    assert (again.json()["created"], again.json()["changed"]) == (False, False)


async def test_phone_binding_is_validated_and_for_platform_admins_only(service: Service) -> None:
    admin = await service.bearer("admin")
    invalid = await bind(service, admin, "2900101210123", "0131234567", "in person")
    assert invalid.status_code == 422
    assert {(e["field"], e["code"]) for e in invalid.json()["errors"]} == {
        ("national_id", "national_id_format"),
        ("phone", "mobile_format"),
    }
    no_reason = await bind(service, admin, GIZA_CITIZEN, "01012345678", "")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"].endswith("reason")
    citizen = {"Authorization": f"Bearer {(await service.citizen_tokens())['access_token']}"}
    for headers in (await service.bearer("giza.kpi"), citizen):
        refused = await bind(service, headers, GIZA_CITIZEN, "01112345678", "not allowed")
        assert refused.status_code == 403
    async with service.database.read() as session:
        phone = await session.scalar(
            select(Citizen.phone).where(Citizen.national_id == GIZA_CITIZEN)
        )
    assert phone == "+201012345678"
