"""The delivery-receipt webhook: signed, mapped per provider, idempotent, never backwards."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.notification.support import (
    CITIZEN,
    FormSmsApi,
    Service,
    bulk_eg,
    bulk_eg_receipt,
    running,
    submitted,
)

QUIET_SANDBOX: dict[str, Any] = {
    "sms_providers": [
        {
            "name": "sandbox",
            "kind": "sandbox",
            "webhook_secret": "sandbox-webhook-secret-for-tests",
            "simulate_receipts": False,
        }
    ],
    "retry_base_seconds": 60,
}


async def sent_message(svc: Service) -> tuple[uuid.UUID, str]:
    await svc.deliver(submitted())
    await svc.send_due()
    message = await svc.one_message()
    assert message.state == "sent"
    assert message.provider_message_id is not None
    return message.id, message.provider_message_id


def receipt(provider_id: str, status: str) -> bytes:
    return json.dumps({"message_id": provider_id, "status": status}).encode()


@pytest.mark.parametrize(
    ("status", "state", "final", "event"),
    [
        ("delivered", "delivered", True, "notification.sms.delivered"),
        ("permanent_failure", "permanent_failure", True, "notification.sms.failed"),
        ("temporary_failure", "temporary_failure", False, None),  # resent later
        ("buffered", "sent", False, None),  # a word that means nothing to us
    ],
)
async def test_each_receipt_state_is_mapped(
    database_url: str,
    tmp_path: Path,
    status: str,
    state: str,
    final: bool,
    event: str | None,
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        message_id, provider_id = await sent_message(svc)
        response = await svc.webhook("receipts", receipt(provider_id, status))
        assert response.status_code == 200, response.text
        assert response.json() == {
            "receipts": [
                {"provider_message_id": provider_id, "message_id": str(message_id), "state": state}
            ]
        }
        message = await svc.one_message()
        assert message.state == state
        assert (message.final_at is not None) is final
        if state == "temporary_failure":
            assert message.next_attempt_at == svc.clock() + timedelta(seconds=60)
        published = [e.type for e in await svc.published() if e.type != "notification.sms.sent"]
        assert published == ([event] if event else [])


async def test_a_replayed_receipt_changes_nothing_and_answers_the_same(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        _, provider_id = await sent_message(svc)
        first = await svc.webhook("receipts", receipt(provider_id, "delivered"))
        again = await svc.webhook("receipts", receipt(provider_id, "delivered"))
        assert first.json() == again.json()
        assert len(await svc.published("notification.sms.delivered")) == 1


async def test_a_late_failure_never_undoes_a_delivery(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        _, provider_id = await sent_message(svc)
        await svc.webhook("receipts", receipt(provider_id, "delivered"))
        for status in ("temporary_failure", "permanent_failure"):
            late = await svc.webhook("receipts", receipt(provider_id, status))
            assert late.json()["receipts"][0]["state"] == "delivered"
        assert (await svc.one_message()).state == "delivered"


async def test_a_receipt_before_the_send_is_recorded_is_applied_when_it_is(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        await svc.deliver(submitted())
        message = await svc.one_message()
        provider_id = f"sbx-{message.id.hex}-1"  # what the sandbox will call it
        early = await svc.webhook("receipts", receipt(provider_id, "delivered"))
        assert early.status_code == 200
        assert early.json()["receipts"] == [
            {"provider_message_id": provider_id, "message_id": None, "state": None}
        ]
        await svc.send_due()
        assert (await svc.one_message()).state == "delivered"


@pytest.mark.parametrize(
    ("secret", "age_seconds", "reason"),
    [
        ("not-the-sandbox-secret", 0, "bad_signature"),
        ("sandbox-webhook-secret-for-tests", 301, "stale_timestamp"),
        ("sandbox-webhook-secret-for-tests", -301, "stale_timestamp"),
    ],
)
async def test_unsigned_forged_or_stale_receipts_are_refused(
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    secret: str,
    age_seconds: int,
    reason: str,
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        _, provider_id = await sent_message(svc)
        response = await svc.webhook(
            "receipts",
            receipt(provider_id, "delivered"),
            secret=secret,
            timestamp=svc.clock() - timedelta(seconds=age_seconds),
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "webhook_unauthenticated"
        assert f"refused: {reason}" in caplog.text  # the reason is for the logs only
        unsigned = await svc.client.post(
            "/api/v1/notifications/providers/sandbox/receipts",
            content=receipt(provider_id, "delivered"),
        )
        assert (unsigned.status_code, unsigned.json()["code"]) == (401, "webhook_unauthenticated")
        assert (await svc.one_message()).state == "sent"


async def test_an_unknown_provider_answers_as_a_bad_signature_does(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        unknown = await svc.webhook("receipts", b"{}", provider="nobody")
        forged = await svc.webhook("receipts", b"{}", secret="not-the-sandbox-secret")

        def shape(response: httpx.Response) -> tuple[int, dict[str, object]]:
            body = response.json()
            body.pop("request_id", None)
            body.pop("instance", None)
            return response.status_code, body

        assert shape(unknown) == shape(forged)
        assert shape(unknown)[0] == 401
        by_query = await svc.client.get(
            "/api/v1/notifications/providers/nobody/inbound", params={"from": "x", "text": "y"}
        )
        assert shape(by_query) == shape(forged)


async def test_a_malformed_receipt(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        missing = await svc.webhook("receipts", json.dumps({"message_id": "x"}).encode())
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "status"
        garbage = await svc.webhook("receipts", b"not json")
        assert garbage.status_code == 400
        # JSON under another media type is read by the same kernel rules (was a 500: recursion).
        deep = await svc.webhook(
            "receipts", b"[" * 10_000 + b"]" * 10_000, content_type="text/plain"
        )
        assert deep.status_code == 422, deep.text
        assert deep.json()["errors"][0]["code"] == "json_too_deep"
        nul = await svc.webhook(
            "receipts", b'{"message_id": "x\\u0000"}', content_type="text/plain"
        )
        assert nul.json()["errors"][0] == {**nul.json()["errors"][0], "field": "message_id"}
        huge = await svc.webhook("receipts", b"[" + b'{"a": 1},' * 40_000 + b"{}]")
        assert (huge.status_code, huge.json()["code"]) == (413, "payload_too_large")


async def test_receipts_may_come_in_a_batch(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        await svc.deliver(submitted())
        await svc.deliver(submitted(phone="01112345678"))
        await svc.send_due()
        ids = [m.provider_message_id for m in await svc.messages()]
        body = json.dumps(
            [
                {"message_id": ids[0], "status": "delivered"},
                {"message_id": ids[1], "status": "permanent_failure"},
            ]
        ).encode()
        response = await svc.webhook("receipts", body)
        assert [r["state"] for r in response.json()["receipts"]] == [
            "delivered",
            "permanent_failure",
        ]


async def test_an_http_provider_reports_receipts_in_its_own_words(
    database_url: str, tmp_path: Path
) -> None:
    api = FormSmsApi()
    async with running(
        database_url,
        tmp_path,
        transport=httpx.MockTransport(api),
        sms_providers=[bulk_eg()],
    ) as svc:
        await svc.deliver(submitted())
        await svc.send_due()
        assert api.requests[0]["mobile"] == CITIZEN.removeprefix("+")
        message = await svc.one_message()
        assert (message.provider, message.provider_message_id) == ("bulk-eg", "880011")
        response = await bulk_eg_receipt(svc, "880011", "DELIVRD")
        assert response.json()["receipts"][0]["state"] == "delivered"
        sandbox_signed = await svc.webhook(  # another provider's secret does not do
            "receipts",
            urlencode({"SMSID": "880011", "Status": "UNDELIV"}).encode(),
            provider="bulk-eg",
        )
        assert sandbox_signed.status_code == 401
        assert (await svc.one_message()).state == "delivered"


async def test_a_late_failure_for_an_earlier_attempt_does_not_end_the_resend(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path, **QUIET_SANDBOX) as svc:
        message_id, first = await sent_message(svc)
        await svc.webhook("receipts", receipt(first, "temporary_failure"))
        svc.clock.advance(seconds=60)
        await svc.send_due()
        resent = await svc.one_message()
        assert (resent.state, resent.attempts) == ("sent", 2)
        second = resent.provider_message_id
        assert second is not None
        assert second != first

        late = await svc.webhook("receipts", receipt(first, "permanent_failure"))
        assert late.json()["receipts"] == [
            {"provider_message_id": first, "message_id": str(message_id), "state": "sent"}
        ]
        message = await svc.one_message()
        assert (message.state, message.final_at) == ("sent", None)
        assert await svc.published("notification.sms.failed") == []

        # The latest attempt's own failure does end it.
        await svc.webhook("receipts", receipt(second, "permanent_failure"))
        final = await svc.one_message()
        assert (final.state, final.error_code) == ("permanent_failure", "receipt_permanent_failure")
        assert final.final_at is not None
        assert len(await svc.published("notification.sms.failed")) == 1
