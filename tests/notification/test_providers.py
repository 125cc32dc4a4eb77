"""Providers: the configurable HTTP provider against fakes of Egyptian bulk-SMS APIs; failover."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from notification_service.models import SmsAttempt
from notification_service.providers.base import OutgoingSms, SendResult
from notification_service.providers.http import HttpProvider, dotted
from notification_service.providers.pool import ProviderPool
from notification_service.providers.sandbox import SandboxProvider
from notification_service.settings import HttpProviderSettings, NotificationSettings
from tests.notification.support import (
    CITIZEN,
    FORM_API,
    NOON_CAIRO,
    FormSmsApi,
    running,
    status_changed,
    submitted,
)
from tests.support.clock import FakeClock


def sms(text: str = "محليات: طلبك قيد المراجعة", to: str = CITIZEN) -> OutgoingSms:
    encoding = "ucs2" if any(ord(c) > 127 for c in text) else "gsm7"
    return OutgoingSms(uuid.uuid4(), to, text, "Mahaliyat", encoding, 1, "ar")  # type: ignore[arg-type]


# --- a form-based API answering with a result code (the common Egyptian shape) -----------------


def form_provider(api: FormSmsApi) -> HttpProvider:
    config = HttpProviderSettings(
        name="bulk-eg",
        webhook_secret=SecretStr("bulk-eg-webhook-secret"),
        url=FORM_API,
        body_format="form",
        fields={
            "environment": 1,
            "username": "mahaliyat",
            "sender": "{sender}",
            "mobile": "{to_digits}",
            "language": "{encoding}",
            "message": "{text}",
        },
        secret_fields={"password": SecretStr("p@ss-w0rd-for-tests")},
        value_maps={"encoding": {"gsm7": "1", "ucs2": "2"}},
        result_field="code",
        result_outcomes={
            "1901": "sent",
            "1903": "technical_failure",  # our credentials: another provider may work
            "1905": "permanent_failure",  # invalid mobile
            "1906": "technical_failure",  # out of credit
            "1907": "temporary_failure",  # gateway updating
        },
        message_id_field="SMSID",
    )
    return HttpProvider(config, sender_name="Mahaliyat", transport=httpx.MockTransport(api))


async def test_the_form_api_gets_the_mapped_fields_and_its_id_is_kept() -> None:
    api = FormSmsApi()
    provider = form_provider(api)
    result = await provider.send(sms())
    assert result == SendResult("sent", "880011")
    assert api.requests == [
        {
            "environment": "1",
            "username": "mahaliyat",
            "password": "p@ss-w0rd-for-tests",
            "sender": "Mahaliyat",
            "mobile": "201012345678",
            "language": "2",  # Arabic goes as Unicode
            "message": "محليات: طلبك قيد المراجعة",
        }
    ]
    await provider.send(sms("Your application is under review"))
    assert api.requests[-1]["language"] == "1"
    await provider.close()


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("1905", "permanent_failure"),
        ("1906", "technical_failure"),
        ("1907", "temporary_failure"),
        ("1999", "technical_failure"),  # unknown codes are the provider's problem
    ],
)
async def test_result_codes_map_to_outcomes(code: str, outcome: str) -> None:
    api = FormSmsApi()
    api.next_code = code
    result = await form_provider(api).send(sms())
    assert (result.outcome, result.error_code, result.provider_message_id) == (
        outcome,
        f"result_{code}",
        None,
    )


# --- a JSON API with a bearer token ---------------------------------------------------------

JSON_API = "https://api.messaging.example.eg/sms/v1/messages"


def json_api(status: int = 200, reply: dict[str, Any] | None = None) -> Callable[..., Any]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("authorization") != "Bearer token-for-tests-only":
            return httpx.Response(401, json={"replyCode": 401})
        if status != 200:
            return httpx.Response(status, json={"replyCode": status})
        return httpx.Response(
            200, json=reply or {"replyCode": 0, "data": {"SentSMSIDs": [{"SMSId": "c-77"}]}}
        )

    handler.seen = seen  # type: ignore[attr-defined]
    return handler


def json_provider(handler: Callable[..., Any], token: str = "token-for-tests-only") -> HttpProvider:
    config = HttpProviderSettings(
        name="json-eg",
        webhook_secret=SecretStr("json-eg-webhook-secret"),
        url=JSON_API,
        auth_header="Authorization",
        auth_value=SecretStr(f"Bearer {token}"),
        fields={
            "senderName": "{sender}",
            "messageType": "text",
            "recipients": "{to_digits}",
            "messageText": "{text}",
            "clientReference": "{message_id}",
        },
        result_field="replyCode",
        result_outcomes={"0": "sent"},
        message_id_field="data.SentSMSIDs.0.SMSId",
    )
    return HttpProvider(config, sender_name="Mahaliyat", transport=httpx.MockTransport(handler))


def reference_provider(seen: list[dict[str, Any]]) -> HttpProvider:
    """A JSON API that returns no id of its own: it echoes our reference in its receipts."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(202, json={"accepted": True})

    config = HttpProviderSettings(
        name="echo-eg",
        webhook_secret=SecretStr("echo-eg-webhook-secret"),
        url=JSON_API,
        fields={"to": "{to_digits}", "text": "{text}", "client_ref": "{reference}"},
    )
    return HttpProvider(config, sender_name="Mahaliyat", transport=httpx.MockTransport(handler))


