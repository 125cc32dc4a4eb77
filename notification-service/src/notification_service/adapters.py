"""The composition root: every adapter the use cases need, built once from the settings.

``create_app`` builds one :class:`Adapters` (``build_adapters``) and hands it to the
routers (``api.deps.AdaptersDep``), the consumers and the sender. Tests and the
benchmark choose the clock, the providers and the HTTP transport here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from mahaliyat.db import Database, utcnow
from mahaliyat.http import make_client
from notification_service.domain.otp import OtpCipher
from notification_service.domain.timing import QuietHours, RecipientLimits
from notification_service.providers.base import SmsProvider
from notification_service.providers.http import HttpProvider
from notification_service.providers.inquiry import (
    TOKEN_PATH,
    ApplicationStatuses,
    RequestStatus,
    ServiceToken,
)
from notification_service.providers.pool import ProviderPool
from notification_service.providers.sandbox import SandboxProvider
from notification_service.services.compose import Composer
from notification_service.settings import (
    HttpProviderSettings,
    NotificationSettings,
    ProviderSettings,
    SandboxProviderSettings,
)
from notification_service.template_store import TemplateStore

Clock = Callable[[], datetime]


def _nothing() -> None:
    return None


@dataclass
class Adapters:
    settings: NotificationSettings
    database: Database
    pool: ProviderPool
    templates: TemplateStore
    composer: Composer
    otp: OtpCipher
    limits: RecipientLimits
    http: httpx.AsyncClient
    inquiry: ApplicationStatuses
    clock: Clock = utcnow
    # Wakes the sender (after a commit that queued a message); the app connects the sender.
    wake: Callable[[], None] = _nothing
    provider_settings: dict[str, ProviderSettings] = field(init=False)
    _closed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        self.provider_settings = {p.name: p for p in self.settings.sms_providers}

    def now(self) -> datetime:
        return self.clock()

    @property
    def replay_window(self) -> timedelta:
        return timedelta(seconds=self.settings.webhook_replay_window_seconds)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self.pool.close()
        await self.http.aclose()


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


def build_adapters(
    settings: NotificationSettings,
    database: Database,
    *,
    clock: Clock = utcnow,
    providers: Sequence[SmsProvider] | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> Adapters:
    quiet = (
        QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        if settings.quiet_hours_start is not None and settings.quiet_hours_end is not None
        else None
    )
    http = make_client(timeout_seconds=settings.http_timeout_seconds, transport=http_transport)
    gateway = settings.public_base_url.rstrip("/")
    token = ServiceToken(
        http,
        token_url=(settings.identity_base_url or gateway).rstrip("/") + TOKEN_PATH,
        client_id=settings.service_client_id,
        client_secret=settings.service_client_secret.get_secret_value(),
        scope=settings.inquiry_scope,
        auth_method=settings.service_client_auth,
    )
    return Adapters(
        settings=settings,
        database=database,
        clock=clock,
        pool=ProviderPool(
            providers if providers is not None else build_providers(settings, http_transport),
            clock=clock,
            failure_threshold=settings.provider_failure_threshold,
            temporary_threshold=settings.provider_temporary_failure_threshold,
            cooldown=timedelta(seconds=settings.provider_cooldown_seconds),
        ),
        templates=TemplateStore(settings.template_cache_seconds),
        composer=Composer(
            max_segments=settings.sms_max_segments,
            quiet_hours=quiet,
            retry_window=timedelta(seconds=settings.retry_window_seconds),
            otp_validity=timedelta(seconds=settings.otp_validity_seconds),
        ),
        otp=OtpCipher(settings.otp_delivery_key.get_secret_value()),
        limits=RecipientLimits(
            settings.recipient_identical_per_hour, settings.recipient_total_per_hour
        ),
        http=http,
        inquiry=RequestStatus(http, token, base_url=settings.request_base_url or gateway),
    )
