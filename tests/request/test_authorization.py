"""Who may see and change what: 404 outside one's reach, 403/409 for forbidden moves, 412/428 for versions."""

from __future__ import annotations

from typing import Any

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

STATES = [
    "submitted",
    "under_review",
    "awaiting_payment",
    "in_processing",
    "returned_to_citizen",
    "approved",
    "rejected",
    "ready_for_collection",
    "delivered",
    "cancelled",
]
ACTORS = {
    "citizen A": People.citizen_a,
    "citizen B": People.citizen_b,
    "clerk HQ": People.clerk_hq,
    "counter clerk": People.clerk,
    "officer 1": People.officer,
    "officer 2": People.officer2,
    "manager": People.manager,
    "auditor": People.auditor,
    "partner": People.partner,
    "Alexandria clerk": People.clerk_alex,
}


async def snapshot(service: Harness, application_id: str) -> tuple[Any, ...]:
    current = await service.current(application_id)
    return (
        current["state"],
        current["version"],
        current["staff"]["assigned_officer_id"],
        await service.count("outbox"),
        await service.count("audit_log"),
        await service.count("state_changes"),
    )


async def refuse_everything_but(
    service: Harness, app: dict[str, Any], allowed: set[tuple[str, str]]
) -> None:
    """Try every actor × target; all but ``allowed`` must be refused and change nothing."""
    before = await snapshot(service, app["id"])
    for name, token in ACTORS.items():
        for target in STATES:
            if (name, target) in allowed:
                continue
            response = await service.move(token, app, target, reason={"ar": "سبب", "en": "reason"})
            assert response.status_code in (403, 404, 409), (
                name,
                app["state"],
                target,
                response.text,
            )
            if response.status_code == 404:
                # Only those who cannot see the application at all get a 404.
                assert name in ("citizen B", "counter clerk", "Alexandria clerk", "partner"), (
                    name,
                    target,
                )
        assert await snapshot(service, app["id"]) == before, (name, app["state"])


async def test_every_forbidden_transition_is_refused_and_changes_nothing(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    # Before processing the citizen cancels, and so may the front office or the centre manager
    # for them (with a reason, which every attempt here gives).
    cancellers = {("citizen A", "cancelled"), ("clerk HQ", "cancelled"), ("manager", "cancelled")}
    walk = [
        ("clerk HQ", "under_review", cancellers),
        ("clerk HQ", "awaiting_payment", cancellers),
        (None, "in_processing", cancellers),
        ("officer", "returned_to_citizen", set()),
        ("citizen A", "in_processing", {("clerk HQ", "in_processing")}),
        ("officer", "approved", set()),
        ("officer", "ready_for_collection", set()),
        ("clerk HQ", "delivered", set()),
        (None, None, set()),
    ]
    for actor, target, also_allowed in walk:
        officer_name = ""
        if app["state"] in ("in_processing", "approved", "returned_to_citizen"):
            assigned = (await service.current(app["id"]))["staff"]["assigned_officer_id"]
            officer_name = "officer 1" if assigned == "officer-giza-1" else "officer 2"
        allowed = set(also_allowed)
        if app["state"] == "in_processing":  # the assigned officer decides freely
            allowed |= {(officer_name, t) for t in ("approved", "rejected", "returned_to_citizen")}
        if actor is not None and target is not None:
            allowed.add((officer_name if actor == "officer" else actor, target))
        await refuse_everything_but(service, app, allowed)
        if target is None:
            break
        if actor is None:  # the payment
            from mahaliyat.events import CloudEvent

            await service.publish(
                CloudEvent(
                    source="/payment",
                    type="payment.succeeded",
                    data={
                        "invoice_id": "i",
                        "tracking_number": app["tracking_number"].replace("-", ""),
                        "amount_piasters": app["amount_due_piasters"],
                    },
                )
            )
            app = await service.current(app["id"])
            assert app["state"] == target
            continue
        token = (
            OFFICERS[(await service.current(app["id"]))["staff"]["assigned_officer_id"]]
            if actor == "officer"
            else ACTORS[actor]
        )
        app = await service.moved(token, app, target, {"ar": "سبب", "en": "reason"})


async def test_the_intake_clerk_can_never_decide(service: Harness) -> None:
    # The clerk is also a registered back-office officer, and the only one of the department.
    await service.register_officer("clerk-officer", departments=("services",))
    app = await service.filed(People.clerk_officer, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk_officer, app, "under_review")
    past_review = await service.move(People.clerk_officer, app, "in_processing")
    assert (past_review.status_code, past_review.json()["code"]) == (403, "separation_of_duties")
    app = await service.moved(People.clerk2, app, "in_processing")
    assert app["staff"]["assigned_officer_id"] is None  # never assigned to its own intake clerk
    before = await snapshot(service, app["id"])
    for target in ("approved", "rejected", "returned_to_citizen"):
        decided = await service.move(People.clerk_officer, app, target, {"ar": "سبب"})
        assert (decided.status_code, decided.json()["code"]) == (403, "separation_of_duties"), (
            target
        )
    assert await snapshot(service, app["id"]) == before
    reassigned = await service.client.put(
        f"{PREFIX}/applications/{app['id']}/assignment",
        json={"officer_id": "clerk-officer"},
        headers=bearer(People.manager, **{"If-Match": f'"{app["version"]}"'}),
    )
    assert (reassigned.status_code, reassigned.json()["code"]) == (409, "separation_of_duties")
    assert await snapshot(service, app["id"]) == before


async def test_an_officer_of_another_department_cannot_decide(service: Harness) -> None:
    await service.register_officer("officer-giza-1", departments=("planning",))
    app = await service.filed(
        People.clerk, certificate(), CERTIFICATE_FILES
    )  # department "services"
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    refused = await service.move(People.officer, app, "approved")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_not_allowed")


async def test_citizens_see_only_their_own(staffed: Harness) -> None:
    service = staffed
    mine = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    theirs = await service.filed(People.citizen_b, building(), BUILDING_FILES)
    assert (await service.get(People.citizen_a, mine["id"])).status_code == 200
    for path in (
        f"/applications/{theirs['id']}",
        f"/applications/by-tracking/{theirs['tracking_number']}",
        f"/applications/{theirs['id']}/documents/{theirs['documents'][0]['id']}",
        f"/applications/{theirs['id']}/audit",
    ):
        response = await service.client.get(PREFIX + path, headers=bearer(People.citizen_a))
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    cancel = await service.move(People.citizen_a, theirs, "cancelled")
    assert cancel.status_code == 404
    assert (await service.current(theirs["id"]))["state"] == "submitted"
    listed = (
        await service.client.get(f"{PREFIX}/applications", headers=bearer(People.citizen_a))
    ).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]]
    # Unknown and foreign look the same.
    unknown = await service.get(People.citizen_a, "01a20d9a-0000-7000-8000-000000000000")
    assert unknown.json()["code"] == "not_found"


