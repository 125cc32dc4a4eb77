"""Test tokens signed with a local Ed25519 key; the service verifies them through a local JWKS."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519

from mahaliyat.auth import TokenVerifier

ISSUER, AUDIENCE, KID = "mahaliyat-identity", "mahaliyat", "test-key"

_KEY = ed25519.Ed25519PrivateKey.generate()


def jwks() -> dict[str, Any]:
    entry = json.loads(jwt.algorithms.get_default_algorithms()["EdDSA"].to_jwk(_KEY.public_key()))
    entry.update(kid=KID, use="sig", alg="EdDSA")
    return {"keys": [entry]}


def verifier() -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks())


# The people the tests file for (conftest's applicant() uses the first by default).
NATIONAL_ID = "28503122101234"  # born 1985-03-12 in Giza
OTHER_NATIONAL_ID = "29001010205678"  # born 1990-01-01 in Alexandria


def token(
    sub: str,
    kind: str,
    grants: list[tuple[str, str]],
    scope: str = "",
    **claims: str,
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": sub,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "kind": kind,
        "grants": [{"role": r, "jurisdiction": j} for r, j in grants],
        "scope": scope,
        **claims,
    }
    return jwt.encode(payload, _KEY, algorithm="EdDSA", headers={"kid": KID})


def citizen(sub: str, national_id: str | None = None, phone: str | None = None) -> str:
    """A citizen token; with ``national_id`` and ``phone`` the claims identity-service adds."""
    claims = {}
    if national_id is not None:
        claims["national_id"] = national_id
    if phone is not None:
        claims["phone_number"] = phone
    return token(sub, "citizen", [("citizen", "EG")], **claims)


def staff(sub: str, *grants: tuple[str, str]) -> str:
    return token(sub, "staff", list(grants))


def partner_token(
    sub: str, jurisdiction: str = "EG", scope: str = "requests:write requests:read"
) -> str:
    return token(sub, "partner", [("partner", jurisdiction)], scope)


class People:
    """Everyone the tests act as."""

    # Older tokens, without the national-ID and phone claims: known by their subject only.
    citizen_a = citizen("cit-A")
    citizen_b = citizen("cit-B")
    # Tokens with the claims: the holder of NATIONAL_ID, and someone else.
    citizen_nid = citizen("cit-C", NATIONAL_ID, "+201012345678")
    citizen_other = citizen("cit-D", OTHER_NATIONAL_ID, "+201112345678")
    clerk = staff("clerk-giza-1", ("front_office", "21-03-F01"))
    clerk2 = staff("clerk-giza-2", ("front_office", "21-03-F01"))
    clerk_hq = staff("clerk-giza-hq", ("front_office", "21"))
    clerk_mobile = staff("clerk-giza-mobile", ("front_office", "21-03-M01"))
    clerk_alex = staff("clerk-alex", ("front_office", "02"))
    # A clerk who is also a registered back-office officer: separation of duties must still hold.
    clerk_officer = staff("clerk-officer", ("front_office", "21-03-F01"), ("back_office", "21"))
    officer = staff("officer-giza-1", ("back_office", "21"))
    officer2 = staff("officer-giza-2", ("back_office", "21"))
    officer_alex = staff("officer-alex", ("back_office", "02"))
    manager = staff("manager-giza", ("centre_manager", "21"))
    manager_alex = staff("manager-alex", ("centre_manager", "02"))
    auditor = staff("auditor-eg", ("auditor", "EG"))
    admin = staff("admin-eg", ("platform_admin", "EG"))
    partner = partner_token("partner-moi")
    partner_alex = partner_token("partner-alex", "02")
    notifier = token("notification-service", "service", [("partner", "EG")], "requests:status")
    # A partner system holding requests:status (as identity's default partner scopes give it).
    partner_status = partner_token(
        "partner-status", scope="requests:write requests:read requests:status"
    )


OFFICERS = {
    "officer-giza-1": People.officer,
    "officer-giza-2": People.officer2,
    "clerk-officer": People.clerk_officer,
    "officer-alex": People.officer_alex,
}
