"""Webhook authentication per provider: HMAC, shared token, basic auth, a source allow-list; GET
query strings as well as POST forms and JSON; replays of timestamp-less webhooks change nothing."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import ValidationError

from notification_service.domain.signatures import signature
from notification_service.services import replays
from notification_service.settings import SandboxProviderSettings
from tests.notification.support import (
    CITIZEN,
    PREFIX,
    FormSmsApi,
    Service,
    bulk_eg,
    running,
    submitted,
)
from tests.notification.test_inbound import FakePlatform

TOKEN = "bulk-eg-callback-token-3f9a1c77e2b0"
PASSWORD = "bulk-eg-callback-password-7d41"
RECEIPTS = f"{PREFIX}/providers/bulk-eg/receipts"
INBOUND = f"{PREFIX}/providers/bulk-eg/inbound"
INBOUND_FIELDS: dict[str, Any] = {
    "inbound_format": "form",
    "inbound_from_field": "mobile",
    "inbound_text_field": "msg",
    "inbound_id_field": None,  # this gateway numbers nothing: only the replay store guards
}


def provider(**auth: Any) -> dict[str, Any]:
    return bulk_eg(webhook_secret=auth.pop("secret", TOKEN), **INBOUND_FIELDS, **auth)


def gateway(database_url: str, tmp_path: Path, config: dict[str, Any], **overrides: Any) -> Any:
    """The service with bulk-eg in front, and identity/request fakes for inbound inquiries."""
    api, platform = FormSmsApi(), FakePlatform()

    def route(request: httpx.Request) -> httpx.Response:
        return platform(request) if request.url.host.endswith(".test") else api(request)

    return running(
        database_url,
        tmp_path,
        transport=httpx.MockTransport(route),
        sms_providers=[config],
        service_client_secret="client-secret-for-tests",
        **overrides,
    )


async def sent(svc: Service) -> uuid.UUID:
    await svc.deliver(submitted())
    await svc.send_due()
    message = await svc.one_message()
    assert (message.state, message.provider_message_id) == ("sent", "880011")
    return message.id


def refused(response: httpx.Response) -> bool:
    return (
        response.status_code == 401
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["code"] == "webhook_unauthenticated"
    )


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# --- shared token -------------------------------------------------------------------------------


async def test_a_token_in_the_query_string_with_a_get_receipt(
    database_url: str, tmp_path: Path
) -> None:
    config = provider(webhook_auth="token", webhook_token_param="key")
    async with gateway(database_url, tmp_path, config) as svc:
        message_id = await sent(svc)
        for wrong in ({}, {"key": "guess"}, {"key": TOKEN[:-1]}):
            response = await svc.client.get(
                RECEIPTS, params={**wrong, "SMSID": "880011", "Status": "DELIVRD"}
            )
            assert refused(response), response.text
        assert (await svc.one_message()).state == "sent"

        response = await svc.client.get(
            RECEIPTS, params={"key": TOKEN, "SMSID": "880011", "Status": "DELIVRD"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["receipts"] == [
            {"provider_message_id": "880011", "message_id": str(message_id), "state": "delivered"}
        ]
        assert (await svc.one_message()).state == "delivered"


async def test_a_token_in_a_header_with_a_json_receipt(database_url: str, tmp_path: Path) -> None:
    config = provider(webhook_auth="token", webhook_token_header="X-Api-Key")
    async with gateway(database_url, tmp_path, config) as svc:
        await sent(svc)
        body = {"SMSID": 880011, "Status": "UNDELIV"}  # a number in JSON, text in our records
        wrong = await svc.client.post(RECEIPTS, json=body, headers={"X-Api-Key": "guess"})
        in_query = await svc.client.post(RECEIPTS, params={"X-Api-Key": TOKEN}, json=body)
        assert refused(wrong)
        assert refused(in_query)  # only where it is configured
        response = await svc.client.post(RECEIPTS, json=body, headers={"X-Api-Key": TOKEN})
        assert response.json()["receipts"][0]["state"] == "permanent_failure"


async def test_a_replayed_token_receipt_has_no_second_effect(
    database_url: str, tmp_path: Path
) -> None:
    config = provider(webhook_auth="token", webhook_token_param="key")
    async with gateway(database_url, tmp_path, config, retry_base_seconds=60) as svc:
        message_id = await sent(svc)
        expired = {"key": TOKEN, "SMSID": "880011", "Status": "EXPIRED"}
        first = await svc.client.get(RECEIPTS, params=expired)
        assert first.json()["receipts"][0]["state"] == "temporary_failure"
        svc.clock.advance(seconds=60)
        await svc.send_due()  # resent; the same gateway id again (this gateway repeats them)
        [resent] = await svc.messages()
        assert (resent.state, resent.attempts) == ("sent", 2)

        # The same payload again, as a form this time: recognised, nothing applied.
        replay = await svc.client.post(
            RECEIPTS,
            params={"key": TOKEN},
            content=urlencode({"Status": "EXPIRED", "SMSID": "880011"}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert replay.status_code == 200
        assert replay.json()["receipts"] == [
            {"provider_message_id": "880011", "message_id": str(message_id), "state": "sent"}
        ]
        assert (await svc.one_message()).state == "sent"


async def test_a_bearer_token_in_the_authorization_header(
    database_url: str, tmp_path: Path
) -> None:
    config = provider(webhook_auth="token", webhook_token_header="Authorization")
    async with gateway(database_url, tmp_path, config) as svc:
        await sent(svc)
        body = {"SMSID": "880011", "Status": "DELIVRD"}
        wrong = await svc.client.post(RECEIPTS, json=body, headers={"Authorization": "Bearer x"})
        assert refused(wrong)
        response = await svc.client.post(
            RECEIPTS, json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert response.json()["receipts"][0]["state"] == "delivered"


# --- basic auth ---------------------------------------------------------------------------------


async def test_basic_auth_with_a_form_receipt(database_url: str, tmp_path: Path) -> None:
    config = provider(webhook_auth="basic", webhook_username="vas-eg", secret=PASSWORD)
    async with gateway(database_url, tmp_path, config) as svc:
        await sent(svc)
        form = {"SMSID": "880011", "Status": "DELIVRD"}
        for headers in ({}, basic("vas-eg", "guess"), basic("other", PASSWORD)):
            assert refused(await svc.client.post(RECEIPTS, data=form, headers=headers))
        response = await svc.client.post(RECEIPTS, data=form, headers=basic("vas-eg", PASSWORD))
        assert response.json()["receipts"][0]["state"] == "delivered"


# --- source addresses ---------------------------------------------------------------------------


async def test_only_listed_addresses_may_call_as_our_gateway_sees_them(
    database_url: str, tmp_path: Path
) -> None:
    config = provider(
        webhook_auth="token",
        webhook_token_header="X-Api-Key",
        webhook_allowed_ips=["41.33.10.0/24", "196.219.4.4"],
    )
    async with gateway(database_url, tmp_path, config, trusted_proxy_hops=1) as svc:
        await sent(svc)
        body = {"SMSID": "880011", "Status": "DELIVRD"}
        key = {"X-Api-Key": TOKEN}
        for forwarded in (
            None,  # the socket peer (127.0.0.1) is not listed
            "10.9.8.7",
            "41.33.10.7, 10.9.8.7",  # the caller's own claim is left of what the gateway appended
        ):
            headers = key if forwarded is None else {**key, "X-Forwarded-For": forwarded}
            assert refused(await svc.client.post(RECEIPTS, json=body, headers=headers)), forwarded
        wrong_token = {"X-Api-Key": "guess", "X-Forwarded-For": "41.33.10.7"}
        assert refused(await svc.client.post(RECEIPTS, json=body, headers=wrong_token))
        assert (await svc.one_message()).state == "sent"

        allowed = {**key, "X-Forwarded-For": "10.9.8.7, 41.33.10.7"}
        response = await svc.client.post(RECEIPTS, json=body, headers=allowed)
        assert response.json()["receipts"][0]["state"] == "delivered"


# --- HMAC over a query string -------------------------------------------------------------------


async def test_an_hmac_signed_get_signs_its_query_string(database_url: str, tmp_path: Path) -> None:
    config = bulk_eg()
    async with gateway(database_url, tmp_path, config) as svc:
        await sent(svc)
        query = urlencode({"SMSID": "880011", "Status": "DELIVRD"})
        stamp = str(int(svc.clock().timestamp()))
        good = signature(config["webhook_secret"], stamp, query.encode())
        headers = {"X-Mahaliyat-Timestamp": stamp, "X-Mahaliyat-Signature": good}
        altered = query.replace("DELIVRD", "UNDELIV")
        assert refused(await svc.client.get(f"{RECEIPTS}?{altered}", headers=headers))
        response = await svc.client.get(f"{RECEIPTS}?{query}", headers=headers)
        assert response.json()["receipts"][0]["state"] == "delivered"


# --- inbound texts ------------------------------------------------------------------------------


async def test_an_inbound_text_by_get_is_answered_once_however_often_it_is_replayed(
    database_url: str, tmp_path: Path
) -> None:
    config = provider(webhook_auth="token", webhook_token_param="key")
    async with gateway(database_url, tmp_path, config, webhook_replay_window_seconds=600) as svc:
        text = {"key": TOKEN, "mobile": "201012345678", "msg": "حالة طلب ٢١،٢٦،٠٠٠٤٢١٧،٩"}
        assert refused(await svc.client.get(INBOUND, params={**text, "key": "guess"}))
        first = await svc.client.get(INBOUND, params=text)
        assert first.status_code == 200, first.text
        assert (first.json()["outcome"], first.json()["duplicate"]) == ("answered", False)

        again = await svc.client.get(INBOUND, params=text)
        as_form = await svc.client.post(
            INBOUND, params={"key": TOKEN}, data={k: v for k, v in text.items() if k != "key"}
        )
        for replay in (again, as_form):
            assert replay.json() == {**first.json(), "duplicate": True}
        assert len(await svc.messages(recipient=CITIZEN)) == 1

        # Past the window the same words are a new question (a citizen asking again next day).
        svc.clock.advance(minutes=11)
        later = await svc.client.get(INBOUND, params=text)
        assert (later.json()["outcome"], later.json()["duplicate"]) == ("answered", False)
        assert len(await svc.messages(recipient=CITIZEN)) == 2


async def test_expired_replay_keys_are_purged(database_url: str, tmp_path: Path) -> None:
    config = provider(webhook_auth="token", webhook_token_param="key")
    async with gateway(database_url, tmp_path, config, webhook_replay_window_seconds=600) as svc:
        text = {"key": TOKEN, "mobile": "201012345678", "msg": "21-26-0004217-9"}
        assert (await svc.client.get(INBOUND, params=text)).status_code == 200
        sender = svc.sender
        assert await sender.purge_replays() == 0  # still within its window
        svc.clock.advance(minutes=11)
        assert await sender.purge_replays() == 1
        async with svc.database.unit_of_work() as uow:
            assert await replays.purge(uow.session, svc.adapters, svc.clock()) == 0


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"webhook_auth": "token"}, "webhook_token_header or webhook_token_param"),
        ({"webhook_auth": "basic"}, "webhook_username"),
        ({"webhook_allowed_ips": ["41.33.10.0/33"]}, "webhook_allowed_ips"),
    ],
)
def test_incomplete_webhook_settings_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SandboxProviderSettings(name="sandbox", webhook_secret="x" * 32, **fields)


async def test_hmac_stays_the_default(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path, bulk_eg()) as svc:
        await sent(svc)
        unsigned = await svc.client.get(RECEIPTS, params={"SMSID": "880011", "Status": "DELIVRD"})
        assert refused(unsigned)
        stale = svc.clock() - timedelta(minutes=6)
        body = json.dumps({"SMSID": "880011", "Status": "DELIVRD"}).encode()
        old = await svc.webhook(
            "receipts",
            body,
            provider="bulk-eg",
            secret=bulk_eg()["webhook_secret"],
            timestamp=stale,
        )
        assert refused(old)
