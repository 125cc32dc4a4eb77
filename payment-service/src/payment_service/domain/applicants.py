"""Whose invoice it is: the applicant reference request-service puts on its events.

``applicant.ref`` is ``"nid-" + HMAC-SHA256(APPLICANT_REF_KEY, national ID)`` (32 hex
digits, docs/requests.md), or the subject of a citizen token without the
``national_id`` claim. payment-service holds the same key, so a citizen token's
verified ``national_id`` claim gives the reference its invoices carry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

NATIONAL_ID_CLAIM = "national_id"


def national_id_ref(key: bytes, national_id: str) -> str:
    """The applicant reference of a national ID (14 ASCII digits) under ``key``."""
    return "nid-" + hmac.new(key, national_id.encode(), hashlib.sha256).hexdigest()[:32]


def owner_refs(key: bytes, subject: str, claims: Mapping[str, Any]) -> frozenset[str]:
    """The references a citizen owns: their national ID's (when the claim is 14 digits) and their subject."""
    national_id = claims.get(NATIONAL_ID_CLAIM)
    if (
        isinstance(national_id, str)
        and len(national_id) == 14
        and national_id.isascii()
        and national_id.isdigit()
    ):
        return frozenset({subject, national_id_ref(key, national_id)})
    return frozenset({subject})
