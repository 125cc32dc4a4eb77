"""Tokens from the service verify with the kernel's verifier; forgeries are refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity_service.domain.keys import parse_keyring
from mahaliyat.auth import Grant, Principal, TokenVerifier, ensure_jurisdiction
from mahaliyat.problems import Problem
from tests.identity.conftest import API, Service


async def kernel_verifier(service: Service) -> TokenVerifier:
    """What any other service builds: a verifier fed with the published JWKS."""
    jwks = (await service.client.get("/.well-known/jwks.json")).json()
    return TokenVerifier(
        issuer=service.settings.jwt_issuer, audience=service.settings.jwt_audience, jwks=jwks
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def private_key(service: Service) -> tuple[str, Ed25519PrivateKey]:
    key = parse_keyring(service.settings.keys_path.read_text())[0]
    return key.kid, key.private_key


def claims(service: Service, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": service.settings.jwt_issuer,
        "aud": service.settings.jwt_audience,
        "sub": "0190f1c2-0000-7000-8000-000000000001",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "t-1",
        "kind": "staff",
        "grants": [{"role": "kpi_viewer", "jurisdiction": "21"}],
        "scope": "",
    }
    base.update(overrides)
    return base


async def test_staff_token_verifies_with_the_kernel_and_carries_every_claim(
    service: Service,
) -> None:
    tokens = await service.login("giza.back")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 600
    principal = await (await kernel_verifier(service)).verify(tokens["access_token"])
    assert principal.kind == "staff"
    assert set(principal.grants) == {Grant("back_office", "21"), Grant("inspector", "21-03")}
    raw = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert {"sub", "iss", "aud", "exp", "iat", "nbf", "jti", "kind", "grants", "scope"} <= set(raw)
    assert raw["iss"] == service.settings.jwt_issuer
    assert raw["aud"] == service.settings.jwt_audience
    assert raw["exp"] - raw["iat"] == 600
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "EdDSA"
    assert header["kid"] == private_key(service)[0]


async def test_citizen_access_tokens_carry_the_verified_national_id_and_phone(
    service: Service,
) -> None:
    # Typed in Arabic-Indic digits and with a local-format number: the claims are normalised.
    challenge_id, code = await service.request_code("٢٩٠٠١٠١٢١٠١٢٣٤", "010 1234 5678")
    response = await service.client.post(
        f"{API}/otp/verify", json={"challenge_id": challenge_id, "code": code}
    )
    tokens = response.json()
    principal = await (await kernel_verifier(service)).verify(tokens["access_token"])
    assert principal.kind == "citizen"
    assert principal.can("citizen", "EG")
    # The subject stays opaque; the identity travels beside it (docs/contracts.md).
    assert "29001012101234" not in principal.subject
    assert principal.claims["national_id"] == "29001012101234"
    assert principal.claims["phone_number"] == "+201012345678"
    assert principal.claims["nid_governorate"] == "21"
    # And again after a refresh, read afresh from the account.
    refreshed = await service.client.post(
        f"{API}/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    again = await (await kernel_verifier(service)).verify(refreshed.json()["access_token"])
    assert (again.claims["national_id"], again.claims["phone_number"]) == (
        "29001012101234",
        "+201012345678",
    )
    assert again.subject == principal.subject


async def test_staff_and_partner_tokens_carry_no_citizen_identity(service: Service) -> None:
    staff = await service.login("giza.back")
    partner = await service.client.post(
        f"{API}/token",
        data={"grant_type": "client_credentials"},
        auth=("demo-portal", "Mahaliyat-demo-2026"),
    )
    assert partner.status_code == 200, partner.text
    for token in (staff["access_token"], partner.json()["access_token"]):
        principal = await (await kernel_verifier(service)).verify(token)
        assert principal.kind in ("staff", "partner")
        assert not {"national_id", "phone_number", "nid_governorate"} & set(principal.claims)


async def test_me_answers_with_a_valid_token(sqlite_service: Service) -> None:
    headers = await sqlite_service.bearer("giza.kpi")
    me = await sqlite_service.client.get(f"{API}/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["grants"] == [{"role": "kpi_viewer", "jurisdiction": "21"}]


def forgeries(service: Service) -> dict[str, str]:
    kid, key = private_key(service)
    now = int(time.time())

    def signed(payload: dict[str, Any], *, with_kid: str = kid, signer: Any = key) -> str:
        return jwt.encode(payload, signer, algorithm="EdDSA", headers={"kid": with_kid})

    good = signed(claims(service))
    head, _, signature = good.split(".")
    elevated = claims(service, grants=[{"role": "platform_admin", "jurisdiction": "EG"}])
    public_jwk = next(
        k for k in json.loads(service.settings.jwks_path.read_text())["keys"] if k["kid"] == kid
    )
    hs_header = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
    hs_body = b64(json.dumps(claims(service)).encode())
    hs_mac = hmac.new(
        json.dumps(public_jwk).encode(), f"{hs_header}.{hs_body}".encode(), hashlib.sha256
    ).digest()
    none_header = b64(json.dumps({"alg": "none", "kid": kid, "typ": "JWT"}).encode())
    return {
        "expired": signed(claims(service, iat=now - 3600, nbf=now - 3600, exp=now - 600)),
        "not yet valid": signed(claims(service, nbf=now + 3600)),
        "wrong issuer": signed(claims(service, iss="https://evil.example")),
        "wrong audience": signed(claims(service, aud="another-system")),
        "unknown kid": signed(claims(service), with_kid="no-such-key"),
        "foreign key under our kid": signed(claims(service), signer=Ed25519PrivateKey.generate()),
        "alg none": f"{none_header}.{hs_body}.",
        "HS256 with the public key": f"{hs_header}.{hs_body}.{b64(hs_mac)}",
        "tampered payload": f"{head}.{b64(json.dumps(elevated).encode())}.{signature}",
        "not a JWT": "not-a-jwt",
    }


@pytest.mark.parametrize(
    ("forgery", "code"),
    [
        ("expired", "token_expired"),
        ("not yet valid", "token_not_yet_valid"),
        ("wrong issuer", "wrong_issuer"),
        ("wrong audience", "wrong_audience"),
        ("unknown kid", "unknown_key"),
        ("foreign key under our kid", "bad_signature"),
        ("alg none", "algorithm_not_allowed"),
        ("HS256 with the public key", "algorithm_not_allowed"),
        ("tampered payload", "bad_signature"),
        ("not a JWT", "malformed_token"),
    ],
)
async def test_rejected_tokens_answer_401_problem(
    sqlite_service: Service, forgery: str, code: str
) -> None:
    token = forgeries(sqlite_service)[forgery]
    response = await sqlite_service.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_forgery_fixture_signs_validly_when_untouched(sqlite_service: Service) -> None:
    """The forgeries above fail for their flaw alone: the same recipe, unflawed, is accepted."""
    kid, key = private_key(sqlite_service)
    token = jwt.encode(claims(sqlite_service), key, algorithm="EdDSA", headers={"kid": kid})
    response = await sqlite_service.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text


async def test_no_token_answers_401(sqlite_service: Service) -> None:
    response = await sqlite_service.client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


async def principal_of(service: Service, username: str) -> Principal:
    tokens = await service.login(username)
    return await (await kernel_verifier(service)).verify(tokens["access_token"])


async def test_a_giza_kpi_viewer_sees_giza_but_not_alexandria(sqlite_service: Service) -> None:
    giza = await principal_of(sqlite_service, "giza.kpi")
    ensure_jurisdiction(giza, "kpi_viewer", "21")
    ensure_jurisdiction(giza, "kpi_viewer", "21-03-F01")
    with pytest.raises(Problem) as refused:
        ensure_jurisdiction(giza, "kpi_viewer", "02")
    assert refused.value.status == 404
    nation = await principal_of(sqlite_service, "nation.kpi")
    ensure_jurisdiction(nation, "kpi_viewer", "02")
    ensure_jurisdiction(nation, "kpi_viewer", "21-03")


async def test_a_centre_clerk_is_held_to_the_centre(sqlite_service: Service) -> None:
    clerk = await principal_of(sqlite_service, "giza.front")
    assert clerk.can("front_office", "21-03-F01")
    assert not clerk.can("front_office", "21-03-F02")
    assert not clerk.can("back_office", "21-03-F01")


async def test_citizen_and_non_admin_tokens_never_reach_admin_or_staff_endpoints(
    service: Service,
) -> None:
    citizen = await service.citizen_tokens()
    citizen_headers = {"Authorization": f"Bearer {citizen['access_token']}"}
    kpi_headers = await service.bearer("nation.kpi")
    for headers in (citizen_headers, kpi_headers):
        for method, path in [
            ("GET", f"{API}/admin/staff"),
            ("POST", f"{API}/admin/staff"),
            ("GET", f"{API}/admin/partners"),
            ("GET", f"{API}/admin/audit"),
        ]:
            response = await service.client.request(method, path, headers=headers, json={})
            assert response.status_code in (403, 404), (path, response.text)
    password = await service.client.post(
        f"{API}/staff/password",
        headers=citizen_headers,
        json={"current_password": "x" * 10, "new_password": "y" * 12},
    )
    assert password.status_code == 403
    admin = await service.client.get(f"{API}/admin/staff", headers=await service.bearer("admin"))
    assert admin.status_code == 200
