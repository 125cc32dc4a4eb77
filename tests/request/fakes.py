"""An in-memory catalogue implementing ``CatalogueReader`` (not a mock), and a settable clock.

Services are kept as contract-shaped JSON (docs/contracts.md) and parsed by the
same code that parses catalog-service's answers.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from request_service.catalogue import QuoteRejected
from request_service.domain.catalogue import (
    Centre,
    Quote,
    ServiceDefinition,
    parse_centre,
    parse_quote,
    parse_service,
)


def _text(ar: str, en: str) -> dict[str, str]:
    return {"ar": ar, "en": en}


def service_doc(
    code: str,
    *,
    name: tuple[str, str],
    department: str,
    sla_days: int,
    channels: list[str],
    centre_kinds: list[str],
    online: bool = True,
    active: bool = True,
    documents: list[dict[str, Any]] | None = None,
    fields: list[dict[str, Any]] | None = None,
    fee_items: list[dict[str, Any]] | None = None,
    workflow: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": code,
        "name": _text(*name),
        "description": _text("وصف", "Description"),
        "category": {"code": "general", "name": _text("عام", "General")},
        "department": {"code": department, "name": _text(department, department)},
        "active": active,
        "online": online,
        "sla_days": sla_days,
        "channels": channels,
        "centre_kinds": centre_kinds,
        "steps": [{"order": 1, "text": _text("قدّم الطلب", "File the application")}],
        "documents": documents or [],
        "fields": fields or [],
        "fees": {
            "governorate": "21",
            "on": "2026-11-24",
            "source": "national" if fee_items else "none",
            "effective_from": "2026-01-01",
            "items": fee_items or [],
        },
    }
    if workflow is not None:
        doc["workflow"] = {"transitions": workflow}
    return doc


ALL_CHANNELS = ["centre", "mobile_centre", "portal", "app", "partner_api"]
NATIONAL_ID_COPY = {
    "code": "national_id_copy",
    "name": _text("صورة البطاقة", "ID card copy"),
    "required": True,
}

CERTIFICATE = service_doc(
    "CIV-001",
    name=("شهادة بيانات عقار", "Property data certificate"),
    department="services",
    sla_days=3,
    channels=ALL_CHANNELS,
    centre_kinds=["fixed", "governorate_hq", "mobile"],
    documents=[NATIONAL_ID_COPY],
    fields=[
        {
            "name": "purpose",
            "kind": "text",
            "label": _text("الغرض", "Purpose"),
            "required": True,
            "min_value": None,
            "max_value": None,
            "max_length": 200,
            "options": [],
        },
    ],
)

BUILDING_PERMIT = service_doc(
    "BLD-001",
    name=("ترخيص بناء", "Building permit"),
    department="planning",
    sla_days=26,
    channels=["centre", "portal", "app", "partner_api"],
    centre_kinds=["fixed", "governorate_hq", "licensing"],
    documents=[
        NATIONAL_ID_COPY,
        {
            "code": "site_sketch",
            "name": _text("كروكي الموقع", "Site sketch"),
            "required": True,
            "formats": ["pdf"],
        },
        {
            "code": "ownership_proof",
            "name": _text("سند الملكية", "Proof of ownership"),
            "required": False,
        },
    ],
    fields=[
        {
            "name": "area",
            "kind": "area_m2",
            "label": _text("المساحة", "Area"),
            "required": True,
            "min_value": 1,
            "max_value": 100000,
            "max_length": None,
            "options": [],
        },
        {
            "name": "floors",
            "kind": "number",
            "label": _text("الأدوار", "Floors"),
            "required": True,
            "min_value": 1,
            "max_value": 20,
            "max_length": None,
            "options": [],
        },
        {
            "name": "usage",
            "kind": "choice",
            "label": _text("الاستخدام", "Use"),
            "required": True,
            "min_value": None,
            "max_value": None,
            "max_length": None,
            "options": [
                {"code": "residential", "name": _text("سكني", "Residential")},
                {"code": "commercial", "name": _text("تجاري", "Commercial")},
            ],
        },
        {
            "name": "engineer_phone",
            "kind": "phone",
            "label": _text("هاتف المهندس", "Engineer's phone"),
            "required": False,
            "min_value": None,
            "max_value": None,
            "max_length": None,
            "options": [],
        },
    ],
    fee_items=[
        {
            "code": "review",
            "name": _text("رسم فحص", "Review fee"),
            "rule": "fixed",
            "amount_piasters": 5000,
            "rate_piasters": 0,
            "inputs": [],
            "minimum_piasters": None,
            "maximum_piasters": None,
        },
        {
            "code": "permit",
            "name": _text("رسم الترخيص", "Permit fee"),
            "rule": "per_unit",
            "amount_piasters": 0,
            "rate_piasters": 150,
            "inputs": ["area"],
            "minimum_piasters": 10000,
            "maximum_piasters": None,
        },
    ],
)

COUNTER_ONLY = service_doc(
    "OFF-001",
    name=("بدل فاقد", "Replacement"),
    department="services",
    sla_days=2,
    channels=["centre"],
    centre_kinds=["fixed"],
    online=False,
)

RETIRED = service_doc(
    "OLD-001",
    name=("خدمة ملغاة", "Retired service"),
    department="services",
    sla_days=5,
    channels=ALL_CHANNELS,
    centre_kinds=["fixed"],
    active=False,
)

FAST_TRACK = service_doc(
    "FST-001",
    name=("خدمة سريعة", "Fast-track service"),
    department="services",
    sla_days=1,
    channels=ALL_CHANNELS,
    centre_kinds=["fixed", "mobile"],
    workflow=[
        {"from": "submitted", "to": "in_processing", "roles": ["front_office"], "when": "no_fee"},
        {
            "from": "submitted",
            "to": "awaiting_payment",
            "roles": ["front_office"],
            "when": "fee_due",
        },
        {"from": "awaiting_payment", "to": "in_processing", "roles": ["system"]},
        {"from": "submitted", "to": "cancelled", "roles": ["citizen"]},
        {"from": "in_processing", "to": "approved", "roles": ["back_office"]},
        {"from": "approved", "to": "delivered", "roles": ["front_office"]},
    ],
)

# A catalogue entry breaking the platform's rules: a citizen approving their own application.
SELF_APPROVAL = service_doc(
    "BAD-001",
    name=("خدمة بمسار معيب", "Service with a broken workflow"),
    department="services",
    sla_days=2,
    channels=ALL_CHANNELS,
    centre_kinds=["fixed"],
    workflow=[
        {"from": "submitted", "to": "approved", "roles": ["citizen"]},
        {"from": "approved", "to": "delivered", "roles": ["citizen"]},
    ],
)

CENTRES = {
    "21-03-F01": {
        "code": "21-03-F01",
        "kind": "fixed",
        "governorate": "21",
        "subdivision": "21-03",
        "name": _text("مركز الدقي", "Dokki centre"),
        "active": True,
    },
    "21-03-M01": {
        "code": "21-03-M01",
        "kind": "mobile",
        "governorate": "21",
        "subdivision": "21-03",
        "name": _text("المركز المتنقل 1", "Mobile centre 1"),
        "active": True,
    },
    "21-03-F09": {
        "code": "21-03-F09",
        "kind": "fixed",
        "governorate": "21",
        "subdivision": "21-03",
        "name": _text("مركز مغلق", "Closed centre"),
        "active": False,
    },
    "02-01-F01": {
        "code": "02-01-F01",
        "kind": "fixed",
        "governorate": "02",
        "subdivision": "02-01",
        "name": _text("مركز المنتزه", "Montaza centre"),
        "active": True,
    },
}


class InMemoryCatalogue:
    """The ``CatalogueReader`` interface over documents held in memory."""

    def __init__(
        self,
        services: Mapping[str, dict[str, Any]] | None = None,
        centres: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        defaults = (CERTIFICATE, BUILDING_PERMIT, COUNTER_ONLY, RETIRED, FAST_TRACK, SELF_APPROVAL)
        self.services = copy.deepcopy(dict(services or {d["code"]: d for d in defaults}))
        self.centres = copy.deepcopy(dict(centres or CENTRES))
        self.invalidated: list[str | None] = []
        self.invalidated_centres: list[str | None] = []

    async def service(self, code: str, governorate: str, on: date) -> ServiceDefinition | None:
        doc = self.services.get(code)
        return None if doc is None else parse_service(doc)

    async def centre(self, code: str) -> Centre | None:
        doc = self.centres.get(code)
        return None if doc is None else parse_centre(doc)

    async def quote(
        self, code: str, governorate: str, on: date, inputs: Mapping[str, Any]
    ) -> Quote:
        doc = self.services[code]
        lines, errors = [], []
        for item in doc["fees"]["items"]:
            if item["rule"] == "fixed":
                amount, quantity = item["amount_piasters"], "1"
            else:
                name = item["inputs"][0]
                if name not in inputs:
                    errors.append(
                        {"field": f"inputs.{name}", "code": "required", "message": "missing"}
                    )
                    continue
                units = Decimal(str(inputs[name]))
                amount = int(
                    (units * item["rate_piasters"]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                )
                if item["minimum_piasters"] is not None:
                    amount = max(amount, item["minimum_piasters"])
                quantity = str(units)
            lines.append(
                {
                    "item_code": item["code"],
                    "name": item["name"],
                    "quantity": quantity,
                    "amount_piasters": amount,
                }
            )
        if errors:
            raise QuoteRejected(errors)
        return parse_quote(
            {
                "service_code": code,
                "governorate": governorate,
                "on": on.isoformat(),
                "effective_from": "2026-01-01",
                "lines": lines,
                "total_piasters": sum(line["amount_piasters"] for line in lines),
            }
        )

    def invalidate(self, service_code: str | None = None) -> None:
        self.invalidated.append(service_code)

    def invalidate_centre(self, centre_code: str | None = None) -> None:
        self.invalidated_centres.append(centre_code)

    async def close(self) -> None:
        return None


START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Cairo
