"""Request bodies the admin tests send: a service definition from its read shape, a fee schedule."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.catalog.conftest import Catalogue

API = "/api/v1/catalog"


def definition(detail: dict[str, Any]) -> dict[str, Any]:
    """A service's read shape turned into the write shape (``PUT``/``POST`` body)."""
    return {
        "name": detail["name"],
        "description": detail["description"],
        "category": detail["category"]["code"],
        "department": detail["department"]["code"],
        "sla_days": detail["sla_days"],
        "online": detail["online"],
        "channels": detail["channels"],
        "centre_kinds": detail["centre_kinds"],
        "steps": [{"text": s["text"]} for s in detail["steps"]],
        "documents": detail["documents"],
        "fields": [
            {k: v for k, v in f.items() if v is not None and (k != "options" or v)}
            for f in detail["fields"]
        ],
        "keywords": detail["keywords"],
    }


async def new_service_body(catalogue: Catalogue, code: str = "BLD-090") -> dict[str, Any]:
    detail = (await catalogue.client.get(f"{API}/services/BLD-004")).json()
    body = definition(detail)
    body["code"] = code
    body["name"] = {"ar": "ترخيص تركيب مصعد", "en": "Lift installation permit"}
    return body


def fee_body(governorate: str | None, starts: date, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "governorate": governorate,
        "effective_from": starts.isoformat(),
        "items": [
            {
                "code": "review",
                "name": {"ar": "رسم فحص الرسومات", "en": "Drawings review fee"},
                "rule": "fixed",
                "amount_piasters": 130000,
            },
            {
                "code": "permit",
                "name": {"ar": "رسم الترخيص", "en": "Permit fee"},
                "rule": "per_m2",
                "rate_piasters": 500,
                "inputs": ["built_area"],
                "minimum_piasters": 30000,
                "maximum_piasters": 9000000,
            },
        ],
    }
    body.update(overrides)
    return body
