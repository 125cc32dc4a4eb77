"""Settings, log masking, language negotiation, money, ids, topic matching, the unit of work."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import Column, MetaData, Table, select
from sqlalchemy.exc import StatementError

from mahaliyat.context import negotiate_language
from mahaliyat.db import Database, UTCDateTime
from mahaliyat.events import topic_matches
from mahaliyat.ids import new_id
from mahaliyat.logs import JsonFormatter, mask
from mahaliyat.money import Money
from mahaliyat.settings import ServiceSettings
from mahaliyat.ticker import Ticker


class PaymentLikeSettings(ServiceSettings):
    service_name: ClassVar[str] = "paylike"
    webhook_secret: SecretStr = SecretStr("changeme")


def test_settings_refuse_placeholder_secrets_outside_development() -> None:
    assert (
        PaymentLikeSettings(environment="development").webhook_secret.get_secret_value()
        == "changeme"
    )
    with pytest.raises(ValidationError, match="webhook_secret"):
        PaymentLikeSettings(environment="production")
    with pytest.raises(ValidationError, match="webhook_secret"):
        PaymentLikeSettings(environment="staging", webhook_secret=SecretStr("short"))
    ok = PaymentLikeSettings(environment="production", webhook_secret=SecretStr("x" * 32))
    assert ok.is_production_like


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("bus_url", "amqp://guest:guest@rabbitmq:5672/"),
        ("bus_url", "amqp://rabbitmq:5672/"),  # aio-pika would log in as guest:guest
        ("bus_url", "amqps://mahaliyat:changeme@rabbitmq/prod"),
        ("database_url", "postgresql+asyncpg://postgres@db/mahaliyat_catalog"),
        ("database_url", "postgresql+asyncpg://postgres:postgres@db/mahaliyat_catalog"),
        ("database_url", "postgresql+asyncpg://catalog:password@db/mahaliyat_catalog"),
        ("database_url", "postgresql+asyncpg://root:@db/mahaliyat_catalog"),
    ],
)
def test_settings_refuse_default_credentials_in_urls_outside_development(
    field: str, url: str
) -> None:
    given: dict[str, Any] = {field: url}
    PaymentLikeSettings(environment="development", **given)
    PaymentLikeSettings(environment="test", **given)
    secret = SecretStr("x" * 32)
    with pytest.raises(ValidationError, match=field) as caught:
        PaymentLikeSettings(environment="production", webhook_secret=secret, **given)
    assert "real credentials are required" in str(caught.value)


def test_a_refused_setting_does_not_print_the_others() -> None:
    with pytest.raises(ValidationError, match="bus_url") as caught:
        PaymentLikeSettings(
            environment="production",
            webhook_secret=SecretStr("x" * 32),
            bus_url="amqp://guest:guest@rabbitmq/",
            database_url="postgresql+asyncpg://payment:Kq3-real-Pass-9v7w@db/p",
        )
    assert "9v7w" not in str(caught.value)
    assert "input_value" not in str(caught.value)  # no setting is echoed, whatever its order


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://catalog@db/mahaliyat_catalog",  # peer, certificate or PGPASSWORD
        "postgresql+asyncpg://catalog:Zq8%40mA2-rT7vLx@db/mahaliyat_catalog",
        "amqp://mahaliyat:n3Kv7pQz2Lw9xHs4@rabbitmq:5672/",
        "sqlite+aiosqlite:///var/catalog.db",
        "memory://",
    ],
)
def test_settings_accept_real_credentials_in_production(url: str) -> None:
    field = "bus_url" if url.startswith(("amqp", "memory")) else "database_url"
    given: dict[str, Any] = {field: url}
    settings = PaymentLikeSettings(
        environment="production", webhook_secret=SecretStr("x" * 32), **given
    )
    assert getattr(settings, field) == url


def test_settings_read_service_prefix_before_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAHALIYAT_BUS_URL", "amqp://shared/")
    monkeypatch.setenv("MAHALIYAT_DATABASE_URL", "sqlite+aiosqlite:///shared.db")
    monkeypatch.setenv("MAHALIYAT_PAYLIKE_DATABASE_URL", "postgresql+asyncpg://db/paylike")
    settings = PaymentLikeSettings()
    assert settings.bus_url == "amqp://shared/"
    assert settings.database_url == "postgresql+asyncpg://db/paylike"


def test_default_database_is_a_sqlite_file_per_service(tmp_path: Path) -> None:
    assert (
        PaymentLikeSettings(var_dir=tmp_path).database_url
        == f"sqlite+aiosqlite:///{tmp_path}/paylike.db"
    )


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("citizen 29001011234567 filed", "29001011234567"),
        ("citizen ٢٩٠٠١٠١١٢٣٤٥٦٧ filed", "٢٩٠٠١٠١١٢٣٤٥٦٧"),
        ("sms to 01012345678", "01012345678"),
        ("sms to +201112345678", "+201112345678"),
        ("sms to 00201512345678 ok", "00201512345678"),
        ("phone 010 1234 5678", "010 1234 5678"),
    ],
)
def test_logs_mask_national_ids_and_phones(text: str, hidden: str) -> None:
    masked = mask(text)
    assert hidden not in masked
    assert masked.endswith(text[-6:]) or "***" in masked or "*" * 12 in masked


def test_logs_leave_other_numbers_alone() -> None:
    assert (
        mask("request 2026-01-000123 total 1500 piasters")
        == "request 2026-01-000123 total 1500 piasters"
    )


def test_json_log_masks_extra_fields() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "otp for %s", ("01012345678",), None)
    record.applicant = {"national_id": "29001011234567"}
    line = json.loads(JsonFormatter("test").format(record))
    assert "01012345678" not in line["message"]
    assert line["applicant"]["national_id"].endswith("67")
    assert "2900101" not in json.dumps(line)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "ar"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr, en;q=0.5", "en"),
        ("fr", "ar"),
        ("en;q=0.4, ar;q=0.9", "ar"),
        ("ar-EG", "ar"),
        ("en;q=0", "ar"),
    ],
)
def test_language_negotiation(header: str | None, language: str) -> None:
    assert negotiate_language(header) == language


def test_money_is_integer_piasters() -> None:
    assert Money.egp("12.345").piasters == 1235
    assert Money(150_000).format("en") == "EGP 1,500.00"
    assert Money(150_050).format("ar") == "١٬٥٠٠٫٥٠ ج.م"
    assert Money(100) + Money(50) == Money(150)
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100) * 1.5  # type: ignore[operator]


def test_ids_are_uuid7_and_ordered() -> None:
    ids = [new_id() for _ in range(1000)]
    assert all(i.version == 7 for i in ids)
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("request.*", "request.submitted", True),
        ("request.*", "request.a.b", False),
        ("request.#", "request.a.b", True),
        ("#", "x.y", True),
        ("*.otp.requested", "identity.otp.requested", True),
        ("catalog.service.*", "catalog.fee.changed", False),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c.z", True),
    ],
)
def test_topic_matching(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches


async def test_unit_of_work_commits_only_on_success_and_times_are_utc(database_url: str) -> None:
    metadata = MetaData()
    stamps = Table("stamps", metadata, Column("id", UTCDateTime, primary_key=True))
    database = Database(database_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        cairo = timezone(timedelta(hours=2))
        moment = datetime(2026, 11, 24, 14, 0, tzinfo=cairo)
        async with database.unit_of_work() as uow:
            await uow.session.execute(stamps.insert().values(id=moment))
        with pytest.raises(ZeroDivisionError):
            async with database.unit_of_work() as uow:
                await uow.session.execute(stamps.insert().values(id=moment + timedelta(hours=1)))
                _ = 1 / 0
        with pytest.raises(StatementError, match="timezone-aware"):
            async with database.unit_of_work() as uow:
                await uow.session.execute(stamps.insert().values(id=datetime(2026, 1, 1)))
        async with database.read() as session:
            stored = (await session.execute(select(stamps.c.id))).scalars().all()
        assert stored == [datetime(2026, 11, 24, 12, 0, tzinfo=UTC)]
        assert stored[0].tzinfo is not None
    finally:
        await database.dispose()


def test_uuid_roundtrip_type() -> None:
    assert isinstance(new_id(), uuid.UUID)


async def test_a_ticker_steps_on_wake_survives_a_failing_step_and_stops() -> None:
    steps: list[int] = []
    stepped = asyncio.Event()

    async def step() -> None:
        steps.append(len(steps))
        stepped.set()
        if len(steps) == 1:
            raise RuntimeError("the first step fails")

    ticker = Ticker("test-ticker", step, interval=3600, first_step_at_start=False)
    ticker.start()
    assert ticker.running
    await asyncio.sleep(0)
    assert steps == []  # waits a tick (or a wake) before the first step
    for expected in (1, 2):
        stepped.clear()
        ticker.wake()
        await asyncio.wait_for(stepped.wait(), 10)
        assert len(steps) == expected  # a failed step does not end the loop
    await ticker.stop()
    assert not ticker.running
