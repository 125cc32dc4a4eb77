"""A running notification service for tests: fake clock, signed tokens, events, webhook signing,
and a fake of a typical Egyptian bulk-SMS gateway with the provider settings that describe it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select

from mahaliyat.db import Database
from mahaliyat.events import CloudEvent, idempotent
from mahaliyat.events.bus import EventBus, topic_matches
from mahaliyat.events.tables import outbox
from notification_service.adapters import Adapters
from notification_service.app import create_app
from notification_service.consumers import consumers
from notification_service.domain.otp import OtpCipher
from notification_service.domain.signatures import signature
from notification_service.domain.tracking import TrackingNumber
from notification_service.models import SmsMessage
from notification_service.providers.base import SmsProvider
from notification_service.providers.sandbox import SandboxProvider
from notification_service.services.sender import Sender
from notification_service.settings import NotificationSettings
from tests.support.clock import FakeClock

PREFIX = "/api/v1/notifications"
ISSUER, AUDIENCE = "mahaliyat-identity", "mahaliyat"
SANDBOX_SECRET = "sandbox-webhook-secret-for-tests"
OTP_KEY = "otp-delivery-key-for-tests-only"
# Tuesday 24 November 2026, 12:00 in Cairo (UTC+2): inside working hours.
NOON_CAIRO = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CITIZEN = "+201012345678"
TRACKING = TrackingNumber.build("21", "26", 4217)  # 21-26-0004217-9


class Tokens:
    """Signs tokens the service accepts (its JWKS file holds the public key)."""

    def __init__(self, directory: Path) -> None:
        self.key = ed25519.Ed25519PrivateKey.generate()
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid="test-key", use="sig", alg="EdDSA")
        self.jwks_file = directory / "jwks.json"
        self.jwks_file.write_text(json.dumps({"keys": [public]}))

    def bearer(
        self,
        *grants: tuple[str, str],
        kind: str = "staff",
        scope: str = "",
        subject: str = "user-1",
    ) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "sub": subject,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + 600,
            "kind": kind,
            "grants": [{"role": role, "jurisdiction": where} for role, where in grants],
            "scope": scope,
        }
        token = jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": "test-key"})
        return {"Authorization": f"Bearer {token}"}

    def admin(self) -> dict[str, str]:
        return self.bearer(("platform_admin", "EG"), subject="admin-1")

    def partner(
        self, scope: str = "notifications:send", subject: str = "ministry-x"
    ) -> dict[str, str]:
        return self.bearer(kind="partner", scope=scope, subject=subject)


@dataclass
class Service:
    client: httpx.AsyncClient
    adapters: Adapters
    sender: Sender
    clock: FakeClock
    tokens: Tokens
    bus: EventBus

    @property
    def database(self) -> Database:
        return self.adapters.database

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.adapters.pool.by_name["sandbox"]
        assert isinstance(provider, SandboxProvider)
        return provider

    async def deliver(self, event: CloudEvent) -> None:
        """Hand an event to the consumer that the bus would (through the kernel's inbox)."""
        for consumer in consumers(self.adapters):
            if any(topic_matches(p, event.type) for p in consumer.patterns):
                handler = idempotent(
                    self.database, f"notification.{consumer.name}", consumer.handler
                )
                await handler(event)

    async def send_due(self) -> int:
        return await self.sender.drain()

    async def messages(self, **where: Any) -> list[SmsMessage]:
        async with self.database.read() as session:
            query = select(SmsMessage).order_by(SmsMessage.created_at, SmsMessage.id)
            for name, value in where.items():
                query = query.where(getattr(SmsMessage, name) == value)
            found = list(await session.scalars(query))
            session.expunge_all()  # keep them readable after the read session rolls back
            return found

    async def one_message(self, **where: Any) -> SmsMessage:
        found = await self.messages(**where)
        assert len(found) == 1, found
        return found[0]

    async def published(self, prefix: str = "notification.") -> list[CloudEvent]:
        async with self.database.read() as session:
            rows = await session.scalars(
                select(outbox.c.payload)
                .where(outbox.c.type.startswith(prefix))
                .order_by(outbox.c.id)
            )
            return [CloudEvent.from_json(payload) for payload in rows]

    async def webhook(
        self,
        path: str,
        body: bytes,
        *,
        secret: str = SANDBOX_SECRET,
        provider: str = "sandbox",
        timestamp: datetime | None = None,
        content_type: str = "application/json",
    ) -> httpx.Response:
        stamp = str(int((timestamp or self.clock()).timestamp()))
        return await self.client.post(
            f"{PREFIX}/providers/{provider}/{path}",
            content=body,
            headers={
                "Content-Type": content_type,
                "X-Mahaliyat-Timestamp": stamp,
                "X-Mahaliyat-Signature": signature(secret, stamp, body),
            },
        )


def settings_for(database_url: str, tokens: Tokens, **overrides: Any) -> NotificationSettings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "bus_url": f"memory://{uuid.uuid4().hex}",
        "sender_enabled": False,
        "jwt_public_keys_file": tokens.jwks_file,
        "log_json": False,
        "otp_delivery_key": OTP_KEY,
        "template_cache_seconds": 0,
        "identity_base_url": "http://identity.test",
        "request_base_url": "http://request.test",
        "sms_providers": [{"name": "sandbox", "kind": "sandbox", "webhook_secret": SANDBOX_SECRET}],
    }
    values.update(overrides)
    return NotificationSettings(**values)


