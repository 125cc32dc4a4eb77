"""The staff inbox by role, department and jurisdiction; officers kept by centre managers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from mahaliyat.calendar import egypt_holidays, seed_years
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


async def inbox(harness: Harness, token: str, **params: str) -> dict[str, Any]:
    response = await harness.client.get(f"{PREFIX}/inbox", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> set[str]:
    return {item["id"] for item in body["items"]}


async def test_inbox_by_role_department_and_jurisdiction(staffed: Harness) -> None:
    service = staffed
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    online = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    alex = await service.filed(People.clerk_alex, certificate("02-01-F01"), CERTIFICATE_FILES)

    assert ids(await inbox(service, People.clerk)) == {counter["id"]}
    assert ids(await inbox(service, People.clerk_hq)) == {counter["id"], online["id"]}
    assert ids(await inbox(service, People.clerk_alex)) == {alex["id"]}
    hq = await inbox(service, People.clerk_hq, state="submitted")
    assert hq["counts"] == {"submitted": 2}
    assert hq["role"] == "front_office"

    counter = await service.moved(People.clerk2, counter, "under_review")
    counter = await service.moved(People.clerk2, counter, "in_processing")
    # The planning officer sees the building permit, not the certificate (department "services").
    await service.register_officer("officer-giza-1", departments=("planning",))
    officer_view = await inbox(service, People.officer)
    assert officer_view["role"] == "back_office"
    assert ids(officer_view) == {online["id"]}
    assigned = counter["staff"]["assigned_officer_id"]
    mine = await inbox(service, OFFICERS[assigned], role="back_office", assigned="me")
    assert ids(mine) == {counter["id"]}
    assert ids(await inbox(service, People.officer, assigned="me")) == set()
    counts = (await inbox(service, People.manager))["counts"]
    assert counts == {"submitted": 1, "in_processing": 1}
    by_service = await inbox(service, People.manager, service="BLD-001")
    assert ids(by_service) == {online["id"]}
    assert (
        await service.client.get(f"{PREFIX}/inbox", headers=bearer(People.citizen_a))
    ).status_code == 403


async def test_officers_are_kept_by_their_centre_manager(service: Harness) -> None:
    register = await service.client.put(
        f"{PREFIX}/officers/officer-giza-1",
        json={"jurisdiction": "21-03", "departments": ["planning", "planning", "services"]},
        headers=bearer(People.manager),
    )
    assert register.status_code == 200
    assert [r["department_code"] for r in register.json()] == ["planning", "services"]
    listed = await service.client.get(f"{PREFIX}/officers", headers=bearer(People.manager))
    assert {(o["officer_id"], o["jurisdiction"]) for o in listed.json()} == {
        ("officer-giza-1", "21-03")
    }
    # Outside the manager's jurisdiction, and another manager's officer.
    outside = await service.client.put(
        f"{PREFIX}/officers/officer-x",
        json={"jurisdiction": "02", "departments": ["planning"]},
        headers=bearer(People.manager),
    )
    assert outside.status_code == 403
    takeover = await service.client.put(
        f"{PREFIX}/officers/officer-giza-1",
        json={"jurisdiction": "02", "departments": ["planning"]},
        headers=bearer(People.manager_alex),
    )
    assert takeover.status_code == 404
    assert (
        await service.client.get(f"{PREFIX}/officers", headers=bearer(People.manager_alex))
    ).json() == []
    assert (
        await service.client.get(f"{PREFIX}/officers", headers=bearer(People.officer))
    ).status_code == 403


async def test_assignment_goes_to_the_least_loaded(service: Harness) -> None:
    for officer in ("officer-giza-1", "officer-giza-2"):
        await service.register_officer(officer, departments=("services",))
    assigned = []
    for _ in range(4):
        app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
        app = await service.moved(People.clerk2, app, "under_review")
        app = await service.moved(People.clerk2, app, "in_processing")
        assigned.append(app["staff"]["assigned_officer_id"])
    assert sorted(assigned) == [
        "officer-giza-1",
        "officer-giza-1",
        "officer-giza-2",
        "officer-giza-2",
    ]


async def in_processing(service: Harness) -> dict[str, Any]:
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk2, app, "under_review")
    return await service.moved(People.clerk2, app, "in_processing")


async def deactivate(service: Harness, officer_id: str, token: str = People.manager) -> Any:
    return await service.client.post(
        f"{PREFIX}/officers/{officer_id}/deactivate", headers=bearer(token)
    )


async def test_a_deactivated_officer_s_work_goes_to_the_least_loaded(service: Harness) -> None:
    await service.register_officer("officer-giza-1", departments=("services",))
    working = await in_processing(service)
    returned = await in_processing(service)
    approved = await in_processing(service)
    assert {a["staff"]["assigned_officer_id"] for a in (working, returned, approved)} == {
        "officer-giza-1"
    }
    returned = await service.moved(People.officer, returned, "returned_to_citizen", {"ar": "وقّع"})
    approved = await service.moved(People.officer, approved, "approved")
    await service.register_officer("officer-giza-2", departments=("services",))

    # Only the manager of the officer's jurisdiction; unknown officers are not found.
    assert (await deactivate(service, "officer-giza-1", People.manager_alex)).status_code == 404
    assert (await deactivate(service, "nobody")).status_code == 404
    assert (await deactivate(service, "officer-giza-1", People.clerk)).status_code == 403

    response = await deactivate(service, "officer-giza-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["active"] for r in body["registrations"]] == [False]
    assert {(h["application_id"], h["to_officer"]) for h in body["reassigned"]} == {
        (working["id"], "officer-giza-2"),
        (returned["id"], "officer-giza-2"),
        (approved["id"], "officer-giza-2"),
    }
    for app in (working, returned, approved):
        now = await service.current(app["id"])
        assert now["staff"]["assigned_officer_id"] == "officer-giza-2"
        assert now["version"] == app["version"] + 1  # a change: stale If-Match answers 412
    trail = await service.client.get(
        f"{PREFIX}/applications/{working['id']}/audit", headers=bearer(People.auditor)
    )
    assert trail.json()[-1]["details"] == {
        "from_officer": "officer-giza-1",
        "to_officer": "officer-giza-2",
        "why": "officer_no_longer_serving",
    }

    # The deactivated officer acts on nothing and is never picked again.
    working = await service.current(working["id"])
    refused = await service.move(People.officer, working, "approved")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")
    back_office = await service.client.get(f"{PREFIX}/inbox", headers=bearer(People.officer))
    assert back_office.json()["items"] == []
    for _ in range(2):
        assert (await in_processing(service))["staff"]["assigned_officer_id"] == "officer-giza-2"
    assert (await service.moved(People.officer2, working, "approved"))["state"] == "approved"

    # With nobody left to serve, the work waits unassigned for the first officer to act.
    response = await deactivate(service, "officer-giza-2")
    assert {h["to_officer"] for h in response.json()["reassigned"]} == {None}
    assert (await in_processing(service))["staff"]["assigned_officer_id"] is None


async def test_an_officer_moved_to_another_department_hands_over_the_old_one_s_work(
    service: Harness,
) -> None:
    await service.register_officer("officer-giza-1", departments=("services",))
    await service.register_officer("officer-giza-2", departments=("services",))
    first = await in_processing(service)
    officer = first["staff"]["assigned_officer_id"]
    other = "officer-giza-2" if officer == "officer-giza-1" else "officer-giza-1"
    await service.register_officer(officer, departments=("planning",))
    assert (await service.current(first["id"]))["staff"]["assigned_officer_id"] == other


async def test_the_holiday_table_is_seeded_with_egypt_s_holidays(service: Harness) -> None:
    listed = (await service.client.get(f"{PREFIX}/holidays")).json()
    seed = egypt_holidays(seed_years(service.clock().date()))  # the year before to two after
    assert [(h["day"], h["name"]["en"], h["approximate"]) for h in listed] == [
        (h.day.isoformat(), h.name_en, h.estimated)
        for h in sorted(seed.values(), key=lambda h: h.day)
    ]
    assert {h["day"][:4] for h in listed} == {"2025", "2026", "2027", "2028"}


async def test_admins_override_the_seed(service: Harness) -> None:
    async def year(number: int) -> dict[str, dict[str, object]]:
        answer = await service.client.get(f"{PREFIX}/holidays", params={"year": number})
        return {h["day"]: h for h in answer.json()}

    assert "2026-01-07" in await year(2026)  # Coptic Christmas, from the seed
    removed = await service.client.delete(
        f"{PREFIX}/holidays/2026-01-07", headers=bearer(People.admin)
    )
    assert removed.status_code == 204
    assert "2026-01-07" not in await year(2026)
    again = await service.client.delete(
        f"{PREFIX}/holidays/2026-01-07", headers=bearer(People.admin)
    )
    assert again.status_code == 404
    # A seeded day renamed and confirmed; a year far outside the seeded ones still lists.
    put = await service.client.put(
        f"{PREFIX}/holidays/2027-03-09",
        json={"name": {"ar": "عيد الفطر", "en": "Eid al-Fitr (announced)"}, "approximate": False},
        headers=bearer(People.admin),
    )
    assert put.status_code == 204
    assert (await year(2027))["2027-03-09"] == {
        "day": "2027-03-09",
        "name": {"ar": "عيد الفطر", "en": "Eid al-Fitr (announced)"},
        "approximate": False,
    }
    assert "2040-01-07" in await year(2040)
    # The working calendar follows: 6 January 2026 (Tuesday) + 1 working day is now the 7th.
    service.clock.now = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)
    app = await service.filed(
        People.clerk, {**certificate(), "service_code": "FST-001", "form": {}}, None
    )
    assert app["due_at"] == "2026-01-07T22:00:00Z"


async def test_holidays_are_kept_by_a_platform_admin(service: Harness) -> None:
    listed = (await service.client.get(f"{PREFIX}/holidays", params={"year": 2026})).json()
    assert {
        "day": "2026-10-08",  # 6 October (a Tuesday) kept on the Thursday
        "name": {
            "ar": "عيد القوات المسلحة (يوم تعويضي)",
            "en": "Armed Forces Day (observed)",
        },
        "approximate": False,
    } in listed
    assert any(h["approximate"] for h in listed)
    day = date(2026, 11, 25)
    put = await service.client.put(
        f"{PREFIX}/holidays/{day}",
        json={"name": {"en": "Announced holiday"}},
        headers=bearer(People.admin),
    )
    assert put.status_code == 204
    refused = await service.client.put(
        f"{PREFIX}/holidays/{day}", json={"name": {"en": "x"}}, headers=bearer(People.manager)
    )
    assert refused.status_code == 403
    # The new holiday moves deadlines computed from now on: Tue 24 Nov + 1 working day skips Wed 25.
    app = await service.filed(
        People.clerk, {**certificate(), "service_code": "FST-001", "form": {}}, None
    )
    assert app["due_at"] == "2026-11-26T22:00:00Z"
    assert (
        await service.client.delete(f"{PREFIX}/holidays/{day}", headers=bearer(People.admin))
    ).status_code == 204
    assert (
        await service.client.delete(f"{PREFIX}/holidays/{day}", headers=bearer(People.admin))
    ).status_code == 404
