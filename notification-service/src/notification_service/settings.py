"""Notifications service settings: ``MAHALIYAT_NOTIFICATION_*``, then the shared ``MAHALIYAT_*``.

``sms_providers`` is JSON (``MAHALIYAT_NOTIFICATION_SMS_PROVIDERS='[...]'``): a
list in priority order of ``sandbox`` and ``http`` providers; see
docs/notification.md for every field. ``otp_delivery_key`` is shared with
identity-service (``MAHALIYAT_OTP_DELIVERY_KEY``).
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    SecretStr,
    field_validator,
    model_validator,
)

from mahaliyat.settings import MIN_SECRET_LENGTH, PLACEHOLDER_SECRETS, ServiceSettings
from notification_service.domain.templates import (
    PLATFORM_ONLY_PREFIXES,
    TEMPLATE_KEY,
    TemplateError,
    placeholders,
)

SendOutcomeName = Literal["sent", "temporary_failure", "permanent_failure", "technical_failure"]
ReceiptStateName = Literal["delivered", "temporary_failure", "permanent_failure"]

# Development defaults, refused outside development and test (see _notification_rules).
DEV_OTP_DELIVERY_KEY = "dev-otp-delivery-key-change-me"
DEV_CLIENT_SECRET = "dev-notification-client-secret"  # noqa: S105
DEV_SANDBOX_WEBHOOK_SECRET = "dev-sandbox-webhook-secret"  # noqa: S105
DEV_SECRETS = frozenset({DEV_OTP_DELIVERY_KEY, DEV_CLIENT_SECRET, DEV_SANDBOX_WEBHOOK_SECRET})

PROVIDER_NAME = r"^[a-z][a-z0-9_-]{0,49}$"
OWN_RECEIPT_STATUSES: dict[str, ReceiptStateName] = {
    "delivered": "delivered",
    "temporary_failure": "temporary_failure",
    "permanent_failure": "permanent_failure",
}
# Our credentials refused: another provider may still work. Throttling: later.
DEFAULT_STATUS_OUTCOMES: dict[int, SendOutcomeName] = {
    401: "technical_failure",
    403: "technical_failure",
    408: "temporary_failure",
    429: "temporary_failure",
}


class ProviderSettings(BaseModel):
    """What every provider has: a name, how its webhooks authenticate, and how they are shaped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=PROVIDER_NAME)
    # hmac: our signature scheme (domain/signatures); token: a fixed shared token in a header
    # or a query parameter; basic: HTTP basic auth. The secret is the HMAC key, the token,
    # or the basic-auth password.
    webhook_auth: Literal["hmac", "token", "basic"] = "hmac"
    webhook_secret: SecretStr
    webhook_token_header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,100}$")
    webhook_token_param: str | None = Field(default=None, min_length=1, max_length=100)
    webhook_username: str | None = Field(default=None, min_length=1, max_length=200)
    # Optional: only these source addresses (single IPs or CIDR blocks) may call, in any mode.
    webhook_allowed_ips: tuple[IPvAnyNetwork, ...] = ()
    sender_name: str | None = None  # overrides ``sms_sender_name`` for this provider
    receipt_format: Literal["json", "form"] = "json"
    receipt_id_field: str = "message_id"
    receipt_status_field: str = "status"
    # The provider's status words → our receipt states; other words are kept, change nothing.
    receipt_statuses: dict[str, ReceiptStateName] = Field(
        default_factory=lambda: dict(OWN_RECEIPT_STATUSES)
    )
    inbound_format: Literal["json", "form"] = "json"
    inbound_from_field: str = "from"
    inbound_text_field: str = "text"
    inbound_id_field: str | None = "id"

    @model_validator(mode="after")
    def _webhook_auth_is_complete(self) -> ProviderSettings:
        if self.webhook_auth == "token" and not (
            self.webhook_token_header or self.webhook_token_param
        ):
            raise ValueError(
                f"sms_providers.{self.name}: webhook_auth 'token' needs webhook_token_header "
                "or webhook_token_param"
            )
        if self.webhook_auth == "basic" and not self.webhook_username:
            raise ValueError(
                f"sms_providers.{self.name}: webhook_auth 'basic' needs webhook_username"
            )
        return self