@asynccontextmanager
async def running(
    database_url: str,
    directory: Path,
    *,
    clock: FakeClock | None = None,
    providers: Sequence[SmsProvider] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    bus: EventBus | None = None,
    **overrides: Any,
) -> AsyncIterator[Service]:
    tokens = Tokens(directory)
    clock = clock or FakeClock(NOON_CAIRO)
    settings = settings_for(database_url, tokens, **overrides)
    app = create_app(settings, bus=bus, clock=clock, providers=providers, http_transport=transport)
    adapters: Adapters = app.state.adapters
    sender: Sender = app.state.sender
    runtime = app.state.runtime
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://notification.test"
        ) as client,
    ):
        yield Service(client, adapters, sender, clock, tokens, runtime.bus)


def request_event(
    event_type: str,
    *,
    phone: str = CITIZEN,
    language: str = "ar",
    tracking: TrackingNumber = TRACKING,
    **data: Any,
) -> CloudEvent:
    application = str(uuid.uuid4())
    body: dict[str, Any] = {
        "application_id": application,
        "tracking_number": str(tracking),
        "service_code": "BLD-001",
        "service_name": {"ar": "ترخيص بناء", "en": "Building permit"},
        "channel": "centre",
        "centre_code": "21-03-F01",
        "jurisdiction": "21-03-F01",
        "governorate": "21",
        "applicant": {"ref": "app-ref-1", "phone": phone, "language": language},
        "state": "submitted",
        "at": "2026-11-24T09:59:00+00:00",
    }
    body.update(data)
    return CloudEvent(source="/request", type=event_type, subject=application, data=body)


def submitted(**data: Any) -> CloudEvent:
    data.setdefault("sla_days", 10)
    data.setdefault("due_at", "2026-12-08T10:00:00+00:00")
    data.setdefault("fee_piasters", 0)
    return request_event("request.submitted", **data)


def status_changed(to: str, *, reason: dict[str, str] | None = None, **data: Any) -> CloudEvent:
    return request_event(
        "request.status_changed",
        state=to,
        actor_role="back_office",
        actor_id="officer-7",
        reason=reason,
        due_at="2026-12-08T10:00:00+00:00",
        **{"from": "under_review", "to": to, **data},
    )


def otp_event(clock: FakeClock, code: str = "482913", phone: str = CITIZEN) -> CloudEvent:
    challenge = "0193a8d2-7c1e-7a10-9b2e-5f0c4e8d1a77"
    return CloudEvent(
        source="/identity",
        type="identity.otp.requested",
        subject=challenge,
        time=clock(),
        data={
            "challenge_id": challenge,
            "phone": phone,
            "language": "ar",
            "expires_at": (clock() + timedelta(minutes=5)).isoformat(),
            "code_ciphertext": OtpCipher(OTP_KEY).encrypt(code, challenge),
        },
    )


FORM_API = "https://bulk-sms.example.eg/api/SMS/"


class FormSmsApi:
    """A fake of a typical Egyptian bulk-SMS gateway: form fields in, ``{"code": …}`` out."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.next_code = "1901"
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url == FORM_API
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.requests.append(form)
        if self.status != 200:
            return httpx.Response(self.status, text="gateway busy")
        if form.get("username") != "mahaliyat" or form.get("password") != "p@ss-w0rd-for-tests":
            return httpx.Response(200, json={"code": "1903"})
        return httpx.Response(200, json={"code": self.next_code, "SMSID": 880011, "Cost": 2})


BULK_EG_WEBHOOK_SECRET = "bulk-eg-webhook-secret-for-tests"


def bulk_eg(**overrides: Any) -> dict[str, Any]:
    """Provider settings for :class:`FormSmsApi`: form in, result code and SMSID out, receipts
    as a form in its own words."""
    config: dict[str, Any] = {
        "name": "bulk-eg",
        "kind": "http",
        "url": FORM_API,
        "body_format": "form",
        "webhook_secret": BULK_EG_WEBHOOK_SECRET,
        "fields": {"username": "mahaliyat", "mobile": "{to_digits}", "message": "{text}"},
        "secret_fields": {"password": "p@ss-w0rd-for-tests"},
        "result_field": "code",
        "result_outcomes": {"1901": "sent"},
        "message_id_field": "SMSID",
        "receipt_format": "form",
        "receipt_id_field": "SMSID",
        "receipt_status_field": "Status",
        "receipt_statuses": {
            "DELIVRD": "delivered",
            "UNDELIV": "permanent_failure",
            "EXPIRED": "temporary_failure",
        },
    }
    config.update(overrides)
    return config


async def bulk_eg_receipt(svc: Service, sms_id: str, status: str) -> httpx.Response:
    """A receipt from bulk-eg, signed as our HMAC scheme asks."""
    return await svc.webhook(
        "receipts",
        urlencode({"SMSID": sms_id, "Status": status}).encode(),
        provider="bulk-eg",
        secret=BULK_EG_WEBHOOK_SECRET,
        content_type="application/x-www-form-urlencoded",
    )