async def test_every_attempt_has_its_own_reference() -> None:
    seen: list[dict[str, Any]] = []
    provider = reference_provider(seen)
    first = sms()
    resend = dataclasses.replace(first, attempt=2)
    results = [await provider.send(first), await provider.send(resend)]
    assert [r.provider_message_id for r in results] == [
        f"{first.message_id}-1",
        f"{first.message_id}-2",
    ]
    assert [body["client_ref"] for body in seen] == [r.provider_message_id for r in results]


def test_a_provider_echoing_only_the_message_id_is_refused() -> None:
    with pytest.raises(ValidationError, match="reference"):
        HttpProviderSettings(
            name="echo-eg",
            webhook_secret=SecretStr("echo-eg-webhook-secret"),
            url=JSON_API,
            fields={"to": "{to_digits}", "text": "{text}", "client_ref": "{message_id}"},
        )


async def test_the_json_api_gets_a_bearer_token_and_a_json_body() -> None:
    handler = json_api()
    message = sms()
    assert await json_provider(handler).send(message) == SendResult("sent", "c-77")
    [request] = handler.seen  # type: ignore[attr-defined]
    assert json.loads(request.content) == {
        "senderName": "Mahaliyat",
        "messageType": "text",
        "recipients": "201012345678",
        "messageText": "محليات: طلبك قيد المراجعة",
        "clientReference": str(message.message_id),
    }


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (429, "temporary_failure"),
        (400, "permanent_failure"),
        (500, "technical_failure"),
        (503, "technical_failure"),
    ],
)
async def test_http_statuses_map_to_outcomes(status: int, outcome: str) -> None:
    result = await json_provider(json_api(status)).send(sms())
    assert (result.outcome, result.error_code) == (outcome, f"http_{status}")


async def test_refused_credentials_are_a_technical_failure() -> None:
    result = await json_provider(json_api(), token="expired").send(sms())
    assert (result.outcome, result.error_code) == ("technical_failure", "http_401")


async def test_network_errors_and_timeouts_are_technical_failures() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    assert (await json_provider(down).send(sms())).error_code == "unreachable"
    assert (await json_provider(slow).send(sms())).error_code == "timeout"


async def test_an_unreadable_answer_is_a_technical_failure() -> None:
    def html(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    result = await json_provider(html).send(sms())
    assert (result.outcome, result.error_code) == ("technical_failure", "unreadable_answer")


def test_dotted_paths() -> None:
    document = {"data": {"ids": [{"id": 5}, {"id": 6}]}}
    assert dotted(document, "data.ids.1.id") == 6
    assert dotted(document, "data.ids.7.id") is None
    assert dotted(document, "data.missing") is None


def test_providers_are_configured_from_json_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "MAHALIYAT_NOTIFICATION_SMS_PROVIDERS",
        json.dumps(
            [
                {
                    "name": "bulk-eg",
                    "kind": "http",
                    "url": FORM_API,
                    "body_format": "form",
                    "webhook_secret": "bulk-eg-webhook-secret",
                    "fields": {"mobile": "{to_digits}", "message": "{text}"},
                    "result_field": "code",
                    "result_outcomes": {"1901": "sent"},
                },
                {"name": "sandbox", "kind": "sandbox", "webhook_secret": "x" * 20},
            ]
        ),
    )
    settings = NotificationSettings()
    assert [p.name for p in settings.sms_providers] == ["bulk-eg", "sandbox"]
    first = settings.sms_providers[0]
    assert isinstance(first, HttpProviderSettings)
    assert first.result_outcomes == {"1901": "sent"}