class SandboxProviderSettings(ProviderSettings):
    kind: Literal["sandbox"] = "sandbox"
    simulate_receipts: bool = True


class HttpProviderSettings(ProviderSettings):
    """A bulk-SMS HTTP API described by configuration (JSON or form, header auth, field mapping)."""

    kind: Literal["http"] = "http"
    url: str
    method: Literal["POST", "GET"] = "POST"
    body_format: Literal["json", "form", "query"] = "json"
    auth_header: str | None = None  # e.g. "Authorization"
    auth_value: SecretStr | None = None  # e.g. "Bearer …"
    # Provider field → template over: to, to_digits, to_national, text, sender, message_id,
    # reference (``<message_id>-<attempt>``, new for every attempt), attempt, encoding,
    # language, segments (after ``value_maps``). Non-strings are sent as they are.
    fields: dict[str, str | int | bool] = Field(default_factory=dict)
    secret_fields: dict[str, SecretStr] = Field(default_factory=dict)  # e.g. a password field
    value_maps: dict[str, dict[str, str]] = Field(
        default_factory=dict
    )  # {"encoding": {"ucs2": "A"}}
    success_statuses: tuple[int, ...] = (200, 201, 202)
    # HTTP status → outcome for non-success statuses; unlisted 4xx are permanent, 5xx technical.
    status_outcomes: dict[int, SendOutcomeName] = Field(
        default_factory=lambda: dict(DEFAULT_STATUS_OUTCOMES)
    )
    result_field: str | None = None  # dotted path of the result code in a JSON answer
    result_outcomes: dict[str, SendOutcomeName] = Field(default_factory=dict)
    unknown_result_outcome: SendOutcomeName = "technical_failure"
    # Dotted path of the provider's id for the message (list indexes allowed: "data.ids.0");
    # without one, our per-attempt ``reference`` is the id its receipts must name.
    message_id_field: str | None = None
    timeout_seconds: float = 10.0

    @model_validator(mode="after")
    def _receipts_can_name_an_attempt(self) -> HttpProviderSettings:
        if self.message_id_field is not None:
            return self
        used: set[str] = set()
        for spec in self.fields.values():
            if isinstance(spec, str):
                try:
                    used.update(placeholders(spec))
                except TemplateError as exc:
                    raise ValueError(f"sms_providers.{self.name}.fields: {exc}") from exc
        if "message_id" in used and "reference" not in used:
            # The message id is the same for every resend; receipts could not tell them apart.
            raise ValueError(
                f"sms_providers.{self.name}: without message_id_field, send {{reference}} "
                "(one per attempt) for the provider to echo, not {message_id}"
            )
        return self


ProviderConfig = Annotated[
    SandboxProviderSettings | HttpProviderSettings, Field(discriminator="kind")
]


