"""Whose application it is: a keyed reference of the applicant's national ID, the same on every channel.

An application filed at a counter, in a vehicle, by a partner or by the citizen
online carries ``applicant_ref = "nid-" + HMAC-SHA256(key, national ID)`` (32 hex
digits): stable per person, so the citizen sees all of them and KPIs count
people, never the ID itself. Citizen tokens carry the verified ``national_id``
and ``phone_number`` claims (docs/contracts.md); older tokens without them are
known by their subject only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mahaliyat.identifiers import InvalidIdentifier, parse_mobile, parse_national_id

log = logging.getLogger(__name__)

NATIONAL_ID_CLAIM, PHONE_CLAIM = "national_id", "phone_number"


def national_id_ref(key: bytes, national_id: str) -> str:
    """The applicant reference of a national ID (14 ASCII digits) under ``key``."""
    return "nid-" + hmac.new(key, national_id.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class TokenIdentity:
    """What a citizen token says about the person: each None when the token does not say."""

    national_id: str | None = None  # 14 ASCII digits
    phone: str | None = None  # E.164, +20…


def token_identity(claims: Mapping[str, Any]) -> TokenIdentity:
    """The verified national ID and mobile number of a citizen token, when it carries them.

    A claim that is not what the contract says (14 digits; an Egyptian mobile in
    E.164) is treated as absent: the caller is then known by its subject only,
    which can never reach someone else's applications.
    """
    national_id = phone = None
    raw_id = claims.get(NATIONAL_ID_CLAIM)
    if isinstance(raw_id, str):
        if len(raw_id) == 14 and raw_id.isascii() and raw_id.isdigit():
            try:
                national_id = parse_national_id(raw_id).number
            except InvalidIdentifier:
                log.warning("a citizen token carries a malformed national_id claim; ignored")
        else:
            log.warning("a citizen token carries a malformed national_id claim; ignored")
    raw_phone = claims.get(PHONE_CLAIM)
    if isinstance(raw_phone, str):
        phone = _e164_mobile(raw_phone)
        if phone is None:
            log.warning("a citizen token carries a malformed phone_number claim; ignored")
    return TokenIdentity(national_id, phone)


def _e164_mobile(claim: str) -> str | None:
    """The claim when it is an Egyptian mobile already in E.164, as the contract says."""
    if not claim.startswith("+20"):
        return None
    try:
        return parse_mobile(claim)
    except InvalidIdentifier:
        return None
