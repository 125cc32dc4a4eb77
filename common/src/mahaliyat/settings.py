"""Settings: one pydantic-settings class per service, read only by ``create_app``.

Every service reads ``MAHALIYAT_<SERVICE>_<FIELD>`` first and then the shared
``MAHALIYAT_<FIELD>`` (so ``MAHALIYAT_BUS_URL`` serves every service while
``MAHALIYAT_CATALOG_DATABASE_URL`` serves only catalog).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

Environment = Literal["development", "test", "staging", "production"]

# Values that mean "nobody set this": refused outside development and test.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "password", "dev", "development", "test"}
)
MIN_SECRET_LENGTH = 16

# Accounts that servers ship with and that must not reach production.
DEFAULT_ACCOUNTS = frozenset({"guest", "postgres", "root", "admin", "rabbitmq", "sa"})
# URL schemes whose client fills in default credentials when the URL has none (guest:guest).
IMPLICIT_DEFAULT_CREDENTIALS = frozenset({"amqp", "amqps"})


class ServiceSettings(BaseSettings):
    """What every service is configured with. Subclasses set ``service_name``."""

    service_name: ClassVar[str] = "service"

    # hide_input_in_errors: a refused setting must not print the others (URLs with passwords).
    model_config = SettingsConfigDict(
        extra="ignore", validate_default=True, hide_input_in_errors=True
    )

    environment: Environment = "development"
    database_url: str = ""
    database_pool_size: int = 10
    database_echo: bool = False
    bus_url: str = "memory://"
    bus_exchange: str = "mahaliyat.events"
    bus_queue_prefix: str = ""
    var_dir: Path = Path("var")
    migrate_on_start: bool = True
    seed_demo_data: bool = False

    relay_batch_size: int = 200
    relay_poll_seconds: float = 0.5
    relay_max_backoff_seconds: float = 5.0
    relay_max_attempts: int = 10  # broker refusals of one event before it is parked
    consumer_max_attempts: int = 5
    consumer_retry_delays_ms: tuple[int, ...] = (1_000, 5_000, 30_000, 120_000)
    consumer_prefetch: int = 32

    jwt_issuer: str = "mahaliyat-identity"
    jwt_audience: str = "mahaliyat"
    jwt_jwks_url: str = ""
    jwt_public_keys_file: Path | None = None

    http_timeout_seconds: float = 5.0
    log_level: str = "INFO"
    log_json: bool = True
    public_base_url: str = "http://127.0.0.1:8000"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        name = cls.service_name.upper().replace("-", "_")
        own = EnvSettingsSource(settings_cls, env_prefix=f"MAHALIYAT_{name}_")
        shared = EnvSettingsSource(settings_cls, env_prefix="MAHALIYAT_")
        return (init_settings, own, shared, file_secret_settings)

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / self.service_name}.db"
        if self.environment not in ("development", "test"):
            for field_name in type(self).model_fields:
                value: Any = getattr(self, field_name)
                if isinstance(value, SecretStr) and _is_placeholder(value):
                    raise ValueError(
                        f"{field_name}: a real secret is required when environment is "
                        f"{self.environment!r} (got a placeholder or fewer than "
                        f"{MIN_SECRET_LENGTH} characters)"
                    )
                if isinstance(value, str) and (problem := default_credentials(value)):
                    raise ValueError(
                        f"{field_name}: {problem}; real credentials are required when "
                        f"environment is {self.environment!r}"
                    )
        return self

    @property
    def is_production_like(self) -> bool:
        return self.environment in ("staging", "production")


def default_credentials(url: str) -> str | None:
    """Why a URL's credentials are a well-known default (never echoing the password), or None."""
    if "://" not in url:
        return None
    try:
        parts = urlsplit(url)
        user = unquote(parts.username or "")
        password = unquote(parts.password or "")
    except ValueError:
        return None
    scheme = parts.scheme.split("+", 1)[0].lower()
    if not user and not password:
        if scheme in IMPLICIT_DEFAULT_CREDENTIALS:
            return "the URL has no credentials, so the client would log in as guest:guest"
        return None
    if password.strip().lower() in PLACEHOLDER_SECRETS - {""}:
        return f"the password of user {user!r} is a placeholder"
    if password and password == user:
        return f"user {user!r} has its own name as password (a server default)"
    if not password and user.lower() in DEFAULT_ACCOUNTS:
        return f"the server's default account {user!r} without a password"
    return None


def _is_placeholder(secret: SecretStr) -> bool:
    raw = secret.get_secret_value()
    return raw.strip().lower() in PLACEHOLDER_SECRETS or len(raw) < MIN_SECRET_LENGTH
