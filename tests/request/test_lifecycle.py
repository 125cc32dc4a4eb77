"""The whole lifecycle on each channel, with the events a KPI service is built from."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from mahaliyat.events import CloudEvent
from tests.request.conftest import (
    BUILDING_FILES,
    CERTIFICATE_FILES,
    Harness,
    building,
    certificate,
)
from tests.request.tokens import OFFICERS, People

RETURN_REASON = {
    "ar": "يرجى إرفاق سند ملكية موثق",
    "en": "Please attach a notarised proof of ownership",
}


async def pay(
    service: Harness, application: dict[str, Any], amount: int, event_id: str | None = None
) -> CloudEvent:
    event = CloudEvent(
        source="/payment",
        type="payment.succeeded",
        data={
            "invoice_id": "inv-1",
            "application_id": application["id"],
            "amount_piasters": amount,
        },
        **({"id": event_id} if event_id else {}),
    )
    await service.publish(event)
    return event


def assert_common_fields(event: dict[str, Any], application: dict[str, Any]) -> None:
    data = event["data"]
    assert event["source"] == "/request"
    assert event["subject"] == application["id"]
    assert data["application_id"] == application["id"]
    assert data["tracking_number"] == application["tracking_number"]
    assert data["service_code"] == application["service"]["code"]
    assert data["service_name"] == application["service"]["name"]
    assert data["channel"] == application["channel"]
    assert data["centre_code"] == application["centre_code"]
    assert data["jurisdiction"] == application["jurisdiction"]
    assert data["governorate"] == application["governorate"]
    assert data["applicant"]["phone"] == "+201012345678"
    assert data["applicant"]["language"] == "ar"
    assert "28503122101234" not in str(data)  # the national ID never travels


@pytest.mark.parametrize("channel", ["portal", "app"])
async def test_online_with_a_fee_a_return_and_a_delivery(staffed: Harness, channel: str) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(channel=channel), BUILDING_FILES)
    fee = 5000 + 120 * 150
    app = await service.moved(People.clerk_hq, app, "under_review")
    # A fee is due, so the clerk cannot skip payment.
    skipped = await service.move(People.clerk_hq, app, "in_processing")
    assert (skipped.status_code, skipped.json()["code"]) == (409, "payment_required")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    assert app["amount_due_piasters"] == fee
    assert [line["item_code"] for line in app["fee_lines"]] == ["review", "permit"]

    service.clock.advance(hours=30)
    await pay(service, app, fee)
    app = await service.current(app["id"])
    assert app["state"] == "in_processing"
    officer = app["staff"]["assigned_officer_id"]
    assert officer in ("officer-giza-1", "officer-giza-2")  # planning officers only
    officer_token = OFFICERS[officer]
    other_officer = OFFICERS["officer-giza-2" if officer == "officer-giza-1" else "officer-giza-1"]

    taken = await service.move(other_officer, app, "approved")
    assert (taken.status_code, taken.json()["code"]) == (403, "assigned_to_another_officer")

    service.clock.advance(hours=5)
    app = await service.moved(officer_token, app, "returned_to_citizen", RETURN_REASON)
    citizen_view = (await service.get(People.citizen_a, app["id"])).json()
    assert citizen_view["state"] == "returned_to_citizen"
    assert citizen_view["timeline"][-1]["reason"] == RETURN_REASON
    assert all(
        entry["actor_id"] is None and entry["actor_role"] is None
        for entry in citizen_view["timeline"]
    )
    assert officer not in str(citizen_view)  # the citizen never learns who handles it
    assert citizen_view["allowed_transitions"] == ["in_processing"]

    service.clock.advance(days=2)
    app = await service.moved(People.citizen_a, app, "in_processing")
    service.clock.advance(hours=3)
    app = await service.moved(officer_token, app, "approved")
    app = await service.moved(officer_token, app, "ready_for_collection")
    service.clock.advance(days=1)
    app = await service.moved(People.clerk_hq, app, "delivered")
    assert app["outcome"] == "approved"
    assert app["allowed_transitions"] == []

    events = await service.events(subject=app["id"])
    assert Counter(e["type"] for e in events) == {
        "request.submitted": 1,
        "request.status_changed": 8,
        "request.completed": 1,
    }
    for event in events:
        assert_common_fields(event, app)
    submitted = events[0]["data"]
    assert (submitted["sla_days"], submitted["fee_piasters"]) == (26, fee)
    assert submitted["due_at"] is not None
    changes = [e["data"] for e in events if e["type"] == "request.status_changed"]
    assert [(c["from"], c["to"]) for c in changes] == [
        ("submitted", "under_review"),
        ("under_review", "awaiting_payment"),
        ("awaiting_payment", "in_processing"),
        ("in_processing", "returned_to_citizen"),
        ("returned_to_citizen", "in_processing"),
        ("in_processing", "approved"),
        ("approved", "ready_for_collection"),
        ("ready_for_collection", "delivered"),
    ]
    assert changes[1]["amount_due_piasters"] == fee
    assert changes[2]["actor_role"] == "system"
    assert changes[3]["reason"] == RETURN_REASON
    assert (changes[5]["actor_role"], changes[5]["actor_id"]) == ("back_office", officer)
    completed = next(e["data"] for e in events if e["type"] == "request.completed")
    assert completed["outcome"] == "approved"
    assert completed["waiting_seconds"] == 30 * 3600
    assert completed["processing_seconds"] == 5 * 3600 + 3 * 3600
    assert completed["returned_seconds"] == 2 * 24 * 3600
    assert completed["officer_ref"] == officer
    assert completed["fee_piasters"] == fee
    assert completed["sla_met"] is True
    assert completed["sla_days"] == 26
    assert completed["working_days_taken"] >= 1


async def test_at_the_counter_without_a_fee(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.clerk, certificate(), CERTIFICATE_FILES)
    app = await service.moved(People.clerk, app, "under_review")
    no_fee = await service.move(People.clerk2, app, "awaiting_payment")
    assert (no_fee.status_code, no_fee.json()["code"]) == (409, "no_fee_due")
    app = await service.moved(People.clerk2, app, "in_processing")
    assert app["staff"]["assigned_officer_id"] in (
        "officer-giza-1",
        "officer-giza-2",
        "clerk-officer",
    )
    manager = await service.client.put(
        f"/api/v1/requests/applications/{app['id']}/assignment",
        json={"officer_id": "officer-giza-2"},
        headers={"Authorization": f"Bearer {People.manager}", "If-Match": f'"{app["version"]}"'},
    )
    assert manager.status_code == 200, manager.text
    app = manager.json()
    assert app["staff"]["assigned_officer_id"] == "officer-giza-2"
    app = await service.moved(People.officer2, app, "approved")
    app = await service.moved(People.officer2, app, "ready_for_collection")
    app = await service.moved(People.clerk, app, "delivered")  # handing over is not deciding
    completed = (await service.events("request.completed", app["id"]))[0]["data"]
    assert (completed["outcome"], completed["officer_ref"], completed["fee_piasters"]) == (
        "approved",
        "officer-giza-2",
        0,
    )


async def test_in_a_vehicle_ending_in_rejection(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.clerk_mobile, certificate("21-03-M01"), CERTIFICATE_FILES)
    assert app["channel"] == "mobile_centre"
    app = await service.moved(People.clerk_mobile, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    no_reason = await service.move(officer, app, "rejected")
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    app = await service.moved(officer, app, "rejected", {"ar": "العقار خارج الحيز العمراني"})
    assert app["outcome"] == "rejected"
    events = await service.events(subject=app["id"])
    completed = next(e["data"] for e in events if e["type"] == "request.completed")
    assert completed["outcome"] == "rejected"
    rejected = [e["data"] for e in events if e["type"] == "request.status_changed"][-1]
    assert rejected["reason"] == {
        "ar": "العقار خارج الحيز العمراني",
        "en": "العقار خارج الحيز العمراني",
    }
    status = await service.client.post(
        "/api/v1/requests/status",
        json={"tracking_number": app["tracking_number"], "national_id_last4": "1234"},
    )
    assert status.json()["reason"]["ar"] == "العقار خارج الحيز العمراني"


async def test_through_a_partner_cancelled_before_payment(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.partner, building(), BUILDING_FILES)
    app = await service.moved(People.clerk_hq, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    app = await service.moved(People.partner, app, "cancelled")
    assert app["outcome"] == "cancelled"
    completed = (await service.events("request.completed", app["id"]))[0]["data"]
    assert completed["outcome"] == "cancelled"
    assert completed["paid_piasters"] == 0
    assert completed["sla_met"] is None  # nothing was decided, in time or late
    # Paying a cancelled application changes nothing; finance is told through the audit log.
    await pay(service, app, 23000)
    assert (await service.current(app["id"]))["state"] == "cancelled"
    audit = await service.client.get(
        f"/api/v1/requests/applications/{app['id']}/audit",
        headers={"Authorization": f"Bearer {People.auditor}"},
    )
    assert audit.json()[-1]["action"] == "payment_not_applied"


async def test_a_catalogue_workflow_is_followed(staffed: Harness) -> None:
    service = staffed
    body = certificate(service_code="FST-001")
    body["form"] = {}
    app = await service.filed(People.clerk, body, None)
    assert (await service.move(People.clerk2, app, "under_review")).status_code == 409
    app = await service.moved(People.clerk2, app, "in_processing")
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    app = await service.moved(officer, app, "approved")
    app = await service.moved(People.clerk2, app, "delivered")
    assert app["outcome"] == "approved"


async def test_a_payment_event_is_applied_once(staffed: Harness) -> None:
    service = staffed
    app = await service.filed(People.citizen_a, building(), BUILDING_FILES)
    app = await service.moved(People.clerk_hq, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    due = app["amount_due_piasters"]
    await pay(service, app, due - 1)  # short: recorded, not applied
    assert (await service.current(app["id"]))["state"] == "awaiting_payment"
    event = await pay(service, app, due)
    assert (await service.current(app["id"]))["state"] == "in_processing"
    await pay(service, app, due, event_id=str(event.id))  # the same event delivered again
    assert await service.count("inbox") == 2  # one row per distinct event
    changes = await service.events("request.status_changed", app["id"])
    assert [(c["data"]["from"], c["data"]["to"]) for c in changes].count(
        ("awaiting_payment", "in_processing")
    ) == 1
    assert (await service.current(app["id"]))["paid_at"] is not None


async def test_through_a_partner_to_delivery(staffed: Harness) -> None:
    """The partner channel end to end: the partner resubmits when returned; overpaid fees count."""
    service = staffed
    app = await service.filed(People.partner, building(), BUILDING_FILES)
    assert (app["channel"], app["allowed_transitions"]) == ("partner_api", ["cancelled"])
    app = await service.moved(People.clerk_hq, app, "under_review")
    app = await service.moved(People.clerk_hq, app, "awaiting_payment")
    due = app["amount_due_piasters"]
    await pay(service, app, due + 250)  # paid a little more than due (finance refunds it)
    app = await service.current(app["id"])
    assert (app["state"], app["paid_piasters"]) == ("in_processing", due + 250)
    officer = OFFICERS[app["staff"]["assigned_officer_id"]]
    app = await service.moved(officer, app, "returned_to_citizen", RETURN_REASON)
    partner_view = (await service.get(People.partner, app["id"])).json()
    assert partner_view["timeline"][-1]["reason"] == RETURN_REASON
    assert partner_view["allowed_transitions"] == ["in_processing"]
    app = await service.moved(People.partner, app, "in_processing")
    app = await service.moved(officer, app, "approved")
    app = await service.moved(officer, app, "ready_for_collection")
    app = await service.moved(People.clerk_hq, app, "delivered")
    assert (app["state"], app["outcome"]) == ("delivered", "approved")
    assert (await service.get(People.partner, app["id"])).json()["state"] == "delivered"

    events = await service.events(subject=app["id"])
    changes = [e["data"] for e in events if e["type"] == "request.status_changed"]
    assert [(c["from"], c["to"], c["actor_role"]) for c in changes] == [
        ("submitted", "under_review", "front_office"),
        ("under_review", "awaiting_payment", "front_office"),
        ("awaiting_payment", "in_processing", "system"),
        ("in_processing", "returned_to_citizen", "back_office"),
        ("returned_to_citizen", "in_processing", "partner"),
        ("in_processing", "approved", "back_office"),
        ("approved", "ready_for_collection", "back_office"),
        ("ready_for_collection", "delivered", "front_office"),
    ]
    completed = next(e["data"] for e in events if e["type"] == "request.completed")
    assert completed["channel"] == "partner_api"
    assert (completed["fee_piasters"], completed["paid_piasters"]) == (due, due + 250)
    assert completed["sla_met"] is True
