"""Staff scorecards and incentive ratings per period, from rules kept as data per jurisdiction.

A rule set names, for a jurisdiction, the measures (indicator codes), each with a weight
and the value scoring 0 (``floor``) and 1 (``target``), linear in between and clamped;
the bands turn the weighted score into a rating. The most specific jurisdiction covering
the officer's (``mahaliyat.auth.covers``, the longest code) wins. An officer with fewer
decided applications than ``min_decided`` is not rated; a measure with no value is left
out and the other weights are renormalised.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kpi_service.domain.indicators import BY_CODE, Better, Scope, for_officer
from kpi_service.domain.rollup import Cell, CellKey
from mahaliyat.jurisdictions import covers


class InvalidRules(ValueError):
    """A rule set that cannot be used; ``errors`` lists why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Measure:
    indicator: str
    weight: Decimal
    floor: Decimal
    target: Decimal


@dataclass(frozen=True, slots=True)
class Band:
    """A rating from ``minimum`` (a score 0–1) up; ``incentive`` the share of the base incentive."""

    minimum: Decimal
    code: str
    name_ar: str
    name_en: str
    incentive: Decimal


@dataclass(frozen=True, slots=True)
class Rules:
    jurisdiction: str
    measures: tuple[Measure, ...]
    bands: tuple[Band, ...]  # highest minimum first
    min_decided: int = 1


def validate(rules: Rules) -> Rules:
    """The rules, or InvalidRules: known staff indicators, weights > 0 summing to 1,
    floor and target ordered by better-when, bands strictly descending ending at 0."""
    errors: list[str] = []
    if not rules.measures:
        errors.append("no measures")
    seen: set[str] = set()
    for m in rules.measures:
        indicator = BY_CODE.get(m.indicator)
        if indicator is None:
            errors.append(f"{m.indicator}: unknown indicator")
            continue
        if m.indicator in seen:
            errors.append(f"{m.indicator}: listed twice")
        seen.add(m.indicator)
        if m.weight <= 0:
            errors.append(f"{m.indicator}: weight must be positive")
        ordered = m.floor < m.target if indicator.better is Better.HIGHER else m.floor > m.target
        if not ordered:
            errors.append(
                f"{m.indicator}: floor and target out of order for {indicator.better} is better"
            )
    if sum((m.weight for m in rules.measures), Decimal(0)) != 1:
        errors.append("weights must sum to 1")
    minimums = [b.minimum for b in rules.bands]
    if not minimums:
        errors.append("no bands")
    elif any(a <= b for a, b in itertools.pairwise(minimums)) or minimums[-1] != 0:
        errors.append("band minimums must strictly descend and end at 0")
    elif minimums[0] > 1:
        errors.append("band minimums must be at most 1")
    if rules.min_decided < 0:
        errors.append("min_decided must not be negative")
    if errors:
        raise InvalidRules(errors)
    return rules


def rules_for(jurisdiction: str, rule_sets: Iterable[Rules]) -> Rules | None:
    """The most specific rule set whose jurisdiction covers ``jurisdiction``."""
    found = [r for r in rule_sets if covers(r.jurisdiction, jurisdiction)]
    if not found:
        return None
    depth = {
        r.jurisdiction: (0 if r.jurisdiction == "EG" else r.jurisdiction.count("-") + 1)
        for r in found
    }
    return max(found, key=lambda r: depth[r.jurisdiction])


@dataclass(frozen=True, slots=True)
class MeasureScore:
    indicator: str
    value: float | None
    score: Decimal | None
    weight: Decimal


@dataclass(frozen=True, slots=True)
class Scorecard:
    officer: str
    jurisdiction: str
    rules_jurisdiction: str
    decided: int
    measures: tuple[MeasureScore, ...]
    score: Decimal | None  # None: not rated
    band: Band | None


def _score(measure: Measure, value: float) -> Decimal:
    position = (Decimal(repr(value)) - measure.floor) / (measure.target - measure.floor)
    return min(Decimal(1), max(Decimal(0), position))


def scorecard(
    officer: str,
    jurisdiction: str,
    cells: Mapping[CellKey, Cell],
    scope: Scope,
    rule_sets: Iterable[Rules],
) -> Scorecard:
    """The officer's scorecard over ``scope`` (its days and jurisdiction) under the rules
    of ``jurisdiction`` (where the officer works)."""
    rules = rules_for(jurisdiction, rule_sets)
    if rules is None:
        raise LookupError(f"no scorecard rules cover {jurisdiction}")
    own = for_officer(scope, officer)
    decided = int(BY_CODE["STAFF_THROUGHPUT"].value(cells, own) or 0)
    scored: list[MeasureScore] = []
    for m in rules.measures:
        value = BY_CODE[m.indicator].value(cells, own)
        scored.append(
            MeasureScore(m.indicator, value, None if value is None else _score(m, value), m.weight)
        )
    present = [s for s in scored if s.score is not None]
    weight = sum((s.weight for s in present), Decimal(0))
    if decided < rules.min_decided or weight == 0:
        return Scorecard(
            officer, jurisdiction, rules.jurisdiction, decided, tuple(scored), None, None
        )
    raw = sum((s.weight * s.score for s in present if s.score is not None), Decimal(0)) / weight
    score = raw.quantize(Decimal("0.0001"))
    band = next(b for b in rules.bands if score >= b.minimum)
    return Scorecard(officer, jurisdiction, rules.jurisdiction, decided, tuple(scored), score, band)
