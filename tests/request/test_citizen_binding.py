"""Citizens bound to their national ID: filing as themselves, and seeing what was filed for them anywhere."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    NATIONAL_ID,
    OTHER_NATIONAL_ID,
    PDF,
    PREFIX,
    Harness,
    applicant,
    bearer,
    building,
    certificate,
)
from tests.request.tokens import OFFICERS, People, citizen

ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
REASON = {"ar": "طلب المواطن الإلغاء", "en": "Cancelled at the citizen's request"}


async def listed(service: Harness, token: str) -> list[str]:
    response = await service.client.get(f"{PREFIX}/applications", headers=bearer(token))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def applicant_ref(service: Harness, application: dict[str, Any]) -> str:
    [submitted] = await service.events("request.submitted", application["id"])
    ref: str = submitted["data"]["applicant"]["ref"]
    return ref


async def test_a_citizen_files_under_the_national_id_and_phone_of_the_token(
    service: Harness,
) -> None:
    body = building()
    del body["applicant"]  # the token says who applies
    app = await service.filed(People.citizen_nid, body, BUILDING_FILES)
    assert app["applicant"] == {
        "national_id": NATIONAL_ID,
        "phone": "+201012345678",
        "language": "ar",
    }
    # Typing them again is fine, in any spelling of the same digits.
    same = building(
        applicant={"national_id": NATIONAL_ID.translate(ARABIC), "phone": "0101 234 5678"}
    )
    again = await service.filed(People.citizen_nid, same, BUILDING_FILES)
    # Keyed by the national ID, exactly as a clerk's filing for the same person is.
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    refs = {await applicant_ref(service, a) for a in (app, again, counter)}
    assert len(refs) == 1
    [ref] = refs
    assert ref.startswith("nid-")
    assert NATIONAL_ID not in ref


async def test_a_citizen_cannot_apply_under_another_national_id_or_phone(service: Harness) -> None:
    someone_else = building(applicant=applicant(national_id=OTHER_NATIONAL_ID))
    refused = await service.submit(People.citizen_nid, someone_else, BUILDING_FILES)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("applicant.national_id", "not_your_national_id")
    ]
    other_phone = building(applicant=applicant(phone="01112345678"))
    refused = await service.submit(People.citizen_nid, other_phone, BUILDING_FILES)
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("applicant.phone", "not_your_phone")
    ]
    assert await service.count("applications") == 0
    assert service.stored_files() == []


async def test_an_older_token_still_files_with_what_is_typed(service: Harness) -> None:
    body = building()
    del body["applicant"]
    refused = await service.submit(People.citizen_a, body, BUILDING_FILES)
    assert refused.status_code == 422
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {
        ("applicant.national_id", "required"),
        ("applicant.phone", "required"),
    }
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    assert await applicant_ref(service, app) == "cit-A"  # its subject: the typed ID is unproven


async def test_a_citizen_follows_what_was_filed_for_them_on_every_channel(
    staffed: Harness,
) -> None:
    service = staffed
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    vehicle = await service.filed(People.clerk_mobile, certificate("21-03-M01"), CERTIFICATE_FILES)
    partner = await service.filed(People.partner, building(), BUILDING_FILES)
    online = await service.filed(People.citizen_nid, building(), BUILDING_FILES)
    for_someone_else = await service.filed(
        People.clerk,
        certificate(applicant=applicant(national_id=OTHER_NATIONAL_ID)),
        CERTIFICATE_FILES,
    )

    mine = {counter["id"], vehicle["id"], partner["id"], online["id"]}
    assert set(await listed(service, People.citizen_nid)) == mine
    for app in (counter, vehicle, partner):
        response = await service.get(People.citizen_nid, app["id"])
        assert response.status_code == 200, response.text
        view = response.json()
        assert view["staff"] is None
        assert [e["state"] for e in view["timeline"]] == ["submitted"]
        assert view["timeline"][0]["actor_id"] is None  # never who took it in
        by_number = await service.client.get(
            f"{PREFIX}/applications/by-tracking/{app['tracking_number']}",
            headers=bearer(People.citizen_nid),
        )
        assert by_number.status_code == 200
        download = await service.client.get(
            app["documents"][0]["href"], headers=bearer(People.citizen_nid)
        )
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == app["documents"][0]["sha256"]
    assert (await service.get(People.citizen_nid, for_someone_else["id"])).status_code == 404

    # They cancel the vehicle's filing themselves...
    cancelled = await service.moved(People.citizen_nid, vehicle, "cancelled")
    assert cancelled["outcome"] == "cancelled"
    # ...and complete the counter one when it is returned to them, then resubmit it.
    app = await service.moved(People.clerk2, counter, "under_review")
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    app = await service.moved(officer, app, "returned_to_citizen", {"ar": "أرفق صورة أوضح"})
    added = await service.client.post(
        f"{PREFIX}/applications/{app['id']}/documents",
        files=[("national_id_copy", ("id2.pdf", PDF + b"%clearer", "application/pdf"))],
        headers=bearer(People.citizen_nid, **{"If-Match": f'"{app["version"]}"'}),
    )
    assert added.status_code == 201, added.text
    resumed = await service.moved(People.citizen_nid, added.json(), "in_processing")
    assert resumed["state"] == "in_processing"
    changes = await service.events("request.status_changed", counter["id"])
    assert changes[-1]["data"]["actor_role"] == "citizen"


async def test_another_citizen_sees_none_of_it(staffed: Harness) -> None:
    service = staffed
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    theirs = await service.filed(
        People.clerk,
        certificate(applicant=applicant(national_id=OTHER_NATIONAL_ID)),
        CERTIFICATE_FILES,
    )
    assert await listed(service, People.citizen_other) == [theirs["id"]]
    for path in (
        f"/applications/{counter['id']}",
        f"/applications/by-tracking/{counter['tracking_number']}",
        f"/applications/{counter['id']}/documents/{counter['documents'][0]['id']}",
    ):
        response = await service.client.get(PREFIX + path, headers=bearer(People.citizen_other))
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    assert (await service.move(People.citizen_other, counter, "cancelled")).status_code == 404
    # An older token knows no national ID: the counter filing is not reachable by typing one.
    assert await listed(service, People.citizen_a) == []
    assert (await service.get(People.citizen_a, counter["id"])).status_code == 404
    assert (await service.current(counter["id"]))["state"] == "submitted"


async def test_rows_filed_under_the_subject_stay_the_citizen_s(staffed: Harness) -> None:
    service = staffed
    before = await service.filed(People.citizen_a, building(), BUILDING_FILES)  # an older token
    counter = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    # The same person logs in again and gets a token with the claims.
    renewed = citizen("cit-A", NATIONAL_ID, "+201012345678")
    assert set(await listed(service, renewed)) == {before["id"], counter["id"]}
    assert (await service.get(renewed, before["id"])).status_code == 200
    cancelled = await service.moved(renewed, before, "cancelled")
    assert cancelled["state"] == "cancelled"
    # The older token keeps what it filed, nothing more.
    assert await listed(service, People.citizen_a) == [before["id"]]


async def test_the_front_office_cancels_for_the_citizen_with_a_reason(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_nid, building(), BUILDING_FILES)
    no_reason = await service.move(People.clerk_hq, app, "cancelled")
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    elsewhere = await service.move(People.clerk_alex, app, "cancelled", REASON)
    assert elsewhere.status_code == 404  # not their centre's
    app = await service.moved(People.clerk_hq, app, "under_review")
    cancelled = await service.moved(People.clerk_hq, app, "cancelled", REASON)
    assert cancelled["outcome"] == "cancelled"
    citizen_view = (await service.get(People.citizen_nid, app["id"])).json()
    assert citizen_view["timeline"][-1]["reason"] == REASON
    trail = await service.client.get(
        f"{PREFIX}/applications/{app['id']}/audit", headers=bearer(People.auditor)
    )
    last = trail.json()[-1]
    assert (last["action"], last["actor_id"], last["actor_role"], last["to_state"]) == (
        "transition",
        "clerk-giza-hq",
        "front_office",
        "cancelled",
    )
    assert last["reason"] == REASON
    assert last["details"] == {"on_behalf_of_applicant": True}


async def test_a_centre_manager_cancels_before_processing_only(staffed: Harness) -> None:
    service = staffed
    waiting = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    cancelled = await service.moved(People.manager, waiting, "cancelled", REASON)
    changes = await service.events("request.status_changed", waiting["id"])
    assert (changes[-1]["data"]["actor_role"], changes[-1]["data"]["reason"]) == (
        "centre_manager",
        REASON,
    )
    assert cancelled["state"] == "cancelled"
    started = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    started = await service.moved(People.clerk2, started, "under_review")
    started = await service.moved(People.clerk2, started, "in_processing")
    for token in (People.manager, People.clerk2):
        late = await service.move(token, started, "cancelled", REASON)
        assert (late.status_code, late.json()["code"]) == (409, "invalid_transition")
    assert (await service.current(started["id"]))["state"] == "in_processing"
