"""What this service reads from the catalogue, parsed from catalog-service's contract shapes.

Parsing is strict about what the request service relies on and ignores the rest,
so catalog-service may add fields freely (docs/contracts.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from request_service.domain.documents import ALL_FORMATS, DocumentFormat, DocumentRequirement
from request_service.domain.text import Bilingual


class CatalogueFormatError(ValueError):
    """The catalogue answered with something this service cannot use."""


class Channel(StrEnum):
    CENTRE = "centre"
    MOBILE_CENTRE = "mobile_centre"
    PORTAL = "portal"
    APP = "app"
    PARTNER_API = "partner_api"


ONLINE_CHANNELS = frozenset({Channel.PORTAL, Channel.APP})
FIELD_KINDS = frozenset(
    {"text", "number", "date", "choice", "multi_choice", "national_id", "phone", "area_m2"}
)


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    name: Bilingual


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    kind: str
    label: Bilingual
    required: bool = True
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None
    options: tuple[Option, ...] = ()

    @property
    def option_codes(self) -> frozenset[str]:
        return frozenset(o.code for o in self.options)


@dataclass(frozen=True, slots=True)
class ServiceDefinition:
    code: str
    name: Bilingual
    department_code: str
    active: bool
    online: bool
    sla_days: int | None
    channels: frozenset[str]
    centre_kinds: frozenset[str]
    documents: tuple[DocumentRequirement, ...]
    fields: tuple[FormField, ...]
    fee_inputs: tuple[str, ...]  # form fields the fee items are computed from
    has_fees: bool
    workflow: Sequence[Mapping[str, Any]] | None = None  # per-service transitions, when given

    def document(self, code: str) -> DocumentRequirement | None:
        return next((d for d in self.documents if d.code == code), None)


@dataclass(frozen=True, slots=True)
class Centre:
    code: str
    kind: str  # fixed | governorate_hq | mobile | licensing
    governorate: str
    name: Bilingual
    active: bool


@dataclass(frozen=True, slots=True)
class QuoteLine:
    item_code: str
    name: Bilingual
    quantity: str
    amount_piasters: int


@dataclass(frozen=True, slots=True)
class Quote:
    service_code: str
    governorate: str
    on: date
    lines: tuple[QuoteLine, ...]
    total_piasters: int

    def lines_json(self) -> list[dict[str, Any]]:
        return [
            {
                "item_code": line.item_code,
                "name": line.name.as_dict(),
                "quantity": line.quantity,
                "amount_piasters": line.amount_piasters,
            }
            for line in self.lines
        ]


# --- parsing ------------------------------------------------------------------------------


def _str(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise CatalogueFormatError(f"{key}: expected a non-empty string")
    return value


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise CatalogueFormatError(f"not a number: {value!r}") from None


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueFormatError(f"{what}: expected an integer")
    return value


def _field(doc: Mapping[str, Any]) -> FormField:
    kind = _str(doc, "kind")
    if kind not in FIELD_KINDS:
        raise CatalogueFormatError(f"unknown field kind {kind!r}")
    max_length = doc.get("max_length")
    return FormField(
        name=_str(doc, "name"),
        kind=kind,
        label=Bilingual.of(doc.get("label")),
        required=bool(doc.get("required", True)),
        min_value=_decimal(doc.get("min_value")),
        max_value=_decimal(doc.get("max_value")),
        max_length=_int(max_length, "max_length") if max_length is not None else None,
        options=tuple(
            Option(_str(o, "code"), Bilingual.of(o.get("name"))) for o in doc.get("options") or ()
        ),
    )


def _document(doc: Mapping[str, Any]) -> DocumentRequirement:
    raw_formats = doc.get("formats")
    formats = ALL_FORMATS
    if raw_formats:
        try:
            formats = frozenset(DocumentFormat(str(f).lower()) for f in raw_formats)
        except ValueError:
            raise CatalogueFormatError(f"unknown document format in {raw_formats!r}") from None
    return DocumentRequirement(
        code=_str(doc, "code"),
        name=Bilingual.of(doc.get("name")),
        required=bool(doc.get("required", True)),
        formats=formats,
    )


def parse_service(doc: Mapping[str, Any]) -> ServiceDefinition:
    """A service from ``GET /api/v1/catalog/services/{code}`` (or a catalogue event's data)."""
    try:
        department = doc.get("department") or {}
        fees = doc.get("fees") or {}
        items = fees.get("items") or []
        fee_inputs: list[str] = []
        for item in items:
            for name in item.get("inputs") or ():
                if name not in fee_inputs:
                    fee_inputs.append(str(name))
        sla = doc.get("sla_days")
        workflow = doc.get("workflow")
        transitions = workflow.get("transitions") if isinstance(workflow, Mapping) else None
        return ServiceDefinition(
            code=_str(doc, "code"),
            name=Bilingual.of(doc.get("name")),
            department_code=str(department.get("code") or "general"),
            active=bool(doc.get("active", True)),
            online=bool(doc.get("online", False)),
            sla_days=_int(sla, "sla_days") if sla is not None else None,
            channels=frozenset(str(c) for c in doc.get("channels") or ()),
            centre_kinds=frozenset(str(k) for k in doc.get("centre_kinds") or ()),
            documents=tuple(_document(d) for d in doc.get("documents") or ()),
            fields=tuple(_field(f) for f in doc.get("fields") or ()),
            fee_inputs=tuple(fee_inputs),
            has_fees=bool(items) and fees.get("source") != "none",
            workflow=list(transitions) if isinstance(transitions, list) else None,
        )
    except (AttributeError, TypeError) as exc:
        raise CatalogueFormatError(f"malformed service document: {exc}") from exc


def parse_centre(doc: Mapping[str, Any]) -> Centre:
    try:
        return Centre(
            code=_str(doc, "code"),
            kind=_str(doc, "kind"),
            governorate=_str(doc, "governorate"),
            name=Bilingual.of(doc.get("name")),
            active=bool(doc.get("active", True)),
        )
    except (AttributeError, TypeError) as exc:
        raise CatalogueFormatError(f"malformed centre document: {exc}") from exc


def parse_quote(doc: Mapping[str, Any]) -> Quote:
    try:
        lines = tuple(
            QuoteLine(
                item_code=_str(line, "item_code"),
                name=Bilingual.of(line.get("name")),
                quantity=str(line.get("quantity", 1)),
                amount_piasters=_int(line.get("amount_piasters"), "amount_piasters"),
            )
            for line in doc.get("lines") or ()
        )
        return Quote(
            service_code=_str(doc, "service_code"),
            governorate=_str(doc, "governorate"),
            on=date.fromisoformat(_str(doc, "on")),
            lines=lines,
            total_piasters=_int(doc.get("total_piasters"), "total_piasters"),
        )
    except (AttributeError, TypeError, ValueError) as exc:
        if isinstance(exc, CatalogueFormatError):
            raise
        raise CatalogueFormatError(f"malformed quote: {exc}") from exc


# --- where a service is offered ------------------------------------------------------------


def walk_in_channel(centre: Centre) -> Channel:
    """A vehicle files on the mobile-centre channel; every other centre on the counter channel."""
    return Channel.MOBILE_CENTRE if centre.kind == "mobile" else Channel.CENTRE


def offer_problem(
    service: ServiceDefinition, channel: Channel, centre: Centre | None = None
) -> str | None:
    """Why ``service`` cannot be filed on ``channel`` (at ``centre``), or None when it can.

    Codes: ``service_inactive``, ``channel_not_offered``, ``not_online``,
    ``centre_inactive``, ``centre_not_offering``.
    """
    if not service.active:
        return "service_inactive"
    if channel.value not in service.channels:
        return "channel_not_offered"
    if channel in ONLINE_CHANNELS and not service.online:
        return "not_online"
    if centre is not None:
        if not centre.active:
            return "centre_inactive"
        if centre.kind not in service.centre_kinds:
            return "centre_not_offering"
    return None
