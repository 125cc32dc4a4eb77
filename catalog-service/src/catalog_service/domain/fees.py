"""Fee schedules: national defaults, governorate overrides, effective periods, quotes.

Money is integer piasters (EGP × 100). A schedule applies on [effective_from,
effective_to); ``effective_to`` None means open-ended. For one service and one
governorate (None = national default) periods must not overlap.

Item rules:
- ``fixed``: ``amount`` piasters.
- ``per_m2``: ``rate`` piasters per square metre of the area input.
- ``per_unit``: ``rate`` piasters per unit, the quantity being the product of the
  inputs (e.g. m² × months of road occupancy, heads of cattle, trips).
Rated items round the product half-up to a piaster, then clamp to
[``minimum``, ``maximum``] where given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from mahaliyat.digits import InvalidNumber, parse_decimal


class FeeRule(StrEnum):
    FIXED = "fixed"
    PER_M2 = "per_m2"
    PER_UNIT = "per_unit"


class FeeRuleError(ValueError):
    """An invalid fee item or schedule (the API answers 422 naming each field).

    ``errors`` holds every (field, code) found; ``field`` and ``code`` are the first.
    """

    def __init__(self, field: str, code: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.errors: tuple[tuple[str, str], ...] = tuple(errors) or ((field, code),)

    @classmethod
    def of(cls, errors: Sequence[tuple[str, str]]) -> FeeRuleError:
        return cls(*errors[0], errors)


class FeeInputError(ValueError):
    """Quote inputs missing or unusable (the API answers 422 naming each field).

    ``errors`` holds every (field, code) found; ``field`` and ``code`` are the first.
    """

    def __init__(self, field: str, code: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.errors: tuple[tuple[str, str], ...] = tuple(errors) or ((field, code),)

    @classmethod
    def of(cls, errors: Sequence[tuple[str, str]]) -> FeeInputError:
        return cls(*errors[0], errors)


@dataclass(frozen=True, slots=True)
class FeeItem:
    code: str
    name_ar: str
    name_en: str
    rule: FeeRule
    amount: int = 0  # fixed items, piasters
    rate: int = 0  # rated items, piasters per unit
    inputs: tuple[str, ...] = ()  # form-field names multiplied into the quantity
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        if errors := item_errors(self):
            raise FeeRuleError.of(errors)


def item_errors(item: FeeItem) -> list[tuple[str, str]]:
    """Every (attribute, code) that makes ``item`` invalid, in the order a reader checks them."""
    errors: list[tuple[str, str]] = []
    if not item.code:
        errors.append(("code", "fee.item_code_missing"))
    whole: dict[str, int | None] = {}
    for name in ("amount", "rate", "minimum", "maximum"):
        value = getattr(item, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            errors.append((name, "fee.not_integer_piasters"))
        elif value is not None and value < 0:
            errors.append((name, "fee.negative"))
        else:
            whole[name] = value
    if item.rule is FeeRule.FIXED:
        if item.inputs or item.rate or item.minimum is not None or item.maximum is not None:
            errors.append(("rule", "fee.fixed_takes_amount_only"))
        return errors
    if item.amount:
        errors.append(("amount", "fee.rated_takes_rate"))
    if not item.inputs:
        errors.append(("inputs", "fee.inputs_missing"))
    elif item.rule is FeeRule.PER_M2 and len(item.inputs) != 1:
        errors.append(("inputs", "fee.per_m2_takes_one_area"))
    low, high = whole.get("minimum"), whole.get("maximum")
    if low is not None and high is not None and low > high:
        errors.append(("minimum", "fee.minimum_above_maximum"))
    return errors


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    service_code: str
    governorate_code: str | None  # None: the national default
    effective_from: date
    effective_to: date | None
    items: tuple[FeeItem, ...]

    def __post_init__(self) -> None:
        errors = period_errors(self.effective_from, self.effective_to)
        codes = [i.code for i in self.items]
        if len(codes) != len(set(codes)):
            errors.append(("items", "fee.item_code_duplicate"))
        if errors:
            raise FeeRuleError.of(errors)

    @property
    def free(self) -> bool:
        return not self.items

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def overlaps(self, other: FeeSchedule) -> bool:
        """Same service and governorate, and the two [from, to) periods intersect."""
        if (self.service_code, self.governorate_code) != (
            other.service_code,
            other.governorate_code,
        ):
            return False
        starts_before_other_ends = (
            other.effective_to is None or self.effective_from < other.effective_to
        )
        ends_after_other_starts = (
            self.effective_to is None or other.effective_from < self.effective_to
        )
        return starts_before_other_ends and ends_after_other_starts


def period_errors(effective_from: date, effective_to: date | None) -> list[tuple[str, str]]:
    """A period [from, to) must hold at least one day."""
    if effective_to is not None and effective_to <= effective_from:
        return [("effective_to", "fee.period_empty")]
    return []


def schedule_for(
    schedules: Iterable[FeeSchedule], service_code: str, governorate_code: str | None, on: date
) -> FeeSchedule | None:
    """The schedule that applies: the governorate's override in effect, else the national one."""
    national: FeeSchedule | None = None
    for s in schedules:
        if s.service_code != service_code or not s.in_effect(on):
            continue
        if governorate_code is not None and s.governorate_code == governorate_code:
            return s
        if s.governorate_code is None:
            national = s
    return national


