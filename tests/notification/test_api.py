"""The notifications API: sending with Idempotency-Key, reading messages, managing templates."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.notification.support import PREFIX, Service, Tokens, running, settings_for, submitted

CANCELLED: dict[str, Any] = {
    "template": "request.status_changed.cancelled",
    "to": "01012345678",
    "values": {"tracking_number": "21-26-0004217-9"},
}
# A deployment that lets partner systems send the cancellation notice (none is open by default).
OPEN: dict[str, Any] = {"partner_templates": ["request.status_changed.cancelled"]}


async def post_sms(
    svc: Service, body: dict[str, Any], headers: dict[str, str], key: str | None = None
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await svc.client.post(f"{PREFIX}/sms", json=body, headers={**headers, **extra})


def fields(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json().get("errors", [])]


async def test_a_partner_sends_from_a_template(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **OPEN) as svc:
        response = await post_sms(
            svc, {**CANCELLED, "reference": "MINISTRY-REF-1"}, svc.tokens.partner(), "key-000001"
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["state"] == "created"
        assert body["recipient"] == "+201012345678"
        assert body["body"] == "محليات: تم إلغاء طلبك رقم 21-26-0004217-9."
        assert (body["encoding"], body["segments"], body["final"]) == ("ucs2", 1, False)
        await svc.send_due()
        read = await svc.client.get(f"{PREFIX}/messages/{body['id']}", headers=svc.tokens.partner())
        assert read.json()["state"] == "delivered"
        assert read.json()["final"] is True


async def test_the_same_key_answers_the_first_result_and_a_different_body_conflicts(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **OPEN) as svc:
        partner = svc.tokens.partner()
        first = await post_sms(svc, CANCELLED, partner, "key-000002")
        again = await post_sms(svc, CANCELLED, partner, "key-000002")
        assert (again.status_code, again.json()) == (201, first.json())
        other = await post_sms(svc, {**CANCELLED, "to": "01112345678"}, partner, "key-000002")
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
        elsewhere = await post_sms(
            svc, CANCELLED, svc.tokens.partner(subject="other"), "key-000002"
        )
        assert elsewhere.status_code == 201  # keys belong to their caller
        assert elsewhere.json()["id"] != first.json()["id"]
        assert len(await svc.messages()) == 2


async def test_sending_needs_the_scope_and_a_key(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **OPEN) as svc:
        assert (await post_sms(svc, CANCELLED, {}, "key-000003")).status_code == 401
        no_scope = await post_sms(
            svc, CANCELLED, svc.tokens.partner(scope="requests:status"), "key-000003"
        )
        assert (no_scope.status_code, no_scope.json()["code"]) == (403, "insufficient_scope")
        citizen = svc.tokens.bearer(("citizen", "EG"), kind="citizen")
        assert (await post_sms(svc, CANCELLED, citizen, "key-000003")).status_code == 403
        admin = await post_sms(svc, CANCELLED, svc.tokens.admin(), "key-000003")
        assert admin.status_code == 201
        keyless = await post_sms(svc, CANCELLED, svc.tokens.partner())
        assert (keyless.status_code, keyless.json()["code"]) == (400, "idempotency_key_invalid")
        assert fields(keyless) == ["Idempotency-Key"]
        assert len(await svc.messages()) == 1


async def test_bad_input_is_422_naming_the_field(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **OPEN) as svc:
        partner = svc.tokens.partner()
        cases = [
            ({**CANCELLED, "to": "0223456789"}, "validation_failed", ["to"]),
            ({**CANCELLED, "values": {}}, "missing_values", ["values.tracking_number"]),
            (
                {**CANCELLED, "values": {"tracking_number": "x", "amount": "5"}},
                "unused_values",
                ["values.amount"],
            ),
            (
                {**CANCELLED, "template": "identity.otp.requested"},
                "template_not_sendable",
                ["template"],
            ),
            (
                {**CANCELLED, "values": {"tracking_number": "ط" * 400}},
                "message_too_long",
                ["values"],
            ),
            ({**CANCELLED, "priority": "high"}, "validation_failed", ["priority"]),
            ({**CANCELLED, "template": "Not A Key"}, "validation_failed", ["template"]),
        ]
        for body, code, named in cases:
            response = await post_sms(svc, body, partner, uuid.uuid4().hex)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["code"] == code
            assert fields(response) == named
        unknown = {**CANCELLED, "template": "request.nothing_here"}
        response = await post_sms(svc, unknown, svc.tokens.admin(), uuid.uuid4().hex)
        assert (response.json()["code"], fields(response)) == ("unknown_template", ["template"])
        assert await svc.messages() == []


async def test_partners_send_only_the_templates_opened_to_them(
    database_url: str, tmp_path: Path
) -> None:
    approved = {
        "template": "request.status_changed.approved",
        "to": "01012345678",
        "values": {"tracking_number": "21-26-0004217-9"},
    }
    async with running(database_url, tmp_path) as svc:  # nothing open to partners
        for body in (CANCELLED, approved, {**CANCELLED, "template": "request.nothing_here"}):
            refused = await post_sms(svc, body, svc.tokens.partner(), uuid.uuid4().hex)
            assert (refused.status_code, refused.json()["code"]) == (422, "template_not_sendable")
            assert refused.json()["errors"][0] == {
                "field": "template",
                "location": "body",
                "code": "not_for_partners",
                "message": "this template is not open to partner systems",
            }
        admin = await post_sms(svc, CANCELLED, svc.tokens.admin(), uuid.uuid4().hex)
        assert admin.status_code == 201  # the platform's own staff may
        assert len(await svc.messages()) == 1
    async with running(database_url, tmp_path, **OPEN) as svc:
        assert (
            await post_sms(svc, CANCELLED, svc.tokens.partner(), "key-open-1")
        ).status_code == 201
        still = await post_sms(svc, approved, svc.tokens.partner(), "key-open-2")
        assert (still.status_code, still.json()["code"]) == (422, "template_not_sendable")


def test_platform_templates_cannot_be_opened_to_partners(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path)
    for key in ("identity.otp.requested", "inbound.reply.status", "Not A Key"):
        with pytest.raises(ValidationError, match="partner_templates"):
            settings_for("sqlite+aiosqlite://", tokens, partner_templates=[key])


async def test_who_may_read_a_message(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **OPEN) as svc:
        sent = await post_sms(
            svc, {**CANCELLED, "reference": "REF-9"}, svc.tokens.partner(), "key-000004"
        )
        own = sent.json()["id"]
        await svc.deliver(submitted())
        event_message = await svc.one_message(kind="event")
        tokens = svc.tokens

        async def status(message_id: object, headers: dict[str, str]) -> int:
            return (
                await svc.client.get(f"{PREFIX}/messages/{message_id}", headers=headers)
            ).status_code

        assert await status(own, tokens.partner()) == 200
        assert await status(own, tokens.partner(subject="someone-else")) == 404
        assert await status(own, tokens.admin()) == 200
        giza = tokens.bearer(("front_office", "21"))
        alexandria = tokens.bearer(("front_office", "02"))
        assert await status(event_message.id, giza) == 200  # 21-03-F01 is in Giza
        assert await status(event_message.id, alexandria) == 404
        assert await status(own, giza) == 404
        assert await status(uuid.uuid4(), tokens.admin()) == 404

        by_ref = await svc.client.get(
            f"{PREFIX}/messages", params={"reference": "21-26-0004217-9"}, headers=giza
        )
        assert [m["id"] for m in by_ref.json()["items"]] == [str(event_message.id)]
        hidden = await svc.client.get(
            f"{PREFIX}/messages", params={"reference": "21-26-0004217-9"}, headers=alexandria
        )
        assert hidden.json()["items"] == []
        mine = await svc.client.get(
            f"{PREFIX}/messages", params={"reference": "REF-9"}, headers=tokens.partner()
        )
        assert [m["id"] for m in mine.json()["items"]] == [own]


async def test_templates_are_versioned_and_the_latest_active_is_used(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        admin = svc.tokens.admin()
        url = f"{PREFIX}/templates/request.submitted/ar"
        listed = await svc.client.get(f"{PREFIX}/templates", headers=admin)
        keys = {(t["key"], t["language"]) for t in listed.json()["items"]}
        assert {
            ("request.submitted", "ar"),
            ("request.submitted", "en"),
            ("identity.otp.requested", "ar"),
        } <= keys

        new_text = "محليات: استلمنا طلبك {tracking_number}."
        changed = await svc.client.put(url, json={"body": new_text}, headers=admin)
        assert changed.status_code == 201
        assert (changed.json()["version"], changed.json()["placeholders"]) == (
            2,
            ["tracking_number"],
        )
        unchanged = await svc.client.put(url, json={"body": new_text}, headers=admin)
        assert (unchanged.status_code, unchanged.json()["version"]) == (200, 2)

        await svc.deliver(submitted())
        first = await svc.one_message()
        assert (first.template_version, first.body) == (2, "محليات: استلمنا طلبك 21-26-0004217-9.")

        off = await svc.client.patch(f"{url}/versions/2", json={"active": False}, headers=admin)
        assert off.json()["active"] is False
        await svc.deliver(submitted())
        second = (await svc.messages())[-1]
        assert second.template_version == 1  # back to the version before

        versions = await svc.client.get(f"{PREFIX}/templates/request.submitted", headers=admin)
        assert [(t["language"], t["version"], t["active"]) for t in versions.json()["items"]] == [
            ("ar", 1, True),
            ("ar", 2, False),
            ("en", 1, True),
        ]


async def test_template_changes_are_checked_and_admin_only(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        admin = svc.tokens.admin()
        base = f"{PREFIX}/templates"
        bad = await svc.client.put(
            f"{base}/request.submitted/ar", json={"body": "طلب {Number"}, headers=admin
        )
        assert (bad.status_code, fields(bad)) == (422, ["body"])
        no_code = await svc.client.put(
            f"{base}/identity.otp.requested/en", json={"body": "Your code is ready"}, headers=admin
        )
        assert (no_code.status_code, fields(no_code)) == (422, ["body"])
        wrong_language = await svc.client.put(
            f"{base}/request.submitted/fr", json={"body": "x"}, headers=admin
        )
        assert wrong_language.status_code == 422
        staff = svc.tokens.bearer(("centre_manager", "EG"))
        refused = await svc.client.put(
            f"{base}/request.submitted/ar", json={"body": "x"}, headers=staff
        )
        assert refused.status_code == 403
        assert (await svc.client.get(f"{base}/nothing.here", headers=admin)).status_code == 404


async def test_a_template_change_honours_an_idempotency_key(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        headers = {**svc.tokens.admin(), "Idempotency-Key": "change-2026-11-24"}
        url = f"{PREFIX}/templates/payment.succeeded/ar"
        first = await svc.client.put(url, json={"body": "تم سداد {amount}."}, headers=headers)
        again = await svc.client.put(url, json={"body": "تم سداد {amount}."}, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert first.json() == again.json()
        assert again.headers["idempotent-replayed"] == "true"
        other = await svc.client.put(url, json={"body": "سداد {amount}."}, headers=headers)
        assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")


async def test_a_preview_shows_text_encoding_and_segments(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        response = await svc.client.post(
            f"{PREFIX}/templates/request.submitted/ar/preview",
            json={"values": {"tracking_number": "21-26-0004217-9", "service_name": "ترخيص بناء"}},
            headers=svc.tokens.admin(),
        )
        preview = response.json()
        assert (preview["encoding"], preview["segments"], preview["length"]) == ("ucs2", 2, 110)
        assert "".join(preview["parts"]) == preview["body"]
        missing = await svc.client.post(
            f"{PREFIX}/templates/request.submitted/ar/preview",
            json={"values": {}},
            headers=svc.tokens.admin(),
        )
        assert fields(missing) == ["values.service_name", "values.tracking_number"]
