"""Citizens' one-time codes: validation, attempts, expiry, replay, races, limits, delivery."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select

from identity_service.models import Citizen, TokenFamily
from identity_service.otp_delivery import UndecryptableCode, decrypt_code
from mahaliyat.events import outbox
from tests.identity.conftest import (
    ALEX_CITIZEN,
    API,
    GIZA_CITIZEN,
    PHONE,
    MovableClock,
    Service,
    running,
    test_settings,
)


async def verify(service: Service, challenge_id: str, code: str) -> tuple[int, dict[str, Any]]:
    response = await service.client.post(
        f"{API}/otp/verify", json={"challenge_id": challenge_id, "code": code}
    )
    return response.status_code, response.json()


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize(
    ("national_id", "phone", "field", "code"),
    [
        ("2900101210123", PHONE, "national_id", "national_id_format"),
        ("19001012101234", PHONE, "national_id", "national_id_century"),
        ("29002302101234", PHONE, "national_id", "national_id_birth_date"),  # 30 February
        ("39901012101234", PHONE, "national_id", "national_id_birth_date"),  # born in 2099
        ("29001019901234", PHONE, "national_id", "national_id_governorate"),
        (GIZA_CITIZEN, "01312345678", "phone", "phone_format"),  # 013 is not a mobile prefix
        (GIZA_CITIZEN, "0101234567", "phone", "phone_format"),
        (GIZA_CITIZEN, "+2001012345678", "phone", "phone_format"),
    ],
)
async def test_malformed_national_ids_and_phones_answer_422_naming_the_field(
    sqlite_service: Service, national_id: str, phone: str, field: str, code: str
) -> None:
    response = await sqlite_service.client.post(
        f"{API}/otp/request", json={"national_id": national_id, "phone": phone}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert await sqlite_service.otp_events() == []


@pytest.mark.parametrize(
    "phone", ["+201012345678", "00201012345678", "010 1234 5678", "010-1234-5678", "٠١٠١٢٣٤٥٦٧٨"]
)
async def test_phone_forms_are_stored_in_e164(sqlite_service: Service, phone: str) -> None:
    challenge_id, _ = await sqlite_service.request_code(national_id="٢٩٠٠١٠١٢١٠١٢٣٤", phone=phone)
    (event,) = await sqlite_service.otp_events()
    assert event["data"]["phone"] == "+201012345678"
    assert event["data"]["challenge_id"] == challenge_id


async def test_the_code_travels_encrypted_and_decrypts_only_with_the_key(
    service: Service,
) -> None:
    challenge_id, code = await service.request_code()
    async with service.database.read() as session:
        (payload,) = (
            await session.scalars(
                select(outbox.c.payload).where(outbox.c.type == "identity.otp.requested")
            )
        ).all()
    assert code not in payload  # nowhere in the stored event, not even by accident
    event = json.loads(payload)
    assert event["type"] == "identity.otp.requested"
    assert event["source"] == "/identity"
    data = event["data"]
    assert set(data) == {"challenge_id", "phone", "language", "code_ciphertext", "expires_at"}
    assert data["language"] == "ar"
    assert data["code_ciphertext"].startswith("v1:")
    secret = service.settings.otp_delivery_key.get_secret_value()
    assert decrypt_code(secret, challenge_id, data["code_ciphertext"]) == code
    with pytest.raises(UndecryptableCode):
        decrypt_code("another key entirely", challenge_id, data["code_ciphertext"])
    with pytest.raises(UndecryptableCode):  # bound to its challenge
        decrypt_code(secret, "00000000-0000-0000-0000-000000000000", data["code_ciphertext"])
    status, _ = await verify(service, challenge_id, code)
    assert status == 200


async def test_the_event_language_follows_accept_language(sqlite_service: Service) -> None:
    await sqlite_service.request_code(**{"Accept-Language": "en"})
    (event,) = await sqlite_service.otp_events()
    assert event["data"]["language"] == "en"


async def test_five_wrong_codes_kill_the_challenge(service: Service) -> None:
    challenge_id, code = await service.request_code()
    remaining = []
    for _ in range(5):
        status, body = await verify(service, challenge_id, wrong(code))
        assert status == 401
        assert body["code"] == "invalid_code"
        remaining.append(body["attempts_remaining"])
    assert remaining == [4, 3, 2, 1, 0]
    status, body = await verify(service, challenge_id, code)
    assert status == 410
    assert body["code"] == "too_many_attempts"
    # A new request gives a new, working code.
    fresh_id, fresh_code = await service.request_code()
    assert (await verify(service, fresh_id, fresh_code))[0] == 200


async def test_the_right_code_within_the_attempts_still_works(service: Service) -> None:
    challenge_id, code = await service.request_code()
    for _ in range(4):
        assert (await verify(service, challenge_id, wrong(code)))[0] == 401
    status, body = await verify(service, challenge_id, code)
    assert status == 200, body
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]


async def test_an_expired_code_fails(service: Service) -> None:
    challenge_id, code = await service.request_code()
    service.clock.advance(minutes=5, seconds=1)
    status, body = await verify(service, challenge_id, code)
    assert status == 410
    assert body["code"] == "challenge_expired"


async def test_a_code_just_before_expiry_works(service: Service) -> None:
    challenge_id, code = await service.request_code()
    service.clock.advance(minutes=4, seconds=59)
    assert (await verify(service, challenge_id, code))[0] == 200


async def test_a_used_code_cannot_be_replayed(service: Service) -> None:
    challenge_id, code = await service.request_code()
    assert (await verify(service, challenge_id, code))[0] == 200
    status, body = await verify(service, challenge_id, code)
    assert status == 410
    assert body["code"] == "challenge_used"


async def test_two_parallel_verifications_yield_one_session(service: Service) -> None:
    challenge_id, code = await service.request_code()
    outcomes = await asyncio.gather(*(verify(service, challenge_id, code) for _ in range(4)))
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [200, 410, 410, 410], outcomes
    async with service.database.read() as session:
        families = await session.scalar(select(func.count()).select_from(TokenFamily))
        citizens = await session.scalar(select(func.count()).select_from(Citizen))
    assert (families, citizens) == (1, 1)


async def test_wrong_codes_in_parallel_never_exceed_the_attempts(service: Service) -> None:
    challenge_id, code = await service.request_code()
    outcomes = await asyncio.gather(*(verify(service, challenge_id, wrong(code)) for _ in range(8)))
    assert sorted(status for status, _ in outcomes) == [401] * 5 + [410] * 3
    assert (await verify(service, challenge_id, code))[0] == 410


async def test_unknown_challenge_and_malformed_code(sqlite_service: Service) -> None:
    status, body = await verify(sqlite_service, "0190f1c2-0000-7000-8000-000000000001", "123456")
    assert (status, body["code"]) == (404, "challenge_not_found")
    challenge_id, code = await sqlite_service.request_code()
    status, body = await verify(sqlite_service, challenge_id, "12345")
    assert status == 422
    assert body["errors"][0]["field"] == "code"
    # Arabic-Indic digits are a code too.
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert (await verify(sqlite_service, challenge_id, arabic))[0] == 200


async def test_codes_per_phone_are_limited(service: Service) -> None:
    for _ in range(3):
        await service.request_code()
    response = await service.client.post(
        f"{API}/otp/request", json={"national_id": GIZA_CITIZEN, "phone": PHONE}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_code_requests"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    # Another phone is not affected; this one can ask again once the window has passed.
    await service.request_code(ALEX_CITIZEN, "01112345678")
    service.clock.advance(seconds=retry_after)
    await service.request_code()


async def test_the_daily_limit_holds_after_the_short_window(service: Service) -> None:
    for _ in range(10):
        await service.request_code()
        service.clock.advance(minutes=16)
    response = await service.client.post(
        f"{API}/otp/request", json={"national_id": GIZA_CITIZEN, "phone": PHONE}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 15 * 60


async def test_codes_per_client_ip_are_limited(
    database_url: str, tmp_path: Path, clock: MovableClock
) -> None:
    settings = test_settings(
        database_url, tmp_path, trusted_proxy_hops=1, otp_ip_limits=((4, 3600),)
    )
    async with running(settings, clock) as service:
        for n in range(4):
            await service.request_code(
                GIZA_CITIZEN, f"0101234560{n}", **{"X-Forwarded-For": "198.51.100.7"}
            )
        response = await service.client.post(
            f"{API}/otp/request",
            json={"national_id": GIZA_CITIZEN, "phone": "01012345699"},
            headers={"X-Forwarded-For": "198.51.100.7"},
        )
        assert response.status_code == 429
        assert response.json()["limit"] == "ip"
        # The gateway appends the real peer; a spoofed left-hand entry changes nothing.
        spoofed = await service.client.post(
            f"{API}/otp/request",
            json={"national_id": GIZA_CITIZEN, "phone": "01012345698"},
            headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.7"},
        )
        assert spoofed.status_code == 429
        await service.request_code(
            GIZA_CITIZEN, "01012345697", **{"X-Forwarded-For": "198.51.100.8"}
        )


async def test_a_national_id_keeps_the_phone_it_proved(service: Service) -> None:
    await service.citizen_tokens(GIZA_CITIZEN)
    challenge_id, _ = await service.request_code(GIZA_CITIZEN, "01198765432")
    event = next(e for e in await service.otp_events() if e["subject"] == challenge_id)
    assert event["data"]["phone"] == "+201012345678"  # not the number just typed


async def test_the_same_citizen_gets_the_same_subject(service: Service) -> None:
    first = await service.citizen_tokens(GIZA_CITIZEN)
    second = await service.citizen_tokens(GIZA_CITIZEN)
    other = await service.citizen_tokens(ALEX_CITIZEN)

    def subject(tokens: dict[str, object]) -> str:
        claims = jwt.decode(str(tokens["access_token"]), options={"verify_signature": False})
        return str(claims["sub"])

    assert subject(first) == subject(second) != subject(other)
