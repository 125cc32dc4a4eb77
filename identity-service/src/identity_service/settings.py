"""Identity service settings: ``MAHALIYAT_IDENTITY_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr, field_validator, model_validator

from identity_service.domain.scopes import DEFAULT_PARTNER_SCOPES, is_scope
from mahaliyat.settings import ServiceSettings

# A placeholder the kernel refuses outside development and test: production must set it.
DEVELOPMENT_SECRET = SecretStr("development")
# notification-service's development default, so the embedded platform decrypts out of the
# box; refused outside development and test like any placeholder (see _no_shared_placeholder).
DEV_OTP_DELIVERY_KEY = "dev-otp-delivery-key-change-me"


class IdentitySettings(ServiceSettings):
    service_name: ClassVar[str] = "identity"

    # Signing keys: a keyring file (re-read when it changes), or the keyring JSON itself.
    signing_keys_file: Path | None = None  # default <var_dir>/identity-signing-keys.json
    signing_keys: SecretStr | None = None
    # Create a missing keyring file at start. The embedded runner turns it on; it is
    # ignored outside development and test, where keys come from `rotate-keys`.
    generate_dev_keys: bool = False
    keyring_check_seconds: float = Field(default=5.0, ge=0)
    # The public JWKS written for services that verify from a file (embedded mode).
    public_jwks_file: Path | None = None  # default <var_dir>/identity-jwks.json
    jwks_cache_seconds: int = Field(default=300, ge=0)

    access_token_ttl_seconds: int = Field(default=600, gt=0)
    partner_token_ttl_seconds: int = Field(default=900, gt=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 86400, gt=0)
    # A refresh token presented again this soon after it was rotated (and while its
    # successor is unused) is a parallel or retried request, not a copy: refused, family kept.
    refresh_reuse_grace_seconds: int = Field(default=10, ge=0, le=60)

    # One-time codes.
    otp_pepper: SecretStr = DEVELOPMENT_SECRET
    otp_delivery_key: SecretStr = SecretStr(DEV_OTP_DELIVERY_KEY)  # shared with notification
    otp_ttl_seconds: int = Field(default=300, gt=0)
    otp_max_attempts: int = Field(default=5, gt=0)
    # Visible limits (429), each counted on what the caller sent, never on whether the
    # national ID is registered: (count, seconds) pairs.
    # Per typed number, whatever the national ID (a family may share one phone).
    otp_phone_limits: tuple[tuple[int, int], ...] = ((5, 900), (20, 86400))
    # Per national ID together with the number typed beside it.
    otp_national_id_limits: tuple[tuple[int, int], ...] = ((3, 900), (10, 86400))
    otp_ip_limits: tuple[tuple[int, int], ...] = ((20, 3600),)
    # Silent: codes actually texted to a bound phone for requests that typed another
    # number. Past it the answer is the same, but nothing is sent and the code cannot work.
    otp_redirect_limits: tuple[tuple[int, int], ...] = ((2, 900), (5, 86400))

    # Staff passwords.
    staff_max_failures: int = Field(default=5, gt=0)
    staff_failure_window_seconds: int = Field(default=1800, gt=0)
    staff_lockout_seconds: int = Field(default=1800, gt=0)
    password_min_length: int = Field(default=10, ge=8)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)

    partner_scopes: tuple[str, ...] = DEFAULT_PARTNER_SCOPES
    # How many reverse proxies (Traefik) stand in front: the client IP is that many
    # entries from the right of X-Forwarded-For. 0 = use the socket peer.
    trusted_proxy_hops: int = Field(default=0, ge=0)
    # The password of the demo staff users seeded in development and test.
    demo_password: SecretStr = SecretStr("Mahaliyat-demo-2026")

    @field_validator("partner_scopes")
    @classmethod
    def _scopes_are_well_formed(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for scope in value:
            if not is_scope(scope):
                raise ValueError(f"not a scope of the form resource:action: {scope!r}")
        return value

    @field_validator(
        "otp_phone_limits", "otp_national_id_limits", "otp_ip_limits", "otp_redirect_limits"
    )
    @classmethod
    def _limits_are_positive(
        cls, value: tuple[tuple[int, int], ...]
    ) -> tuple[tuple[int, int], ...]:
        if any(count < 1 or seconds < 1 for count, seconds in value):
            raise ValueError("limits are (count >= 1, seconds >= 1) pairs")
        return value

    @model_validator(mode="after")
    def _no_shared_placeholder(self) -> IdentitySettings:
        if (
            self.environment not in ("development", "test")
            and self.otp_delivery_key.get_secret_value() == DEV_OTP_DELIVERY_KEY
        ):
            raise ValueError(
                f"otp_delivery_key: a real secret is required when environment is "
                f"{self.environment!r} (set MAHALIYAT_OTP_DELIVERY_KEY for identity and notification)"
            )
        return self

    @property
    def keys_path(self) -> Path:
        return self.signing_keys_file or self.var_dir / "identity-signing-keys.json"

    @property
    def jwks_path(self) -> Path:
        return self.public_jwks_file or self.var_dir / "identity-jwks.json"

    @property
    def longest_token_seconds(self) -> int:
        """How long a signed token can stay valid: a retired key is kept this long."""
        return max(self.access_token_ttl_seconds, self.partner_token_ttl_seconds)

    @property
    def may_generate_keys(self) -> bool:
        return self.generate_dev_keys and not self.is_production_like
