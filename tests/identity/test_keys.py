"""Signing keys: JWKS and discovery, rotation without breaking live tokens, where keys may come from."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from argon2 import PasswordHasher

from identity_service.__main__ import main, rotate_keys
from identity_service.app import create_app
from identity_service.domain.keys import (
    KeyringError,
    SigningKey,
    dump_keyring,
    parse_keyring,
    rotate,
)
from mahaliyat.auth import TokenError, TokenVerifier
from mahaliyat.db import utcnow
from tests.identity.conftest import API, Service, running, test_settings
from tests.support.clock import FakeClock


async def test_jwks_publishes_public_keys_only_and_may_be_cached(sqlite_service: Service) -> None:
    response = await sqlite_service.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    (key,) = response.json()["keys"]
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["alg"] == "EdDSA"
    assert key["use"] == "sig"
    assert key["kid"]
    assert "d" not in key
    assert json.loads(sqlite_service.settings.jwks_path.read_text()) == response.json()
    assert oct(sqlite_service.settings.keys_path.stat().st_mode & 0o777) == "0o600"


async def test_the_metadata_is_valid_rfc_8414_at_both_well_known_paths(
    tmp_path: Path, clock: FakeClock
) -> None:
    # RFC 8414 wants an https issuer that is the base of the well-known URL.
    settings = test_settings(
        f"sqlite+aiosqlite:///{tmp_path}/i.db",
        tmp_path,
        jwt_issuer="https://mahaliyat.example",
        public_base_url="https://mahaliyat.example",
    )
    async with running(settings, clock) as service:
        oauth = await service.client.get("/.well-known/oauth-authorization-server")
        oidc = await service.client.get("/.well-known/openid-configuration")
        assert oauth.status_code == oidc.status_code == 200
        assert oauth.headers["cache-control"] == "public, max-age=300"
        document = oauth.json()
        assert oidc.json() == document
        # RFC 8414 §2 required members; the token endpoint because a grant other than
        # implicit is supported.
        assert document["issuer"] == "https://mahaliyat.example"
        assert document["token_endpoint"] == f"https://mahaliyat.example{API}/token"
        assert document["jwks_uri"] == "https://mahaliyat.example/.well-known/jwks.json"
        assert set(document["grant_types_supported"]) == {"client_credentials", "refresh_token"}
        assert {"requests:read", "requests:status"} <= set(document["scopes_supported"])
        # No grant that uses an authorization endpoint, so neither it nor response types.
        assert not {"authorization_code", "implicit"} & set(document["grant_types_supported"])
        assert "authorization_endpoint" not in document
        assert "response_types_supported" not in document
        # §3.2: members with zero elements are omitted.
        assert all(value not in ([], {}, "", None) for value in document.values())
        # Nothing that claims an OpenID Provider we are not (no ID token, no userinfo).
        assert not {
            "id_token_signing_alg_values_supported",
            "subject_types_supported",
            "userinfo_endpoint",
        } & set(document)
        # Registered client authentication names (and "Bearer", an access token type).
        assert set(document["token_endpoint_auth_methods_supported"]) == {
            "client_secret_basic",
            "client_secret_post",
        }
        assert document["introspection_endpoint_auth_methods_supported"][-1] == "Bearer"
        assert {"national_id", "phone_number"} <= set(document["mahaliyat_access_token_claims"])
        # Every advertised endpoint is served here: the path answers, and not with 404/405.
        for member in ("token_endpoint", "revocation_endpoint", "introspection_endpoint"):
            url = document[member]
            assert url.startswith("https://mahaliyat.example/")
            path = url.removeprefix("https://mahaliyat.example")
            answered = await service.client.post(path, data={})
            assert answered.status_code in (200, 400, 401), (member, answered.status_code)
        for member in ("jwks_uri", "service_documentation"):
            path = document[member].removeprefix("https://mahaliyat.example")
            assert (await service.client.get(path)).status_code == 200, member


async def verifier(service: Service) -> TokenVerifier:
    jwks = (await service.client.get("/.well-known/jwks.json")).json()
    return TokenVerifier(
        issuer=service.settings.jwt_issuer, audience=service.settings.jwt_audience, jwks=jwks
    )


async def test_rotation_keeps_earlier_tokens_valid_and_signs_with_the_new_key(
    sqlite_service: Service,
) -> None:
    service = sqlite_service
    before = await service.login("giza.kpi")
    old_kid = jwt.get_unverified_header(before["access_token"])["kid"]
    # What a file-reading service (embedded mode) uses: the kernel's JWKS-file verifier.
    from_file = TokenVerifier(
        issuer=service.settings.jwt_issuer,
        audience=service.settings.jwt_audience,
        jwks_file=service.settings.jwks_path,
        min_refresh_seconds=0,
    )
    await from_file.verify(before["access_token"])

    # The CLI's work, while the service runs.
    assert "signing with" in await rotate_keys(
        service.settings, activate_after=timedelta(0), clock=service.clock
    )

    after = await service.login("giza.kpi")
    new_kid = jwt.get_unverified_header(after["access_token"])["kid"]
    assert new_kid != old_kid
    kids = {k["kid"] for k in (await service.client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old_kid, new_kid}
    fresh = await verifier(service)
    for tokens in (before, after):
        await fresh.verify(tokens["access_token"])
        me = await service.client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.status_code == 200
    await from_file.verify(after["access_token"])  # the unknown kid made it re-read the file
    await from_file.verify(before["access_token"])


async def test_a_new_key_is_published_before_it_signs(sqlite_service: Service) -> None:
    service = sqlite_service
    old_kid = jwt.get_unverified_header((await service.login("giza.kpi"))["access_token"])["kid"]
    # the default: published now, signing in 60 s (by the service's clock, which the test moves)
    await rotate_keys(service.settings, clock=service.clock)
    published = (await service.client.get("/.well-known/jwks.json")).json()["keys"]
    assert len(published) == 2
    new_kid = next(k["kid"] for k in published if k["kid"] != old_kid)
    still_old = await service.login("giza.kpi")
    assert jwt.get_unverified_header(still_old["access_token"])["kid"] == old_kid
    service.clock.advance(seconds=61)
    switched = await service.login("giza.kpi")
    assert jwt.get_unverified_header(switched["access_token"])["kid"] == new_kid


def test_rotation_drops_keys_retired_before_the_longest_token_lifetime() -> None:
    now = utcnow()
    long_retired = SigningKey.generate(now - timedelta(days=3))
    long_retired = SigningKey(
        long_retired.kid,
        long_retired.private_key,
        long_retired.created_at,
        now - timedelta(hours=1),
    )
    recently_retired = SigningKey.generate(now - timedelta(days=2))
    recently_retired = SigningKey(
        recently_retired.kid,
        recently_retired.private_key,
        recently_retired.created_at,
        now - timedelta(minutes=5),
    )
    current = SigningKey.generate(now - timedelta(days=1))
    ring, new, dropped = rotate(
        [current, recently_retired, long_retired], now, timedelta(minutes=16)
    )
    assert ring[0] is new
    assert [k.kid for k in ring] == [new.kid, current.kid, recently_retired.kid]
    assert ring[1].retired_at == now
    assert [k.kid for k in dropped] == [long_retired.kid]
    assert [k.kid for k in parse_keyring(dump_keyring(ring))] == [k.kid for k in ring]


async def test_production_refuses_to_start_without_keys(tmp_path: Path) -> None:
    settings = test_settings(
        f"sqlite+aiosqlite:///{tmp_path}/i.db",
        tmp_path,
        environment="production",
        otp_pepper="a-real-pepper-of-enough-length",
        otp_delivery_key="a-real-delivery-key-of-enough-length",
    )
    with pytest.raises(KeyringError, match="no signing keys"):
        create_app(settings)
    assert not settings.keys_path.exists()
    await rotate_keys(settings)  # an operator creates them
    create_app(settings)


@pytest.mark.parametrize(
    ("environment", "generate_dev_keys", "generated"),
    [
        ("development", False, False),  # `make up` and any other runner: explicit keys
        ("test", False, False),
        ("development", True, True),  # the embedded runner
        ("test", True, True),
        ("staging", True, False),  # ignored where real keys are required
        ("production", True, False),
    ],
)
def test_keys_are_generated_only_when_asked_and_only_in_development(
    tmp_path: Path, environment: str, generate_dev_keys: bool, generated: bool
) -> None:
    settings = test_settings(
        f"sqlite+aiosqlite:///{tmp_path}/i.db",
        tmp_path,
        environment=environment,
        generate_dev_keys=generate_dev_keys,
        otp_pepper="a-real-pepper-of-enough-length",
        otp_delivery_key="a-real-delivery-key-of-enough-length",
    )
    if generated:
        create_app(settings)
        assert len(parse_keyring(settings.keys_path.read_text())) == 1
    else:
        with pytest.raises(KeyringError, match="GENERATE_DEV_KEYS"):
            create_app(settings)
        assert not settings.keys_path.exists()


async def test_a_rotation_is_audited(sqlite_service: Service) -> None:
    service = sqlite_service
    old_kid = parse_keyring(service.settings.keys_path.read_text())[0].kid
    await rotate_keys(service.settings, activate_after=timedelta(0), clock=service.clock)
    new_kid = parse_keyring(service.settings.keys_path.read_text())[0].kid
    admin = await service.bearer("admin")
    response = await service.client.get(
        f"{API}/admin/audit", headers=admin, params={"action": "keys.rotated"}
    )
    (entry,) = response.json()["items"]
    assert entry["actor"] == "system:cli"
    assert entry["target"] == f"key:{new_kid}"
    assert entry["details"]["retired"] == [old_kid]
    assert entry["details"]["dropped"] == []
    assert entry["details"]["keys_file"] == str(service.settings.keys_path)
    assert entry["details"]["operator"]
    assert "PRIVATE KEY" not in json.dumps(entry)


async def test_a_rotation_that_cannot_be_audited_does_not_happen(tmp_path: Path) -> None:
    settings = test_settings(f"sqlite+aiosqlite:///{tmp_path}/i.db", tmp_path)
    await rotate_keys(settings)
    before = settings.keys_path.read_text(), settings.jwks_path.read_text()
    with sqlite3.connect(tmp_path / "i.db") as connection:
        connection.execute("DROP TABLE audit_entries")  # the entry cannot be written
    with pytest.raises(KeyringError, match="nothing rotated"):
        await rotate_keys(settings)
    assert (settings.keys_path.read_text(), settings.jwks_path.read_text()) == before


async def test_keys_from_a_setting(tmp_path: Path, clock: FakeClock) -> None:
    key = SigningKey.generate(utcnow())
    settings = test_settings(
        f"sqlite+aiosqlite:///{tmp_path}/i.db", tmp_path, signing_keys=dump_keyring([key])
    )
    async with running(settings, clock) as service:
        tokens = await service.login("giza.kpi")
        assert jwt.get_unverified_header(tokens["access_token"])["kid"] == key.kid
    assert not settings.keys_path.exists()
    with pytest.raises(KeyringError):
        await rotate_keys(settings)


async def test_a_broken_keyring_file_keeps_the_current_keys(sqlite_service: Service) -> None:
    path = sqlite_service.settings.keys_path
    path.write_text("{ not json")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    tokens = await sqlite_service.login("giza.kpi")
    await (await verifier(sqlite_service)).verify(tokens["access_token"])


async def test_tokens_signed_by_a_dropped_key_are_refused(sqlite_service: Service) -> None:
    service = sqlite_service
    old = await service.login("giza.kpi")
    path = service.settings.keys_path
    keys = parse_keyring(path.read_text())
    path.write_text(dump_keyring([SigningKey.generate(utcnow())]))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert keys[0].kid not in str((await service.client.get("/.well-known/jwks.json")).json())
    response = await service.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {old['access_token']}"}
    )
    assert (response.status_code, response.json()["code"]) == (401, "unknown_key")
    with pytest.raises(TokenError):
        await (await verifier(service)).verify(old["access_token"])


def test_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MAHALIYAT_IDENTITY_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MAHALIYAT_IDENTITY_ENVIRONMENT", "test")
    monkeypatch.setenv("MAHALIYAT_IDENTITY_ARGON2_MEMORY_KIB", "64")
    assert main(["rotate-keys"]) == 0
    assert main(["rotate-keys"]) == 0
    keys = parse_keyring((tmp_path / "identity-signing-keys.json").read_text())
    assert len(keys) == 2
    assert len(json.loads((tmp_path / "identity-jwks.json").read_text())["keys"]) == 2
    with sqlite3.connect(tmp_path / "identity.db") as connection:
        rotations = connection.execute(
            "SELECT actor, target FROM audit_entries WHERE action = 'keys.rotated' ORDER BY id"
        ).fetchall()
    assert rotations == [("system:cli", f"key:{keys[1].kid}"), ("system:cli", f"key:{keys[0].kid}")]

    assert main(["create-admin", "chief", "--name-ar", "رئيس"]) == 0
    password = capsys.readouterr().out.rsplit(": ", 1)[1].strip()
    with sqlite3.connect(tmp_path / "identity.db") as connection:
        (stored,) = connection.execute(
            "SELECT password_hash FROM staff_users WHERE username = 'chief'"
        ).fetchone()
        (role,) = connection.execute(
            "SELECT role FROM staff_grants JOIN staff_users ON staff_users.id = staff_id"
        ).fetchone()
    assert PasswordHasher().verify(stored, password)
    assert role == "platform_admin"
    assert main(["create-admin", "chief", "--name-ar", "رئيس"]) == 1  # taken


def test_a_second_replica_never_overwrites_the_first_ones_generated_key(tmp_path: Path) -> None:
    from identity_service.ports.keys import create_private

    path = tmp_path / "keys.json"
    assert create_private(path, "first") is True
    assert create_private(path, "second") is False
    assert path.read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json"]  # no temporary left


def test_keys_from_the_setting_are_a_store_that_never_changes(tmp_path: Path) -> None:
    from identity_service.ports.keys import FileKeyStore, FixedKeyStore, Keyring

    key, other = SigningKey.generate(utcnow()), SigningKey.generate(utcnow())
    fixed = Keyring([key], store=FixedKeyStore(dump_keyring([key])), check_seconds=0)
    assert fixed.refresh(force=True) is False
    assert [k.kid for k in fixed.keys] == [key.kid]

    path = tmp_path / "keys.json"
    path.write_text(dump_keyring([key]))
    from_file = Keyring([key], store=FileKeyStore(path), check_seconds=0)
    path.write_text(dump_keyring([other, key]))
    os.utime(path, ns=(1, 1))  # another stamp, whatever the file system's time resolution
    assert from_file.refresh() is True
    assert [k.kid for k in from_file.keys] == [other.kid, key.kid]
