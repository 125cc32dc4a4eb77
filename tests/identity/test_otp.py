"""Citizens' one-time codes: validation, attempts, expiry, replay, races, limits, delivery."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from identity_service.models import AuditEntry, Citizen, OtpChallenge, TokenFamily
from identity_service.ports.otp_delivery import UndecryptableCode, decrypt_code
from mahaliyat.events import outbox
from mahaliyat.logs import JsonFormatter
from tests.identity.conftest import (
    ALEX_CITIZEN,
    API,
    GIZA_CITIZEN,
    PHONE,
    Service,
    running,
    test_settings,
)
from tests.support.clock import FakeClock


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
        (GIZA_CITIZEN, "01312345678", "phone", "mobile_format"),  # 013 is not a mobile prefix
        (GIZA_CITIZEN, "0101234567", "phone", "mobile_format"),
        (GIZA_CITIZEN, "+2001012345678", "phone", "mobile_format"),
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


async def test_codes_per_national_id_and_number_are_limited(service: Service) -> None:
    for _ in range(3):
        await service.request_code()
    response = await service.client.post(
        f"{API}/otp/request", json={"national_id": GIZA_CITIZEN, "phone": PHONE}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_code_requests"
    assert response.json()["limit"] == "national_id"
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
    database_url: str, tmp_path: Path, clock: FakeClock
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


# --- what a caller can learn, and whom a caller can lock out ---------------------------


def national_id(n: int) -> str:
    """A well-formed Giza national ID, distinct for each ``n``."""
    return f"290010121{n:04d}{n % 10}"


def mobile(n: int, prefix: str = "011") -> str:
    return f"{prefix}1234{n:04d}"


async def ask(
    service: Service, national_id: str, phone: str, ip: str = "198.51.100.1"
) -> httpx.Response:
    return await service.client.post(
        f"{API}/otp/request",
        json={"national_id": national_id, "phone": phone},
        headers={"X-Forwarded-For": ip},
    )


def answer(response: httpx.Response, now: datetime) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Everything a caller sees, less what differs by nature (ids, the request id, the
    time of day: ``expires_at`` becomes seconds from the request)."""
    body = response.json()
    if response.status_code == 202:
        assert uuid.UUID(body.pop("challenge_id"))
        expires = datetime.fromisoformat(body.pop("expires_at").replace("Z", "+00:00"))
        body["expires_in"] = (expires - now).total_seconds()
    body.pop("request_id", None)
    headers = {k: v for k, v in response.headers.items() if k not in ("x-request-id", "date")}
    return response.status_code, body, headers


