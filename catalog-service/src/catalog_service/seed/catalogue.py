"""The service catalogue and its fee schedules, from data/library.json and data/services/.

Service files refer to shared definitions by key: ``"?key"`` marks an optional
document or field, ``"@applicant"`` expands to name, national ID and mobile.
A ``families`` entry generates one service per variant from a template whose
strings carry ``{placeholders}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from catalog_service.domain.catalogue import (
    Category,
    Channel,
    Department,
    FieldKind,
    FormField,
    Option,
    ProcedureStep,
    RequiredDocument,
    Service,
)
from catalog_service.domain.centres import CentreKind
from catalog_service.domain.fees import FeeItem, FeeRule, FeeSchedule
from catalog_service.seed._files import list_json, read_json

# National default schedules in the service files apply from the 2024/25 fiscal year.
NATIONAL_FEES_FROM = date(2024, 7, 1)

_APPLICANT = ("applicant_name", "applicant_nid", "applicant_phone")
_KINDS = {
    "F": CentreKind.FIXED,
    "H": CentreKind.GOVERNORATE_HQ,
    "M": CentreKind.MOBILE,
    "L": CentreKind.LICENSING,
}


@cache
def _library() -> dict[str, Any]:
    library: dict[str, Any] = read_json("library.json")
    return library


@cache
def _service_files() -> tuple[dict[str, Any], ...]:
    return tuple(read_json("services", name) for name in list_json("services"))


@cache
def load_categories() -> tuple[Category, ...]:
    return tuple(
        Category(code, ar, en, order)
        for order, (code, ar, en) in enumerate(_library()["categories"], start=1)
    )


@cache
def load_departments() -> tuple[Department, ...]:
    return tuple(Department(code, ar, en) for code, ar, en in _library()["departments"])


def _optional(ref: str) -> tuple[str, bool]:
    return (ref[1:], False) if ref.startswith("?") else (ref, True)


def _document(ref: str) -> RequiredDocument:
    key, required = _optional(ref)
    ar, en = _library()["documents"][key]
    return RequiredDocument(key, ar, en, required)


def _fields(refs: list[str]) -> tuple[FormField, ...]:
    result: list[FormField] = []
    for ref in refs:
        names = _APPLICANT if ref == "@applicant" else (ref,)
        for name in names:
            key, required = _optional(name)
            spec = _library()["fields"][key]
            options = tuple(
                Option(*row) for row in _library()["option_sets"].get(spec.get("options", ""), [])
            )
            if spec.get("options") and not options:
                raise KeyError(f"unknown option set {spec['options']!r} for field {key!r}")
            result.append(
                FormField(
                    name=key,
                    kind=FieldKind(spec["kind"]),
                    label_ar=spec["ar"],
                    label_en=spec["en"],
                    required=required,
                    min_value=spec.get("min"),
                    max_value=spec.get("max"),
                    max_length=spec.get("max_length"),
                    options=options,
                )
            )
    return tuple(result)


def _steps(spec: str | list[list[str]]) -> tuple[ProcedureStep, ...]:
    rows = _library()["procedures"][spec] if isinstance(spec, str) else spec
    return tuple(ProcedureStep(i, ar, en) for i, (ar, en) in enumerate(rows, start=1))


def _channels(kinds: tuple[CentreKind, ...], online: bool, partner: bool) -> tuple[Channel, ...]:
    channels: list[Channel] = []
    if set(kinds) - {CentreKind.MOBILE}:
        channels.append(Channel.CENTRE)
    if CentreKind.MOBILE in kinds:
        channels.append(Channel.MOBILE_CENTRE)
    if online:
        channels += [Channel.PORTAL, Channel.APP]
    if partner:
        channels.append(Channel.PARTNER_API)
    return tuple(channels)


def fee_item(spec: str | Mapping[str, Any]) -> FeeItem:
    """A fee item from its data form: a library key, or fixed / per_m2 / per_unit."""
    if isinstance(spec, str):
        common = _library()["fee_items"][spec]
        return FeeItem(spec, common["ar"], common["en"], FeeRule.FIXED, amount=common["fixed"])
    base = {"code": spec["code"], "name_ar": spec["ar"], "name_en": spec["en"]}
    if "fixed" in spec:
        return FeeItem(**base, rule=FeeRule.FIXED, amount=spec["fixed"])
    if "per_m2" in spec:
        rule, rate, inputs = FeeRule.PER_M2, spec["per_m2"], (spec["input"],)
    else:
        rule, rate, inputs = FeeRule.PER_UNIT, spec["per_unit"], tuple(spec["inputs"])
    return FeeItem(
        **base,
        rule=rule,
        rate=rate,
        inputs=inputs,
        minimum=spec.get("min"),
        maximum=spec.get("max"),
    )


def _expand(template: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(template, str):
        return template.format_map(variables)
    if isinstance(template, list):
        return [_expand(t, variables) for t in template]
    if isinstance(template, dict):
        return {k: _expand(v, variables) for k, v in template.items()}
    return template


def _rows(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The service rows of one file, families expanded, category defaults applied."""
    rows: list[dict[str, Any]] = list(document.get("services", []))
    for family in document.get("families", []):
        for variant in family["variants"]:
            row = _expand(family["template"], variant)
            row["code"] = variant["code"]
            rows.append(row)
    defaults = document.get("defaults", {})
    return [{**defaults, **row, "category": document["category"]} for row in rows]


def _service(row: Mapping[str, Any]) -> Service:
    kinds = tuple(_KINDS[k] for k in row["kinds"])
    online = bool(row["online"])
    return Service(
        code=row["code"],
        name_ar=row["ar"],
        name_en=row["en"],
        description_ar=row["desc_ar"],
        description_en=row["desc_en"],
        category_code=row["category"],
        department_code=row["dept"],
        sla_days=row["sla"],
        online=online,
        channels=_channels(kinds, online, bool(row.get("partner"))),
        centre_kinds=kinds,
        steps=_steps(row["steps"]),
        documents=tuple(_document(d) for d in row["docs"]),
        fields=_fields(row["fields"]),
        keywords_ar=tuple(row.get("kw_ar", ())),
        keywords_en=tuple(row.get("kw_en", ())),
        active=row.get("active", True),
    )


@cache
def load_services() -> tuple[Service, ...]:
    """Every service, ordered by category then code."""
    order = {c.code: c.order for c in load_categories()}
    services = [_service(row) for doc in _service_files() for row in _rows(doc)]
    return tuple(sorted(services, key=lambda s: (order[s.category_code], s.code)))


@cache
def load_fee_schedules() -> tuple[FeeSchedule, ...]:
    """National defaults (from the service files), past national schedules and
    governorate overrides (from data/fee_schedules.json)."""
    schedules = [
        FeeSchedule(
            row["code"],
            None,
            NATIONAL_FEES_FROM,
            None,
            tuple(fee_item(i) for i in row["fee"]),
        )
        for doc in _service_files()
        for row in _rows(doc)
    ]
    for row in read_json("fee_schedules.json")["schedules"]:
        schedules.append(
            FeeSchedule(
                row["service"],
                row["governorate"],
                date.fromisoformat(row["from"]),
                date.fromisoformat(row["to"]) if row.get("to") else None,
                tuple(fee_item(i) for i in row["items"]),
            )
        )
    return tuple(schedules)