async def test_a_giza_clerk_cannot_reach_an_alexandria_application(staffed: Harness) -> None:
    service = staffed
    alex = await service.filed(People.clerk_alex, certificate("02-01-F01"), CERTIFICATE_FILES)
    for token in (People.clerk, People.clerk_hq, People.officer, People.manager):
        assert (await service.get(token, alex["id"])).status_code == 404
        moved = await service.move(token, alex, "under_review")
        assert moved.status_code == 404
        by_number = await service.client.get(
            f"{PREFIX}/applications/by-tracking/{alex['tracking_number']}", headers=bearer(token)
        )
        assert by_number.status_code == 404
    assert (await service.current(alex["id"]))["version"] == 1
    # Their own clerk and a national auditor do see it.
    assert (await service.get(People.clerk_alex, alex["id"])).status_code == 200


async def test_a_stale_version_is_412_and_a_missing_one_428(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    moved = await service.moved(People.clerk_hq, app, "under_review")
    stale = await service.move(People.citizen_a, app, "cancelled")  # If-Match: "1", now version 2
    assert stale.status_code == 412
    assert stale.json()["code"] == "version_mismatch"
    assert stale.headers["etag"] == '"2"'
    for header in ({}, {"If-Match": "*"}):
        response = await service.client.post(
            f"{PREFIX}/applications/{app['id']}/transitions",
            json={"to": "cancelled"},
            headers=bearer(People.citizen_a, **header),
        )
        assert response.status_code == 428
    weak = await service.client.post(
        f"{PREFIX}/applications/{app['id']}/transitions",
        json={"to": "cancelled"},
        headers=bearer(People.citizen_a, **{"If-Match": 'W/"2"'}),
    )
    assert weak.status_code == 200
    assert (await service.current(app["id"]))["version"] == moved["version"] + 1
    assert len(await service.events("request.status_changed", app["id"])) == 2


async def test_staff_tokens_of_no_use_here_are_refused(service: Harness) -> None:
    from tests.request.tokens import staff

    kpi = staff("kpi-1", ("kpi_viewer", "EG"))
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    assert (await service.get(kpi, app["id"])).status_code == 404
    inbox = await service.client.get(f"{PREFIX}/inbox", headers=bearer(kpi))
    assert inbox.status_code == 403
    assert (await service.submit(kpi, certificate(None), CERTIFICATE_FILES)).status_code == 422
    refused = await service.submit(kpi, certificate("21-03-F01"), CERTIFICATE_FILES)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_centre")


async def test_concurrent_changes_on_one_version_let_exactly_one_through(staffed: Harness) -> None:
    import asyncio

    service = staffed
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk2, app, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    responses = await asyncio.gather(
        service.move(officer, app, "approved"),
        service.move(officer, app, "rejected", {"ar": "ناقص"}),
        service.move(officer, app, "returned_to_citizen", {"ar": "وقّع"}),
    )
    assert sorted(r.status_code for r in responses) == [200, 412, 412]
    assert len(await service.events("request.status_changed", app["id"])) == 3


async def test_a_partner_reads_by_tracking_number_only_what_it_filed_within_its_grant(
    staffed: Harness,
) -> None:
    from tests.request.tokens import partner_token

    service = staffed
    own = await service.filed(People.partner, building(), BUILDING_FILES)
    by_citizen = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    by_other_partner = await service.filed(People.partner_status, building(), BUILDING_FILES)

    async def read(token: str, application: dict[str, Any]) -> Any:
        number = application["tracking_number"].replace("-", "")
        return await service.client.get(
            f"{PREFIX}/applications/by-tracking/{number}", headers=bearer(token)
        )

    found = await read(People.partner, own)
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["channel"]) == (own["id"], "partner_api")
    assert found.json()["staff"] is None
    assert found.headers["etag"] == f'"{own["version"]}"'
    for foreign in (by_citizen, by_other_partner):
        response = await read(People.partner, foreign)
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    # The same partner once its grant no longer covers Giza, or without requests:read.
    moved_away = partner_token("partner-moi", "02")
    assert (await read(moved_away, own)).status_code == 404
    write_only = partner_token("partner-moi", scope="requests:write")
    assert (await read(write_only, own)).status_code == 404
    listed = await service.client.get(f"{PREFIX}/applications", headers=bearer(People.partner))
    assert [a["id"] for a in listed.json()["items"]] == [own["id"]]