def find_overlaps(schedules: Iterable[FeeSchedule]) -> list[tuple[FeeSchedule, FeeSchedule]]:
    """Every pair of schedules for the same service and governorate whose periods overlap."""
    groups: dict[tuple[str, str | None], list[FeeSchedule]] = defaultdict(list)
    for s in schedules:
        groups[(s.service_code, s.governorate_code)].append(s)
    clashes: list[tuple[FeeSchedule, FeeSchedule]] = []
    for group in groups.values():
        group.sort(key=lambda s: s.effective_from)
        for i, first in enumerate(group):
            clashes.extend((first, second) for second in group[i + 1 :] if first.overlaps(second))
    return clashes


def conflicting_schedule(
    existing: Iterable[FeeSchedule], candidate: FeeSchedule
) -> FeeSchedule | None:
    """The first existing schedule the candidate would overlap (refuse it: 409), or None."""
    return next((s for s in existing if s != candidate and s.overlaps(candidate)), None)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    item_code: str
    name_ar: str
    name_en: str
    quantity: Decimal | None  # None for fixed items
    amount: int  # piasters


@dataclass(frozen=True, slots=True)
class Quote:
    service_code: str
    governorate_code: str | None  # the schedule's governorate; None when national
    effective_from: date
    lines: tuple[QuoteLine, ...]
    total: int  # piasters


def _number(field: str, value: object) -> Decimal:
    if isinstance(value, bool):
        raise FeeInputError(field, "fee.input_not_number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = parse_decimal(value)
        except InvalidNumber:
            raise FeeInputError(field, "fee.input_not_number") from None
    else:
        raise FeeInputError(field, "fee.input_not_number")
    if not number.is_finite():
        raise FeeInputError(field, "fee.input_not_number")
    if number < 0:
        raise FeeInputError(field, "fee.input_negative")
    return number


def _line(item: FeeItem, inputs: Mapping[str, object]) -> QuoteLine:
    if item.rule is FeeRule.FIXED:
        return QuoteLine(item.code, item.name_ar, item.name_en, None, item.amount)
    quantity = Decimal(1)
    errors: list[tuple[str, str]] = []
    for name in item.inputs:
        try:
            if inputs.get(name) is None:
                raise FeeInputError(name, "fee.input_missing")
            quantity *= _number(name, inputs[name])
        except FeeInputError as exc:
            errors.append((exc.field, exc.code))
    if errors:
        raise FeeInputError.of(errors)
    amount = int((quantity * item.rate).to_integral_value(rounding=ROUND_HALF_UP))
    if item.minimum is not None:
        amount = max(amount, item.minimum)
    if item.maximum is not None:
        amount = min(amount, item.maximum)
    return QuoteLine(item.code, item.name_ar, item.name_en, quantity, amount)


def quote(schedule: FeeSchedule, inputs: Mapping[str, object] | None = None) -> Quote:
    """Line items and total in piasters for ``inputs`` (form values such as ``built_area``)."""
    lines: list[QuoteLine] = []
    errors: dict[tuple[str, str], None] = {}  # in order, each input once
    for item in schedule.items:
        try:
            lines.append(_line(item, inputs or {}))
        except FeeInputError as exc:
            errors.update(dict.fromkeys(exc.errors))
    if errors:
        raise FeeInputError.of(list(errors))
    return Quote(
        schedule.service_code,
        schedule.governorate_code,
        schedule.effective_from,
        tuple(lines),
        sum(line.amount for line in lines),
    )


def required_inputs(items: Sequence[FeeItem]) -> tuple[str, ...]:
    """The input names a quote for these items needs, in first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        for name in item.inputs:
            seen.setdefault(name)
    return tuple(seen)


def input_errors(items: Sequence[FeeItem], numeric_fields: Iterable[str]) -> list[tuple[str, str]]:
    """Rated items must multiply the service's number or area fields: (``items.i.inputs``, code)."""
    known = frozenset(numeric_fields)
    return [
        (f"items.{i}.inputs", "fee.input_not_a_number_field")
        for i, item in enumerate(items)
        if any(name not in known for name in item.inputs)
    ]
