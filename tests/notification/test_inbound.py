"""Status inquiry by SMS, against fakes of identity (token endpoint) and request-service (inquiry)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from notification_service.providers.inquiry import (
    InquiryUnavailable,
    RequestStatus,
    ServiceToken,
)
from tests.notification.support import CITIZEN, TRACKING, Service, running
from tests.support.clock import FakeClock

STRANGER = "+201198765432"
APPLICATION = {
    "tracking_number": str(TRACKING),
    "state": "awaiting_payment",
    "service_name": {"ar": "ترخيص بناء", "en": "Building permit"},
    "applicant_phone": CITIZEN,
    "language": "ar",
    "updated_at": "2026-11-24T08:00:00+00:00",
    "due_at": "2026-12-08T10:00:00+00:00",
    "next_step": {
        "ar": "سدد الرسوم عبر البوابة أو في المركز.",
        "en": "Pay the fees on the portal or at the centre.",
    },
}


class FakePlatform:
    """identity's token endpoint and request-service's inquiry endpoint, as the contracts describe."""

    def __init__(self) -> None:
        self.applications: dict[str, dict[str, Any]] = {str(TRACKING): dict(APPLICATION)}
        self.tokens_issued: list[str] = []  # the tokens request-service accepts
        self.issued = 0
        self.inquiries: list[str] = []
        self.request_service_down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "identity.test":
            assert request.url.path == "/api/v1/identity/token"
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            assert form == {
                "grant_type": "client_credentials",
                "scope": "requests:status",
                "client_id": "notification-service",
                "client_secret": "client-secret-for-tests",
            }
            self.issued += 1
            token = f"service-token-{self.issued}"
            self.tokens_issued.append(token)
            return httpx.Response(
                200, json={"access_token": token, "token_type": "Bearer", "expires_in": 300}
            )
        assert request.url.host == "request.test"
        prefix = "/api/v1/requests/inquiry/"
        assert request.url.path.startswith(prefix)
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.tokens_issued}:
            return httpx.Response(401, json={"code": "unauthenticated"})
        if self.request_service_down:
            return httpx.Response(503, json={"code": "unavailable"})
        number = request.url.path.removeprefix(prefix)
        self.inquiries.append(number)
        found = self.applications.get(number)
        if found is None:
            return httpx.Response(
                404,
                json={"status": 404, "code": "not_found"},
                headers={"content-type": "application/problem+json"},
            )
        return httpx.Response(200, json=found)


def inbound(sender: str, text: str, provider_id: str | None = None) -> bytes:
    document: dict[str, Any] = {"from": sender, "text": text}
    if provider_id:
        document["id"] = provider_id
    return json.dumps(document, ensure_ascii=False).encode()


async def ask(
    svc: Service, sender: str, text: str, provider_id: str | None = None
) -> dict[str, Any]:
    response = await svc.webhook("inbound", inbound(sender, text, provider_id))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def reply_text(svc: Service, answer: dict[str, Any]) -> str:
    [message] = await svc.messages(id=uuid.UUID(answer["reply_message_id"]))
    return message.body


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


def service(database_url: str, tmp_path: Path, platform: FakePlatform, **overrides: Any) -> Any:
    return running(
        database_url,
        tmp_path,
        transport=httpx.MockTransport(platform),
        service_client_secret="client-secret-for-tests",
        **overrides,
    )


STATUS_REPLY_AR = (
    "محليات: طلب رقم 21-26-0004217-9 (ترخيص بناء): في انتظار السداد. "
    "سدد الرسوم عبر البوابة أو في المركز."
)


@pytest.mark.parametrize(
    "text",
    [
        "حالة طلب ٢١-٢٦-٠٠٠٤٢١٧-٩ لو سمحت",
        "٢١٢٦٠٠٠٤٢١٧٩",
        "21 26 0004217 9",
        "  طلبي رقم: 21-26-0004217-9 ؟؟",
    ],
)
async def test_a_citizen_texts_a_tracking_number_and_gets_the_status(
    database_url: str, tmp_path: Path, platform: FakePlatform, text: str
) -> None:
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, "01012345678", text)
        assert answer["outcome"] == "answered"
        assert platform.inquiries == ["21-26-0004217-9"]
        assert await reply_text(svc, answer) == STATUS_REPLY_AR
        await svc.send_due()
        [sent] = svc.sandbox.messages_to(CITIZEN)
        assert sent.text == STATUS_REPLY_AR


async def test_the_reply_is_in_the_applications_language(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    platform.applications[str(TRACKING)]["language"] = "en"
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, CITIZEN, "حالة طلب ٢١-٢٦-٠٠٠٤٢١٧-٩")
        assert await reply_text(svc, answer) == (
            "Mahaliyat: application 21-26-0004217-9 (Building permit): awaiting payment. "
            "Pay the fees on the portal or at the centre."
        )


async def test_no_next_step_leaves_no_trailing_space(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    platform.applications[str(TRACKING)]["next_step"] = None
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, CITIZEN, "21-26-0004217-9")
        assert await reply_text(svc, answer) == (
            "محليات: طلب رقم 21-26-0004217-9 (ترخيص بناء): في انتظار السداد."
        )


async def test_unknown_and_not_yours_get_the_same_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    platform.applications[str(TRACKING)]["language"] = "en"  # must not show through
    async with service(database_url, tmp_path, platform) as svc:
        not_yours = await ask(svc, STRANGER, "حالة طلب ٢١-٢٦-٠٠٠٤٢١٧-٩")
        unknown = await ask(svc, STRANGER, "حالة طلب ٢١-٢٦-٠٠٠٤٢١٨-٧")  # valid, not on file
        assert platform.inquiries == ["21-26-0004217-9", "21-26-0004218-7"]
        assert not_yours["outcome"] == unknown["outcome"] == "unknown"
        first, second = await reply_text(svc, not_yours), await reply_text(svc, unknown)
        assert first == second
        assert first.startswith("محليات: لا يوجد طلب بهذا الرقم مسجل برقم هاتفك.")
        assert "awaiting" not in first
        assert "انتظار" not in first


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("حالة طلب 21-26-0004217-3", "محليات: لم نتعرف على رقم طلب صحيح"),  # bad check digit
        ("عايز أعرف حالة طلبي", "محليات: لم نتعرف على رقم طلب صحيح"),
        ("status please", "Mahaliyat: we could not find a valid tracking number"),
        ("", "محليات: لم نتعرف على رقم طلب صحيح"),
    ],
)
async def test_an_invalid_or_missing_number_gets_a_helpful_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform, text: str, starts: str
) -> None:
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, CITIZEN, text)
        assert answer["outcome"] == "invalid"
        assert (await reply_text(svc, answer)).startswith(starts)
        assert "21-26-0004217-9" in await reply_text(svc, answer)  # an example to copy
        assert platform.inquiries == []


async def test_request_service_down_gets_a_try_again_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    platform.request_service_down = True
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, CITIZEN, "21-26-0004217-9")
        assert answer["outcome"] == "unavailable"
        assert "إعادة المحاولة" in await reply_text(svc, answer)


async def test_senders_past_the_hourly_limit_get_no_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    async with service(database_url, tmp_path, platform, inbound_per_sender_per_hour=3) as svc:
        outcomes = [(await ask(svc, STRANGER, f"طلب {n}"))["outcome"] for n in range(4)]
        assert outcomes == ["invalid", "invalid", "invalid", "limited"]
        assert len(await svc.messages(recipient=STRANGER)) == 3
        assert (await ask(svc, CITIZEN, "21-26-0004217-9"))["outcome"] == "answered"
        svc.clock.advance(minutes=61)
        assert (await ask(svc, STRANGER, "طلب"))["outcome"] == "invalid"


async def test_a_provider_resending_the_same_text_gets_one_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    async with service(database_url, tmp_path, platform) as svc:
        first = await ask(svc, CITIZEN, "21-26-0004217-9", provider_id="mo-1")
        again = await ask(svc, CITIZEN, "21-26-0004217-9", provider_id="mo-1")
        assert again["duplicate"] is True
        assert again["reply_message_id"] == first["reply_message_id"]
        assert len(await svc.messages()) == 1
        assert platform.inquiries == ["21-26-0004217-9"]


async def test_a_sender_that_is_not_a_mobile_gets_no_reply(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    async with service(database_url, tmp_path, platform) as svc:
        answer = await ask(svc, "VODAFONE", "21-26-0004217-9")
        assert (answer["outcome"], answer["reply_message_id"]) == ("bad_sender", None)
        assert await svc.messages() == []


async def test_replies_go_out_in_quiet_hours(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    midnight = FakeClock(datetime(2026, 11, 24, 22, 30, tzinfo=UTC))  # 00:30 in Cairo
    async with service(database_url, tmp_path, platform, clock=midnight) as svc:
        await ask(svc, CITIZEN, "21-26-0004217-9")
        await svc.send_due()
        assert len(svc.sandbox.messages_to(CITIZEN)) == 1


async def test_the_inbound_webhook_is_signed_too(
    database_url: str, tmp_path: Path, platform: FakePlatform
) -> None:
    async with service(database_url, tmp_path, platform) as svc:
        forged = await svc.webhook("inbound", inbound(CITIZEN, "21-26-0004217-9"), secret="guess")
        assert forged.status_code == 401
        assert await svc.messages() == []
        assert platform.inquiries == []


# --- the service credential --------------------------------------------------------------------


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_service_token_is_reused_until_shortly_before_it_expires() -> None:
    platform = FakePlatform()
    monotonic = Ticking()
    async with httpx.AsyncClient(transport=httpx.MockTransport(platform)) as client:
        token = ServiceToken(
            client,
            token_url="http://identity.test/api/v1/identity/token",
            client_id="notification-service",
            client_secret="client-secret-for-tests",
            scope="requests:status",
            clock=monotonic,
        )
        inquiry = RequestStatus(client, token, base_url="http://request.test")
        for _ in range(3):
            assert (await inquiry.lookup(str(TRACKING))) is not None
        assert platform.tokens_issued == ["service-token-1"]
        monotonic.now += 269  # 300 s lifetime, renewed 30 s early
        await inquiry.lookup(str(TRACKING))
        assert len(platform.tokens_issued) == 1
        monotonic.now += 2
        await inquiry.lookup(str(TRACKING))
        assert platform.tokens_issued == ["service-token-1", "service-token-2"]
        assert await inquiry.lookup("99-26-0000001-0") is None


async def test_a_refused_token_is_renewed_once() -> None:
    platform = FakePlatform()
    async with httpx.AsyncClient(transport=httpx.MockTransport(platform)) as client:
        token = ServiceToken(
            client,
            token_url="http://identity.test/api/v1/identity/token",
            client_id="notification-service",
            client_secret="client-secret-for-tests",
            scope="requests:status",
        )
        inquiry = RequestStatus(client, token, base_url="http://request.test")
        await inquiry.lookup(str(TRACKING))
        platform.tokens_issued.clear()  # identity rotated its keys: the cached token is refused
        found = await inquiry.lookup(str(TRACKING))
        assert found is not None
        assert found.state == "awaiting_payment"
        assert platform.tokens_issued == ["service-token-2"]


async def test_identity_refusing_the_credential_makes_the_inquiry_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "invalid_client"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        token = ServiceToken(
            client,
            token_url="http://identity.test/api/v1/identity/token",
            client_id="notification-service",
            client_secret="wrong",
            scope="requests:status",
        )
        with pytest.raises(InquiryUnavailable):
            await RequestStatus(client, token, base_url="http://request.test").lookup("x")
