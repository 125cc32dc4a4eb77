"""Token verification: every claim checked, every classic forgery refused."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from fastapi import Depends, FastAPI

from mahaliyat.auth import (
    CurrentPrincipal,
    Principal,
    TokenError,
    TokenVerifier,
    covers,
    ensure_jurisdiction,
    require_jurisdiction,
    require_role,
)
from mahaliyat.problems import install_problem_handlers

ISSUER, AUDIENCE = "https://id.mahaliyat.test", "mahaliyat"


def jwk_of(public_key: Any, kid: str, alg: str) -> dict[str, Any]:
    entry = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(public_key))
    entry.update(kid=kid, use="sig", alg=alg)
    return entry  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    ed = ed25519.Ed25519PrivateKey.generate()
    es = ec.generate_private_key(ec.SECP256R1())
    other = ed25519.Ed25519PrivateKey.generate()
    return {"ed": ed, "es": es, "other": other}


@pytest.fixture
def verifier(keys: dict[str, Any]) -> TokenVerifier:
    jwks = {
        "keys": [
            jwk_of(keys["ed"].public_key(), "k1", "EdDSA"),
            jwk_of(keys["es"].public_key(), "k2", "ES256"),
        ]
    }
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "staff-17",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 300,
        "kind": "staff",
        "grants": [{"role": "kpi_viewer", "jurisdiction": "21"}],
        "scope": "kpi:read",
    }
    base.update(overrides)
    return base


def sign(key: Any, payload: dict[str, Any], kid: str = "k1", alg: str = "EdDSA") -> str:
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


async def test_valid_tokens_of_both_algorithms(
    verifier: TokenVerifier, keys: dict[str, Any]
) -> None:
    principal = await verifier.verify(sign(keys["ed"], claims()))
    assert principal.subject == "staff-17"
    assert principal.kind == "staff"
    assert principal.can("kpi_viewer", "21-03-F01")
    assert not principal.can("kpi_viewer", "02")
    assert principal.has_scope("kpi:read")
    assert (await verifier.verify(sign(keys["es"], claims(), "k2", "ES256"))).subject == "staff-17"


# Built when the test runs, not when it is collected: a long run would expire them first.
@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (lambda now: {"exp": now - 120}, "token_expired"),
        (lambda now: {"nbf": now + 3600}, "token_not_yet_valid"),
        (lambda now: {"iss": "https://evil.example"}, "wrong_issuer"),
        (lambda now: {"aud": "another-system"}, "wrong_audience"),
    ],
    ids=["expired", "not_yet_valid", "wrong_issuer", "wrong_audience"],
)
async def test_claims_are_checked(
    verifier: TokenVerifier,
    keys: dict[str, Any],
    overrides: Callable[[int], dict[str, Any]],
    code: str,
) -> None:
    payload = claims(**overrides(int(time.time())))
    with pytest.raises(TokenError) as caught:
        await verifier.verify(sign(keys["ed"], payload))
    assert caught.value.code == code


async def test_missing_claims_are_refused(verifier: TokenVerifier, keys: dict[str, Any]) -> None:
    payload = claims()
    del payload["exp"]
    with pytest.raises(TokenError):
        await verifier.verify(sign(keys["ed"], payload))


async def test_forgeries_are_refused(verifier: TokenVerifier, keys: dict[str, Any]) -> None:
    with pytest.raises(TokenError, match="unknown key"):
        await verifier.verify(sign(keys["other"], claims(), kid="k9"))
    with pytest.raises(TokenError) as caught:
        await verifier.verify(sign(keys["other"], claims(), kid="k1"))
    assert caught.value.code == "bad_signature"

    unsigned = jwt.encode(claims(), None, algorithm="none", headers={"kid": "k1"})  # type: ignore[arg-type]
    with pytest.raises(TokenError) as caught:
        await verifier.verify(unsigned)
    assert caught.value.code == "algorithm_not_allowed"

    public_pem = (
        keys["es"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = base64.urlsafe_b64encode(
        json.dumps({"alg": "HS256", "kid": "k2", "typ": "JWT"}).encode()
    ).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    import hashlib
    import hmac

    mac = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    confused = (header + b"." + body + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()
    with pytest.raises(TokenError) as caught:
        await verifier.verify(confused)
    assert caught.value.code == "algorithm_not_allowed"

    good = sign(keys["ed"], claims())
    head, _payload, signature = good.split(".")
    elevated = dict(claims(), grants=[{"role": "platform_admin", "jurisdiction": "EG"}])
    tampered_payload = base64.urlsafe_b64encode(json.dumps(elevated).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError) as caught:
        await verifier.verify(f"{head}.{tampered_payload}.{signature}")
    assert caught.value.code == "bad_signature"

    with pytest.raises(TokenError):
        await verifier.verify("not-a-jwt")


async def test_jwks_url_is_fetched_cached_and_refreshed_on_rotation(keys: dict[str, Any]) -> None:
    served = {"keys": [jwk_of(keys["ed"].public_key(), "k1", "EdDSA")]}
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=served)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    verifier = TokenVerifier(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url="http://id/.well-known/jwks.json",
        http_client=client,
        min_refresh_seconds=0,
    )
    for _ in range(3):
        await verifier.verify(sign(keys["ed"], claims()))
    assert len(calls) == 1
    served["keys"].append(jwk_of(keys["other"].public_key(), "k2", "EdDSA"))
    await verifier.verify(sign(keys["other"], claims(), kid="k2"))
    assert len(calls) == 2
    await client.aclose()


def test_jurisdiction_covers_by_hyphen_path() -> None:
    assert covers("EG", "02-01-F03")
    assert covers("21", "21")
    assert covers("21", "21-03")
    assert covers("21-03", "21-03-F01")
    assert not covers("2", "21")
    assert not covers("21", "02")
    assert not covers("21-03", "21-04")


async def test_dependencies_answer_401_403_and_404(
    verifier: TokenVerifier, keys: dict[str, Any]
) -> None:
    app = FastAPI()
    app.state.token_verifier = verifier
    install_problem_handlers(app)

    @app.get("/kpi/{governorate}", dependencies=[Depends(require_role("kpi_viewer"))])
    async def kpi(governorate: str, principal: CurrentPrincipal) -> dict[str, str]:
        ensure_jurisdiction(principal, "kpi_viewer", governorate)
        return {"governorate": governorate}

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:

        def bearer(payload: dict[str, Any]) -> dict[str, str]:
            return {"Authorization": f"Bearer {sign(keys['ed'], payload)}"}

        assert (await client.get("/kpi/21")).status_code == 401
        expired = await client.get("/kpi/21", headers=bearer(claims(exp=int(time.time()) - 100)))
        assert expired.status_code == 401
        assert expired.json()["code"] == "token_expired"
        assert expired.headers["content-type"] == "application/problem+json"
        assert (await client.get("/kpi/21", headers=bearer(claims()))).status_code == 200
        assert (await client.get("/kpi/02", headers=bearer(claims()))).status_code == 404
        citizen = claims(kind="citizen", grants=[{"role": "citizen", "jurisdiction": "EG"}])
        assert (await client.get("/kpi/21", headers=bearer(citizen))).status_code == 403
        national = claims(grants=[{"role": "kpi_viewer", "jurisdiction": "EG"}])
        assert (await client.get("/kpi/02", headers=bearer(national))).status_code == 200
        forged = {"X-Roles": "kpi_viewer", "X-Jurisdiction": "EG", "X-User-Id": "admin"}
        assert (await client.get("/kpi/02", headers=forged)).status_code == 401


def test_principal_roles() -> None:
    p = Principal("u", "staff")
    assert not p.has_role("auditor")
    assert p.roles == frozenset()


async def test_jwks_file_is_read_lazily_and_reread_on_rotation(
    keys: dict[str, Any], tmp_path: Any
) -> None:
    path = tmp_path / "jwks.json"
    verifier = TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, jwks_file=path, min_refresh_seconds=0
    )
    with pytest.raises(TokenError) as caught:  # the issuer has not written its keys yet
        await verifier.verify(sign(keys["ed"], claims()))
    assert caught.value.code == "keys_unavailable"
    path.write_text(json.dumps({"keys": [jwk_of(keys["ed"].public_key(), "k1", "EdDSA")]}))
    assert (await verifier.verify(sign(keys["ed"], claims()))).subject == "staff-17"
    rotated = [
        jwk_of(keys["other"].public_key(), "k2", "EdDSA"),
        jwk_of(keys["ed"].public_key(), "k1", "EdDSA"),
    ]
    path.write_text(json.dumps({"keys": rotated}))
    assert (await verifier.verify(sign(keys["other"], claims(), kid="k2"))).subject == "staff-17"


async def test_a_verified_token_is_cached_until_it_expires(
    verifier: TokenVerifier, keys: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sign(keys["ed"], claims(exp=int(time.time()) + 60))
    first = await verifier.verify(token)
    calls = []
    original = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    assert await verifier.verify(token) is first
    assert calls == []
    later = first.claims["exp"] + verifier.leeway + 1
    monkeypatch.setattr(time, "time", lambda: later)
    await verifier.verify(token)  # past its expiry the cache no longer vouches for it
    assert calls == [1]


async def test_require_jurisdiction_checks_the_path_or_query_code(
    verifier: TokenVerifier, keys: dict[str, Any]
) -> None:
    app = FastAPI()
    app.state.token_verifier = verifier
    install_problem_handlers(app)
    kpi_viewer = Depends(require_jurisdiction("kpi_viewer", param="governorate"))

    @app.get("/kpi/{governorate}/volumes")
    async def volumes(governorate: str, principal: Principal = kpi_viewer) -> dict[str, str]:
        return {"governorate": governorate, "viewer": principal.subject}

    @app.get("/centres", dependencies=[Depends(require_jurisdiction(param="within"))])
    async def centres(within: str) -> dict[str, str]:
        return {"within": within}

    def bearer(grants: list[dict[str, str]]) -> dict[str, str]:
        return {"Authorization": f"Bearer {sign(keys['ed'], claims(grants=grants))}"}

    giza = bearer([{"role": "kpi_viewer", "jurisdiction": "21"}])
    markaz = bearer([{"role": "kpi_viewer", "jurisdiction": "21-03"}])
    clerk = bearer([{"role": "front_office", "jurisdiction": "21"}])
    nobody = bearer([])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        assert (await client.get("/kpi/21/volumes")).status_code == 401
        inside = await client.get("/kpi/21-03-F01/volumes", headers=giza)
        assert inside.status_code == 200
        assert inside.json() == {"governorate": "21-03-F01", "viewer": "staff-17"}
        assert (await client.get("/kpi/21/volumes", headers=giza)).status_code == 200
        # Outside the grant: 404, as if it did not exist; above it too.
        outside = await client.get("/kpi/02/volumes", headers=giza)
        assert outside.status_code == 404
        assert outside.json()["code"] == "not_found"
        assert (await client.get("/kpi/21/volumes", headers=markaz)).status_code == 404
        assert (await client.get("/kpi/21-04/volumes", headers=markaz)).status_code == 404
        # Not a viewer anywhere: 403 (the role is missing, not the record).
        refused = await client.get("/kpi/21/volumes", headers=clerk)
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
        bad = await client.get("/kpi/21--03/volumes", headers=giza)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "governorate"
        assert bad.json()["errors"][0]["location"] == "path"

        # From the query string; with no roles named, a grant of any role counts.
        assert (await client.get("/centres?within=21-03", headers=clerk)).status_code == 200
        assert (await client.get("/centres?within=02", headers=clerk)).status_code == 404
        assert (await client.get("/centres?within=21", headers=nobody)).status_code == 403
        missing = await client.get("/centres", headers=clerk)
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "within"
        national = bearer([{"role": "auditor", "jurisdiction": "EG"}])
        assert (await client.get("/centres?within=02-01", headers=national)).status_code == 200