class NotificationSettings(ServiceSettings):
    service_name: ClassVar[str] = "notification"

    # Sending
    sms_providers: list[ProviderConfig] = Field(default_factory=lambda: _default_providers())
    sms_sender_name: str = "Mahaliyat"
    sms_max_segments: int = Field(default=6, ge=1, le=20)
    # Events routed to templates; an event with no template is consumed and sends nothing.
    sms_event_patterns: tuple[str, ...] = (
        "request.submitted",
        "request.status_changed",
        "request.completed",
        "payment.#",
        "licensing.#",
    )
    quiet_hours_start: time | None = time(22, 0)  # Africa/Cairo; None = no quiet hours
    quiet_hours_end: time | None = time(8, 0)
    recipient_identical_per_hour: int = 20
    recipient_total_per_hour: int = 100
    limit_defer_seconds: float = 300.0
    inbound_per_sender_per_hour: int = 10

    # Retries and failover
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 900.0
    retry_window_seconds: float = 6 * 3600.0  # from the first time a message may go
    otp_validity_seconds: float = 600.0  # when the event carries no expires_at
    provider_failure_threshold: int = Field(default=3, ge=1)
    # Temporary failures in a row (throttling, 429) that demote a provider too; 0 = never.
    provider_temporary_failure_threshold: int = Field(default=5, ge=0)
    provider_cooldown_seconds: float = 300.0
    # A message handed over this long ago without a receipt is final (still ``sent``,
    # error ``no_receipt``); a delivery receipt arriving later still marks it delivered.
    receipt_wait_seconds: float = Field(default=24 * 3600.0, gt=0)

    # The sender loop
    sender_enabled: bool = True
    sender_batch_size: int = Field(default=200, ge=1)
    sender_concurrency: int = Field(default=64, ge=1)
    sender_poll_seconds: float = 0.5
    sending_stale_seconds: float = 300.0  # a claim older than this was lost with its process

    # Webhooks
    webhook_tolerance_seconds: float = 300.0
    # Token and basic-auth webhooks carry no timestamp: a payload seen within this window is a
    # replay and has no second effect.
    webhook_replay_window_seconds: float = Field(default=3600.0, gt=0)
    # How many reverse proxies (Traefik) stand in front: the client IP is that many entries
    # from the right of X-Forwarded-For (as identity-service reads it). 0 = the socket peer.
    trusted_proxy_hops: int = Field(default=0, ge=0)

    # Templates a partner (scope notifications:send) may send; admins may send any but the
    # platform's own. Empty = partners send nothing.
    partner_templates: tuple[str, ...] = ()

    # OTP delivery (shared with identity-service)
    otp_delivery_key: SecretStr = SecretStr(DEV_OTP_DELIVERY_KEY)

    # Status inquiry by SMS: a service credential from identity, then request-service's API
    identity_base_url: str = ""  # "" = public_base_url (the gateway)
    request_base_url: str = ""
    service_client_id: str = "notification-service"
    service_client_secret: SecretStr = SecretStr(DEV_CLIENT_SECRET)
    service_client_auth: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post"
    inquiry_scope: str = "requests:status"

    template_cache_seconds: float = 5.0

    @field_validator("partner_templates")
    @classmethod
    def _partner_templates_are_sendable(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            if not re.fullmatch(TEMPLATE_KEY, key):
                raise ValueError(f"partner_templates: {key!r} is not a template key")
            if key.startswith(PLATFORM_ONLY_PREFIXES):
                raise ValueError(f"partner_templates: {key!r} is sent by the platform only")
        return value

    @model_validator(mode="after")
    def _notification_rules(self) -> NotificationSettings:
        names = [provider.name for provider in self.sms_providers]
        if not names:
            raise ValueError("sms_providers: at least one provider is required")
        if len(set(names)) != len(names):
            raise ValueError("sms_providers: provider names must be unique")
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            raise ValueError("quiet_hours_start and quiet_hours_end are set together")
        if self.environment not in ("development", "test"):
            secrets: dict[str, SecretStr | None] = {
                "otp_delivery_key": self.otp_delivery_key,
                "service_client_secret": self.service_client_secret,
            }
            for provider in self.sms_providers:
                secrets[f"sms_providers.{provider.name}.webhook_secret"] = provider.webhook_secret
                if isinstance(provider, HttpProviderSettings):
                    secrets[f"sms_providers.{provider.name}.auth_value"] = provider.auth_value
                    for field, value in provider.secret_fields.items():
                        secrets[f"sms_providers.{provider.name}.secret_fields.{field}"] = value
            for name, secret in secrets.items():
                if secret is not None and _is_placeholder(secret):
                    raise ValueError(
                        f"{name}: a real secret is required when environment is "
                        f"{self.environment!r}"
                    )
            if self.environment == "production" and any(
                provider.kind == "sandbox" for provider in self.sms_providers
            ):
                raise ValueError("sms_providers: the sandbox provider sends nothing in production")
        return self


def _default_providers() -> list[SandboxProviderSettings | HttpProviderSettings]:
    return [
        SandboxProviderSettings(
            name="sandbox", webhook_secret=SecretStr(DEV_SANDBOX_WEBHOOK_SECRET)
        )
    ]


def _is_placeholder(secret: SecretStr) -> bool:
    raw = secret.get_secret_value()
    return (
        raw in DEV_SECRETS
        or raw.strip().lower() in PLACEHOLDER_SECRETS
        or len(raw) < MIN_SECRET_LENGTH
    )
