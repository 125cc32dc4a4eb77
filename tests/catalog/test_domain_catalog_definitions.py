"""Rules on service definitions, where a centre offers a service, and fee inputs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from catalog_service.domain.catalogue import (
    Channel,
    FieldKind,
    FormField,
    Option,
    Service,
    definition_errors,
    offered_at,
    walk_in_channel,
)
from catalog_service.domain.centres import CentreKind
from catalog_service.domain.fees import FeeItem, FeeRule, input_errors
from catalog_service.seed import load_services


def service(code: str = "BLD-002") -> Service:
    return next(s for s in load_services() if s.code == code)


def test_every_seeded_service_is_a_consistent_definition() -> None:
    assert [(s.code, definition_errors(s)) for s in load_services() if definition_errors(s)] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"online": False}, ("online", "online_mismatch")),
        ({"channels": (Channel.PORTAL, Channel.APP)}, ("channels", "centre_channel_mismatch")),
        ({"sla_days": 0}, ("sla_days", "out_of_range")),
    ],
)
def test_inconsistent_definitions_name_the_field(
    change: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert expected in definition_errors(replace(service(), **change))


def test_mobile_channel_goes_with_mobile_centres() -> None:
    s = service()
    assert CentreKind.MOBILE not in s.centre_kinds or Channel.MOBILE_CENTRE in s.channels
    without_vehicle = replace(
        s, centre_kinds=tuple(k for k in s.centre_kinds if k is not CentreKind.MOBILE)
    )
    if CentreKind.MOBILE in s.centre_kinds:
        assert ("channels", "mobile_channel_mismatch") in definition_errors(without_vehicle)


def test_fields_documents_and_options_are_checked() -> None:
    s = service()
    twice = replace(s, fields=(*s.fields, s.fields[0]))
    assert (f"fields.{len(s.fields)}.name", "duplicate") in definition_errors(twice)
    lonely = FormField("kind", FieldKind.CHOICE, "نوع", "Kind", options=(Option("a", "أ", "A"),))
    assert (f"fields.{len(s.fields)}.options", "options_missing") in definition_errors(
        replace(s, fields=(*s.fields, lonely))
    )
    text = FormField("note", FieldKind.TEXT, "ملاحظة", "Note", options=(Option("a", "أ", "A"),))
    assert (f"fields.{len(s.fields)}.options", "options_not_allowed") in definition_errors(
        replace(s, fields=(*s.fields, text))
    )
    bounds = FormField("n", FieldKind.NUMBER, "عدد", "Count", min_value=5, max_value=1)
    assert (f"fields.{len(s.fields)}.min_value", "minimum_above_maximum") in definition_errors(
        replace(s, fields=(*s.fields, bounds))
    )
    docs = replace(s, documents=(*s.documents, s.documents[0]))
    assert (f"documents.{len(s.documents)}.code", "duplicate") in definition_errors(docs)


def test_where_a_service_is_offered() -> None:
    assert walk_in_channel(CentreKind.MOBILE) is Channel.MOBILE_CENTRE
    assert walk_in_channel(CentreKind.LICENSING) is Channel.CENTRE
    s = service()
    for kind in CentreKind:
        assert offered_at(s, kind) is (kind in s.centre_kinds)
    assert not offered_at(replace(s, active=False), s.centre_kinds[0])
    # Listed kind but no counter channel: not offered for walk-ins.
    online_only = replace(s, channels=(Channel.PORTAL, Channel.APP))
    assert not any(offered_at(online_only, k) for k in CentreKind)


def test_fee_inputs_must_be_number_fields() -> None:
    items = (
        FeeItem("review", "فحص", "Review", FeeRule.FIXED, amount=100),
        FeeItem("permit", "ترخيص", "Permit", FeeRule.PER_M2, rate=5, inputs=("built_area",)),
    )
    assert input_errors(items, ["built_area"]) == []
    assert input_errors(items, ["shop_area"]) == [
        ("items.1.inputs", "fee.input_not_a_number_field")
    ]
