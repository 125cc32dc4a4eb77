"""Documents after filing: who may download them, and adding more while the citizen completes."""

from __future__ import annotations

import hashlib

from tests.request.conftest import (
    BUILDING_FILES,
    JPEG,
    PDF,
    PNG,
    PREFIX,
    Harness,
    bearer,
    building,
)
from tests.request.tokens import OFFICERS, People


async def test_downloads_by_the_citizen_and_staff_only(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    sketch = next(d for d in app["documents"] if d["code"] == "site_sketch")
    assert sketch["sha256"] == hashlib.sha256(PDF).hexdigest()
    for reader in (People.citizen_a, People.clerk_hq, People.officer, People.manager):
        response = await service.client.get(sketch["href"], headers=bearer(reader))
        assert response.status_code == 200
        assert response.content == PDF
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in response.headers["content-disposition"]
    for outsider in (People.citizen_b, People.clerk_alex, People.partner, People.clerk):
        assert (
            await service.client.get(sketch["href"], headers=bearer(outsider))
        ).status_code == 404
    unknown = sketch["href"].rsplit("/", 1)[0] + "/01a20d9a-0000-7000-8000-000000000000"
    assert (await service.client.get(unknown, headers=bearer(People.citizen_a))).status_code == 404


async def test_the_citizen_completes_a_returned_application(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    app = await service.moved(People.clerk_hq, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    from mahaliyat.events import CloudEvent

    await service.publish(
        CloudEvent(
            source="/payment",
            type="payment.succeeded",
            data={
                "invoice_id": "inv-9",
                "application_id": app["id"],
                "amount_piasters": app["amount_due_piasters"],
            },
        )
    )
    app = await service.current(app["id"])
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    app = await service.moved(officer, app, "returned_to_citizen", {"ar": "أرفق سند الملكية"})

    url = f"{PREFIX}/applications/{app['id']}/documents"
    proof = [("ownership_proof", ("عقد.png", PNG, "image/png"))]
    stale = await service.client.post(
        url, files=proof, headers=bearer(People.citizen_a, **{"If-Match": '"1"'})
    )
    assert stale.status_code == 412
    wrong = await service.client.post(
        url,
        files=[("site_sketch", ("s.pdf", JPEG, "application/pdf"))],
        headers=bearer(People.citizen_a, **{"If-Match": f'"{app["version"]}"'}),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["code"] == "type_mismatch"  # a .pdf name on JPEG bytes
    not_accepted = await service.client.post(
        url,
        files=[("site_sketch", ("s.jpg", JPEG, "image/jpeg"))],
        headers=bearer(People.citizen_a, **{"If-Match": f'"{app["version"]}"'}),
    )
    assert not_accepted.status_code == 422
    assert not_accepted.json()["errors"][0]["code"] == "type_not_accepted"  # the sketch is PDF only
    files_before = len(service.stored_files())
    assert files_before == 2
    added = await service.client.post(
        url,
        files=proof,
        headers=bearer(
            People.citizen_a, **{"If-Match": f'"{app["version"]}"', "Idempotency-Key": "proof-1"}
        ),
    )
    assert added.status_code == 201, added.text
    assert added.json()["version"] == app["version"] + 1
    assert len(added.json()["documents"]) == 3
    assert any(
        d["filename"] == "عقد.png" and d["media_type"] == "image/png"
        for d in added.json()["documents"]
    )
    retried = await service.client.post(
        url,
        files=proof,
        headers=bearer(
            People.citizen_a, **{"If-Match": f'"{app["version"]}"', "Idempotency-Key": "proof-1"}
        ),
    )
    assert retried.status_code == 201
    assert retried.json() == added.json()
    assert await service.count("documents") == 3
    assert len(service.stored_files()) == 3
    assert (
        await service.client.post(
            url,
            files=proof,
            headers=bearer(People.citizen_b, **{"If-Match": f'"{app["version"] + 1}"'}),
        )
    ).status_code == 404
    # Once with the back office again, the file is closed.
    app = await service.moved(People.citizen_a, added.json(), "in_processing")
    closed = await service.client.post(
        url, files=proof, headers=bearer(People.citizen_a, **{"If-Match": f'"{app["version"]}"'})
    )
    assert (closed.status_code, closed.json()["code"]) == (409, "documents_closed")


async def test_a_filename_cannot_escape(staffed: Harness) -> None:
    files = [("national_id_copy", ("../../../etc/passwd", JPEG, "image/jpeg")), BUILDING_FILES[1]]
    app = await staffed.filed(People.citizen_a, building(), files)
    names = {d["filename"] for d in app["documents"]}
    assert "passwd" in names
    root = staffed.settings.document_root.resolve()
    assert all(p.resolve().is_relative_to(root) for p in staffed.stored_files())
