"""Settings: placeholder secrets refused outside development; demo identities only where allowed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from identity_service.__main__ import rotate_keys
from identity_service.models import StaffUser
from identity_service.settings import IdentitySettings
from tests.identity.conftest import running, test_settings
from tests.support.clock import FakeClock


@pytest.mark.parametrize("field", ["otp_pepper", "otp_delivery_key"])
def test_production_needs_real_otp_secrets(field: str) -> None:
    real: dict[str, Any] = {
        "otp_pepper": "a-real-pepper-of-enough-length",
        "otp_delivery_key": "a-real-delivery-key-of-enough-length",
    }
    IdentitySettings(environment="production", **real)
    placeholders = ["development", "changeme", "short"]
    if field == "otp_delivery_key":
        placeholders.append("dev-otp-delivery-key-change-me")  # notification's default
    for placeholder in placeholders:
        with pytest.raises(ValidationError, match=field):
            IdentitySettings(environment="production", **{**real, field: placeholder})
    IdentitySettings(environment="development")  # the defaults serve development


def test_the_delivery_key_is_shared_with_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAHALIYAT_OTP_DELIVERY_KEY", "the-shared-delivery-key-1234")
    assert IdentitySettings().otp_delivery_key.get_secret_value() == "the-shared-delivery-key-1234"


def test_malformed_limits_and_scopes_are_refused() -> None:
    with pytest.raises(ValidationError):
        IdentitySettings(otp_phone_limits=((0, 60),))
    with pytest.raises(ValidationError):
        IdentitySettings(partner_scopes=("everything",))


async def staff_count(database_url: str, tmp_path: Path, **overrides: object) -> int:
    settings = test_settings(database_url, tmp_path, **overrides)
    async with running(settings, FakeClock()) as service, service.database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(StaffUser)) or 0)


async def test_demo_identities_are_seeded_once(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="identity_service.seed.demo"):
        first = await staff_count(database_url, tmp_path)
    assert first == 6
    assert sum("Mahaliyat-demo-2026" in r.getMessage() for r in caplog.records) == 1
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="identity_service.seed.demo"):
        assert await staff_count(database_url, tmp_path) == first
    assert not any("Mahaliyat-demo-2026" in r.getMessage() for r in caplog.records)


async def test_no_demo_identities_in_staging(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/identity.db"
    overrides: dict[str, object] = {
        "environment": "staging",
        "otp_pepper": "a-real-pepper-of-enough-length",
        "otp_delivery_key": "a-real-delivery-key-of-enough-length",
    }
    await rotate_keys(test_settings(url, tmp_path, **overrides))
    assert await staff_count(url, tmp_path, **overrides) == 0
