"""The service's parts, built once from its settings: templates, composer, providers, sender, inquiry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import httpx

from mahaliyat.db import Database
from mahaliyat.http import make_client
from mahaliyat.runtime import Consumer
from notification_service.domain.timing import QuietHours, RecipientLimits
from notification_service.events import EventMessages
from notification_service.inbound import InboundDesk
from notification_service.inquiry import TOKEN_PATH, RequestStatus, ServiceToken
from notification_service.messages import Composer
from notification_service.otp import OtpCipher
from notification_service.providers.base import SmsProvider
from notification_service.providers.http import HttpProvider
from notification_service.providers.pool import ProviderPool
from notification_service.providers.sandbox import SandboxProvider
from notification_service.receipts import ReceiptBook
from notification_service.replays import ReplayStore
from notification_service.sender import Sender
from notification_service.settings import (
    HttpProviderSettings,
    NotificationSettings,
    ProviderSettings,
    SandboxProviderSettings,
)
from notification_service.template_store import TemplateStore

Clock = Callable[[], datetime]


def build_providers(
    settings: NotificationSettings, transport: httpx.AsyncBaseTransport | None = None
) -> list[SmsProvider]:
    providers: list[SmsProvider] = []
    for config in settings.sms_providers:
        if isinstance(config, SandboxProviderSettings):
            providers.append(
                SandboxProvider(config.name, simulate_receipts=config.simulate_receipts)
            )
        elif isinstance(config, HttpProviderSettings):
            providers.append(
                HttpProvider(config, sender_name=settings.sms_sender_name, transport=transport)
            )
    return providers


class Notifications:
    def __init__(
        self,
        settings: NotificationSettings,
        database: Database,
        *,
        clock: Clock,
        providers: Sequence[SmsProvider] | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        quiet = (
            QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
            if settings.quiet_hours_start is not None and settings.quiet_hours_end is not None
            else None
        )
        self.templates = TemplateStore(settings.template_cache_seconds)
        self.composer = Composer(
            max_segments=settings.sms_max_segments,
            quiet_hours=quiet,
            retry_window=timedelta(seconds=settings.retry_window_seconds),
            otp_validity=timedelta(seconds=settings.otp_validity_seconds),
        )
        self.provider_settings: dict[str, ProviderSettings] = {
            p.name: p for p in settings.sms_providers
        }
        self.pool = ProviderPool(
            providers if providers is not None else build_providers(settings, http_transport),
            clock=clock,
            failure_threshold=settings.provider_failure_threshold,
            temporary_threshold=settings.provider_temporary_failure_threshold,
            cooldown=timedelta(seconds=settings.provider_cooldown_seconds),
        )
        self.replays = ReplayStore(timedelta(seconds=settings.webhook_replay_window_seconds))
        self.receipts = ReceiptBook(
            clock=clock,
            retry_base_seconds=settings.retry_base_seconds,
            retry_max_seconds=settings.retry_max_seconds,
        )
        self.sender = Sender(
            database=database,
            pool=self.pool,
            receipts=self.receipts,
            composer=self.composer,
            otp=OtpCipher(settings.otp_delivery_key.get_secret_value()),
            clock=clock,
            limits=RecipientLimits(
                settings.recipient_identical_per_hour, settings.recipient_total_per_hour
            ),
            sender_name=settings.sms_sender_name,
            batch_size=settings.sender_batch_size,
            concurrency=settings.sender_concurrency,
            poll_seconds=settings.sender_poll_seconds,
            stale_after=timedelta(seconds=settings.sending_stale_seconds),
            limit_defer=timedelta(seconds=settings.limit_defer_seconds),
            retry_base_seconds=settings.retry_base_seconds,
            retry_max_seconds=settings.retry_max_seconds,
            receipt_wait=timedelta(seconds=settings.receipt_wait_seconds),
            replays=self.replays,
        )
        self.events = EventMessages(
            templates=self.templates, composer=self.composer, clock=clock, wake=self.sender.wake
        )
        self.http = make_client(
            timeout_seconds=settings.http_timeout_seconds, transport=http_transport
        )
        gateway = settings.public_base_url.rstrip("/")
        self.token = ServiceToken(
            self.http,
            token_url=(settings.identity_base_url or gateway).rstrip("/") + TOKEN_PATH,
            client_id=settings.service_client_id,
            client_secret=settings.service_client_secret.get_secret_value(),
            scope=settings.inquiry_scope,
            auth_method=settings.service_client_auth,
        )
        self.inquiry = RequestStatus(
            self.http, self.token, base_url=settings.request_base_url or gateway
        )
        self.inbound = InboundDesk(
            database=database,
            templates=self.templates,
            composer=self.composer,
            inquiry=self.inquiry,
            clock=clock,
            per_sender_per_hour=settings.inbound_per_sender_per_hour,
            wake=self.sender.wake,
            replays=self.replays,
        )
        self._closed = False

    def consumers(self) -> tuple[Consumer, ...]:
        return (
            # Its own queue, so an OTP never waits behind a backlog of status messages.
            Consumer("otp-sms", ("identity.otp.requested",), self.events.on_otp),
            Consumer("event-sms", self.settings.sms_event_patterns, self.events.on_event),
        )

    async def start(self) -> None:
        async with self.database.unit_of_work() as uow:
            await self.templates.seed_defaults(uow.session, self.clock())
        if self.settings.sender_enabled:
            self.sender.start()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.sender.stop()
        await self.pool.close()
        await self.http.aclose()