def test_production_refuses_development_secrets_and_the_sandbox() -> None:
    with pytest.raises(ValidationError, match="otp_delivery_key"):
        NotificationSettings(environment="production")
    strong: dict[str, Any] = {
        "otp_delivery_key": "a-real-shared-key-of-some-length",
        "service_client_secret": "a-real-client-secret-of-length",
    }
    with pytest.raises(ValidationError, match="sandbox provider"):
        NotificationSettings(
            environment="production",
            sms_providers=[{"name": "sandbox", "kind": "sandbox", "webhook_secret": "w" * 32}],
            **strong,
        )
    with pytest.raises(ValidationError, match="webhook_secret"):
        NotificationSettings(environment="staging", **strong)  # the dev sandbox secret
    NotificationSettings(
        environment="staging",
        sms_providers=[{"name": "sandbox", "kind": "sandbox", "webhook_secret": "w" * 32}],
        **strong,
    )


# --- failover ---------------------------------------------------------------------------------


class ScriptedProvider:
    """A provider answering from a script (its last answer repeats)."""

    def __init__(self, name: str, *outcomes: str) -> None:
        self.name = name
        self.outcomes = list(outcomes)
        self.calls = 0

    async def send(self, message: OutgoingSms) -> SendResult:
        outcome = self.outcomes[min(self.calls, len(self.outcomes) - 1)]
        self.calls += 1
        if outcome == "sent":
            return SendResult("sent", f"{self.name}-{self.calls}")
        return SendResult(outcome, None, "scripted")  # type: ignore[arg-type]

    async def close(self) -> None:
        return None


def pool_of(
    *providers: ScriptedProvider, clock: FakeClock, temporary_threshold: int = 0
) -> ProviderPool:
    return ProviderPool(
        providers,
        clock=clock,
        failure_threshold=3,
        temporary_threshold=temporary_threshold,
        cooldown=timedelta(minutes=5),
    )


async def test_a_technical_failure_fails_over_to_the_next_provider() -> None:
    primary = ScriptedProvider("primary", "technical_failure")
    backup = ScriptedProvider("backup", "sent")
    result = await pool_of(primary, backup, clock=FakeClock(NOON_CAIRO)).send(sms())
    assert (result.provider, result.result.outcome) == ("backup", "sent")
    assert [name for name, _ in result.tried] == ["primary", "backup"]


@pytest.mark.parametrize("outcome", ["temporary_failure", "permanent_failure"])
async def test_message_failures_do_not_fail_over(outcome: str) -> None:
    primary = ScriptedProvider("primary", outcome)
    backup = ScriptedProvider("backup", "sent")
    result = await pool_of(primary, backup, clock=FakeClock(NOON_CAIRO)).send(sms())
    assert (result.provider, result.result.outcome) == ("primary", outcome)
    assert backup.calls == 0


async def test_a_failing_provider_is_demoted_then_tried_again_after_the_cool_down() -> None:
    clock = FakeClock(NOON_CAIRO)
    primary = ScriptedProvider(
        "primary", "technical_failure", "technical_failure", "technical_failure", "sent"
    )
    backup = ScriptedProvider("backup", "sent")
    pool = pool_of(primary, backup, clock=clock)
    for _ in range(3):
        assert (await pool.send(sms())).provider == "backup"
    assert pool.is_demoted("primary")
    assert [p.name for p in pool.order()] == ["backup", "primary"]

    for _ in range(5):  # while demoted, the primary is not asked
        assert (await pool.send(sms())).provider == "backup"
    assert primary.calls == 3

    clock.advance(minutes=5)
    assert not pool.is_demoted("primary")
    assert (await pool.send(sms())).provider == "primary"  # back in its place, and healthy
    assert pool.health["primary"].consecutive_failures == 0
    assert [p.name for p in pool.order()] == ["primary", "backup"]


async def test_after_the_cool_down_one_more_failure_demotes_again() -> None:
    clock = FakeClock(NOON_CAIRO)
    primary = ScriptedProvider("primary", "technical_failure")
    backup = ScriptedProvider("backup", "sent")
    pool = pool_of(primary, backup, clock=clock)
    for _ in range(3):
        await pool.send(sms())
    clock.advance(minutes=5, seconds=1)
    await pool.send(sms())
    assert primary.calls == 4
    assert pool.is_demoted("primary")