async def test_the_answer_never_tells_a_registered_national_id_from_an_unknown_one(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    settings = test_settings(
        database_url, tmp_path, trusted_proxy_hops=1, otp_ip_limits=((12, 3600),)
    )
    async with running(settings, clock) as service:

        async def history(person: int, *, prove: bool) -> list[tuple[Any, ...]]:
            """The same requests for two national IDs; only the first proves its phone."""
            nid, own, ip = national_id(person), mobile(person, "010"), f"203.0.113.{person}"
            challenge = (await ask(service, nid, own, ip)).json()["challenge_id"]
            if prove:
                event = next(e for e in await service.otp_events() if e["subject"] == challenge)
                key = service.settings.otp_delivery_key.get_secret_value()
                code = decrypt_code(key, challenge, event["data"]["code_ciphertext"])
                assert (await verify(service, challenge, code))[0] == 200
            typed = [own, own, own]  # the bound number itself, up to its limit
            typed += [mobile(100 * person + n) for n in range(6)]  # numbers of others
            typed += [mobile(100 * person)] * 4  # one of them, again and again
            typed += [mobile(100 * person + 50 + n) for n in range(3)]  # 16 minutes later
            seen = []
            for n, phone in enumerate(typed):
                if n == len(typed) - 3:
                    clock.advance(minutes=16)  # the short windows pass, the daily ones do not
                seen.append(answer(await ask(service, nid, phone, ip), clock.now))
            return seen

        registered = await history(1, prove=True)
        unknown = await history(2, prove=False)
        assert registered == unknown
        # The burst did meet every visible limit, so the equality means something.
        limits = {body.get("limit") for status, body, _ in registered if status == 429}
        assert limits == {"national_id", "ip"}
        assert sum(status == 202 for status, _, _ in registered) >= 9
        async with service.database.read() as session:
            withheld = await session.scalar(
                select(func.count())
                .select_from(OtpChallenge)
                .where(OtpChallenge.delivered.is_(False))
            )
        assert withheld  # and the silent cap did hold codes back for the registered one


@pytest.fixture
async def proxied(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Service]:
    """Behind one proxy: each test request may come from its own client IP."""
    settings = test_settings(database_url, tmp_path, trusted_proxy_hops=1)
    async with running(settings, clock) as built:
        yield built


async def test_someone_typing_other_numbers_cannot_lock_a_citizen_out(
    proxied: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = proxied
    await service.citizen_tokens(GIZA_CITIZEN)  # bound to PHONE
    before = len(await service.otp_events())
    # Anyone may know a national ID. Every code for it goes to the bound phone, so the
    # attacker learns nothing, but the phone must not be flooded nor the ID locked.
    monkeypatch.setattr("identity_service.services.citizens.new_code", lambda: "424242")
    attempts = [await ask(service, GIZA_CITIZEN, mobile(n), f"198.51.100.{n}") for n in range(30)]
    assert {r.status_code for r in attempts} == {202}
    sent = [e for e in await service.otp_events()][before:]
    assert len(sent) == 2  # otp_redirect_limits: 2 per 15 minutes
    assert {e["data"]["phone"] for e in sent} == {"+201012345678"}
    # A withheld code cannot be guessed into a session: even the right digits fail.
    status, body = await verify(service, attempts[-1].json()["challenge_id"], "424242")
    assert (status, body["code"]) == (401, "invalid_code")
    monkeypatch.undo()

    # The citizen, from their own phone, still gets a working code...
    challenge_id, code = await service.request_code(GIZA_CITIZEN, PHONE)
    assert (await verify(service, challenge_id, code))[0] == 200
    # ...within their own limit (3 per 15 minutes for the ID with this number).
    assert (await ask(service, GIZA_CITIZEN, PHONE)).status_code == 202
    refused = await ask(service, GIZA_CITIZEN, PHONE)
    assert (refused.status_code, refused.json()["limit"]) == (429, "national_id")
    async with service.database.read() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("citizen.otp_withheld") == 28


async def test_codes_per_typed_number_are_limited_across_national_ids(service: Service) -> None:
    # A family may share a phone, so the number allows more than one person's limit.
    for person in range(5):
        assert (await ask(service, national_id(person), PHONE)).status_code == 202
    refused = await ask(service, national_id(5), PHONE)
    assert (refused.status_code, refused.json()["limit"]) == (429, "phone")
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60


async def test_a_code_sent_before_the_id_was_bound_elsewhere_does_not_sign_in(
    service: Service,
) -> None:
    # Two people claim an unregistered ID at once; the first to verify binds it.
    squatter_id, squatter_code = await service.request_code(ALEX_CITIZEN, "01199999999")
    owner_id, owner_code = await service.request_code(ALEX_CITIZEN, PHONE)
    assert (await verify(service, owner_id, owner_code))[0] == 200
    status, body = await verify(service, squatter_id, squatter_code)
    assert (status, body["code"]) == (409, "national_id_bound_to_another_phone")
    assert (await verify(service, squatter_id, squatter_code))[0] == 410  # spent
    async with service.database.read() as session:
        phone = await session.scalar(
            select(Citizen.phone).where(Citizen.national_id == ALEX_CITIZEN)
        )
        families = await session.scalar(select(func.count()).select_from(TokenFamily))
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert (phone, families) == ("+201012345678", 1)
    assert "citizen.otp_phone_superseded" in actions


async def test_the_code_never_appears_in_logs_at_any_level(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    formatted = io.StringIO()
    handler = logging.StreamHandler(formatted)
    handler.setFormatter(JsonFormatter("identity"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        # Every logger at DEBUG: the root, and SQLAlchemy's (it sets its own to WARNING), so
        # each statement is logged with its parameters and each row it returned.
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="sqlalchemy"):
            challenge_id, code = await service.request_code()
            await verify(service, challenge_id, wrong(code))
            assert (await verify(service, challenge_id, code))[0] == 200
            await verify(service, challenge_id, code)  # a replay
            await service.citizen_tokens(ALEX_CITIZEN)
            await service.app.state.runtime.relay.drain()  # the publishing path too
    finally:
        root.removeHandler(handler)
    assert any(r.levelno == logging.DEBUG for r in caplog.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)  # parameters
    everything = [formatted.getvalue()]
    for record in caplog.records:
        everything += [
            record.getMessage(),
            repr(record.__dict__),
            JsonFormatter("x").format(record),
        ]
    text = "\n".join(everything)
    # The code as a token of its own; the same six digits inside a UUID, a timestamp's
    # microseconds or base64 are coincidences, not the code.
    alone = re.compile(rf"(?<![0-9A-Za-z.:_+/-]){code}(?![0-9A-Za-z])")
    assert alone.search(text) is None
