"""Settings: one pydantic-settings class per service, read only by ``create_app``.

Every service reads ``MAHALIYAT_<SERVICE>_<FIELD>`` first and then the shared
``MAHALIYAT_<FIELD>`` (so ``MAHALIYAT_BUS_URL`` serves every service while
``MAHALIYAT_CATALOG_DATABASE_URL`` serves only catalog).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

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


class ServiceSettings(BaseSettings):
    """What every service is configured with. Subclasses set ``service_name``."""

    service_name: ClassVar[str] = "service"

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

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
        return self

    @property
    def is_production_like(self) -> bool:
        return self.environment in ("staging", "production")


def _is_placeholder(secret: SecretStr) -> bool:
    raw = secret.get_secret_value()
    return raw.strip().lower() in PLACEHOLDER_SECRETS or len(raw) < MIN_SECRET_LENGTH
