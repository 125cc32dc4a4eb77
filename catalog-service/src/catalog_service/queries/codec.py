"""The JSON forms of a service's nested parts, of fee items and of opening hours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from catalog_service.domain.catalogue import (
    FieldKind,
    FormField,
    Option,
    ProcedureStep,
    RequiredDocument,
)
from catalog_service.domain.centres import OpeningHours, Weekday
from catalog_service.domain.fees import FeeItem, FeeRule

JSON = dict[str, Any]


def steps_json(steps: Iterable[ProcedureStep]) -> list[JSON]:
    return [{"order": s.order, "ar": s.text_ar, "en": s.text_en} for s in steps]


def steps_of(rows: Iterable[Mapping[str, Any]]) -> tuple[ProcedureStep, ...]:
    return tuple(ProcedureStep(r["order"], r["ar"], r["en"]) for r in rows)


def documents_json(documents: Iterable[RequiredDocument]) -> list[JSON]:
    return [
        {"code": d.code, "ar": d.name_ar, "en": d.name_en, "required": d.required}
        for d in documents
    ]


def documents_of(rows: Iterable[Mapping[str, Any]]) -> tuple[RequiredDocument, ...]:
    return tuple(RequiredDocument(r["code"], r["ar"], r["en"], r["required"]) for r in rows)


def fields_json(fields: Iterable[FormField]) -> list[JSON]:
    return [
        {
            "name": f.name,
            "kind": f.kind.value,
            "ar": f.label_ar,
            "en": f.label_en,
            "required": f.required,
            "min": f.min_value,
            "max": f.max_value,
            "max_length": f.max_length,
            "options": [{"code": o.code, "ar": o.name_ar, "en": o.name_en} for o in f.options],
        }
        for f in fields
    ]


def fields_of(rows: Iterable[Mapping[str, Any]]) -> tuple[FormField, ...]:
    return tuple(
        FormField(
            name=r["name"],
            kind=FieldKind(r["kind"]),
            label_ar=r["ar"],
            label_en=r["en"],
            required=r["required"],
            min_value=r["min"],
            max_value=r["max"],
            max_length=r["max_length"],
            options=tuple(Option(o["code"], o["ar"], o["en"]) for o in r["options"]),
        )
        for r in rows
    )


def fee_items_json(items: Iterable[FeeItem]) -> list[JSON]:
    return [
        {
            "code": i.code,
            "ar": i.name_ar,
            "en": i.name_en,
            "rule": i.rule.value,
            "amount": i.amount,
            "rate": i.rate,
            "inputs": list(i.inputs),
            "minimum": i.minimum,
            "maximum": i.maximum,
        }
        for i in items
    ]


def fee_items_of(rows: Iterable[Mapping[str, Any]]) -> tuple[FeeItem, ...]:
    return tuple(
        FeeItem(
            code=r["code"],
            name_ar=r["ar"],
            name_en=r["en"],
            rule=FeeRule(r["rule"]),
            amount=r["amount"],
            rate=r["rate"],
            inputs=tuple(r["inputs"]),
            minimum=r["minimum"],
            maximum=r["maximum"],
        )
        for r in rows
    )


def hours_json(hours: Iterable[OpeningHours]) -> list[JSON]:
    return [
        {
            "weekday": int(h.weekday),
            "opens": h.opens.isoformat("minutes"),
            "closes": h.closes.isoformat("minutes"),
        }
        for h in hours
    ]


def hours_of(rows: Iterable[Mapping[str, Any]]) -> tuple[OpeningHours, ...]:
    return tuple(
        OpeningHours(
            Weekday(r["weekday"]), time.fromisoformat(r["opens"]), time.fromisoformat(r["closes"])
        )
        for r in rows
    )