async def test_when_every_provider_fails_the_demoted_ones_are_still_tried() -> None:
    clock = FakeClock(NOON_CAIRO)
    primary = ScriptedProvider(
        "primary", "technical_failure", "technical_failure", "technical_failure", "sent"
    )
    backup = ScriptedProvider("backup", "technical_failure")
    pool = pool_of(primary, backup, clock=clock)
    for _ in range(3):
        assert (await pool.send(sms())).result.outcome == "technical_failure"
    assert pool.is_demoted("primary")
    assert pool.is_demoted("backup")
    assert (await pool.send(sms())).provider == "primary"  # last resort, in priority order


async def test_a_provider_that_keeps_throttling_is_demoted_and_the_backup_takes_over() -> None:
    clock = FakeClock(NOON_CAIRO)
    primary = ScriptedProvider("primary", *["temporary_failure"] * 3, "sent")
    backup = ScriptedProvider("backup", "sent")
    pool = pool_of(primary, backup, clock=clock, temporary_threshold=3)
    first, second = await pool.send(sms()), await pool.send(sms())
    # Throttled messages wait for a retry; the backup is not bothered yet.
    assert [(r.provider, r.result.outcome) for r in (first, second)] == [
        ("primary", "temporary_failure"),
        ("primary", "temporary_failure"),
    ]
    assert backup.calls == 0
    third = await pool.send(sms())  # the third in a row demotes it: this one moves on at once
    assert (third.provider, third.result.outcome) == ("backup", "sent")
    assert [name for name, _ in third.tried] == ["primary", "backup"]
    assert pool.is_demoted("primary")
    for _ in range(4):
        assert (await pool.send(sms())).provider == "backup"
    assert primary.calls == 3
    clock.advance(minutes=5)
    assert (await pool.send(sms())).provider == "primary"  # recovered, back in its place
    assert pool.health["primary"].consecutive_temporary == 0


async def test_a_success_in_between_clears_the_temporary_count() -> None:
    primary = ScriptedProvider(
        "primary", "temporary_failure", "temporary_failure", "sent", "temporary_failure"
    )
    backup = ScriptedProvider("backup", "sent")
    pool = pool_of(primary, backup, clock=FakeClock(NOON_CAIRO), temporary_threshold=3)
    for _ in range(4):
        assert (await pool.send(sms())).provider == "primary"
    assert not pool.is_demoted("primary")
    assert backup.calls == 0


async def test_temporary_failures_never_demote_when_the_threshold_is_zero() -> None:
    primary = ScriptedProvider("primary", "temporary_failure")
    backup = ScriptedProvider("backup", "sent")
    pool = pool_of(primary, backup, clock=FakeClock(NOON_CAIRO), temporary_threshold=0)
    for _ in range(10):
        assert (await pool.send(sms())).result.outcome == "temporary_failure"
    assert not pool.is_demoted("primary")
    assert backup.calls == 0


async def test_a_throttled_message_is_retried_when_the_backup_is_down_too() -> None:
    primary = ScriptedProvider("primary", "temporary_failure")
    backup = ScriptedProvider("backup", "technical_failure")
    pool = pool_of(primary, backup, clock=FakeClock(NOON_CAIRO), temporary_threshold=1)
    result = await pool.send(sms())
    assert [name for name, _ in result.tried] == ["primary", "backup"]
    # Not the backup's technical failure: the message waits for a retry as throttled.
    assert (result.provider, result.result.outcome) == ("primary", "temporary_failure")


async def test_the_sender_fails_over_and_records_every_attempt(
    database_url: str, tmp_path: Path
) -> None:
    down = ScriptedProvider("primary", "technical_failure")
    sandbox = SandboxProvider("sandbox")
    limit: dict[str, Any] = {"recipient_total_per_hour": 2}
    async with running(database_url, tmp_path, providers=[down, sandbox], **limit) as svc:
        await svc.deliver(submitted())
        await svc.send_due()
        message = await svc.one_message()
        assert (message.state, message.provider) == ("delivered", "sandbox")
        assert message.provider_message_id == sandbox.sent[0].provider_message_id
        async with svc.database.read() as session:
            attempts = (
                await session.execute(
                    select(SmsAttempt.provider, SmsAttempt.outcome, SmsAttempt.number)
                )
            ).all()
        assert sorted(attempts) == [("primary", "technical_failure", 1), ("sandbox", "sent", 1)]
        # One hand-over reached the phone, however many providers were asked: a second
        # message this hour still goes under a limit of two.
        await svc.deliver(status_changed("approved"))
        await svc.send_due()
        assert len(sandbox.messages_to(CITIZEN)) == 2
