"""Inspections: who inspects, what they record, and whether every opinion is in.

A shop's standard or temporary licence is inspected by the authorities represented at the
licensing centre that its activity concerns (civil protection, health, environment, food
safety, police); a building permit by the centre's planning inspector. Each inspection
records one opinion; an objection must say why (a finding or a failed checklist item).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# A generous box around Egypt: catches zeros, typos and points abroad (not a border test).
EGYPT_LATITUDE = (21.7, 31.8)
EGYPT_LONGITUDE = (24.6, 37.0)


class Authority(StrEnum):
    CIVIL_PROTECTION = "civil_protection"
    HEALTH = "health"
    ENVIRONMENT = "environment"
    FOOD_SAFETY = "food_safety"
    POLICE = "police"
    PLANNING = "planning"  # the building permit's site inspection


SHOP_AUTHORITIES = frozenset(
    {
        Authority.CIVIL_PROTECTION,
        Authority.HEALTH,
        Authority.ENVIRONMENT,
        Authority.FOOD_SAFETY,
        Authority.POLICE,
    }
)


class Opinion(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    OBJECT = "object"


@dataclass(frozen=True, slots=True)
class Coordinates:
    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and math.isfinite(self.longitude)):
            raise ValueError("coordinates must be numbers")
        low, high = EGYPT_LATITUDE
        if not low <= self.latitude <= high:
            raise ValueError("latitude outside Egypt")
        low, high = EGYPT_LONGITUDE
        if not low <= self.longitude <= high:
            raise ValueError("longitude outside Egypt")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: str
    passed: bool
    note: str = ""


@dataclass(frozen=True, slots=True)
class Inspection:
    authority: Authority
    inspector: str  # person id
    inspected_on: date
    opinion: Opinion
    location: Coordinates
    checklist: tuple[ChecklistItem, ...] = ()
    findings: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()  # document-store references, not the pictures

    def __post_init__(self) -> None:
        failed = any(not item.passed for item in self.checklist)
        if self.opinion is not Opinion.APPROVE and not (self.findings or failed):
            raise ValueError("an objection or a condition must say why: a finding is needed")
        if self.opinion is Opinion.APPROVE and failed:
            raise ValueError("a failed checklist item cannot be approved without conditions")
        if len({item.code for item in self.checklist}) != len(self.checklist):
            raise ValueError("a checklist item is recorded once")


def missing_opinions(
    required: Collection[Authority], inspections: Iterable[Inspection]
) -> tuple[Authority, ...]:
    """The authorities that have not recorded an opinion yet, in a stable order."""
    done = {i.authority for i in inspections}
    return tuple(a for a in Authority if a in required and a not in done)


def combined_opinion(inspections: Iterable[Inspection]) -> Opinion | None:
    """The latest opinion of each authority, combined: any objection wins, then conditions."""
    latest: dict[Authority, Inspection] = {}
    for inspection in inspections:
        held = latest.get(inspection.authority)
        if held is None or inspection.inspected_on >= held.inspected_on:
            latest[inspection.authority] = inspection
    opinions = {i.opinion for i in latest.values()}
    if not opinions:
        return None
    for opinion in (Opinion.OBJECT, Opinion.APPROVE_WITH_CONDITIONS):
        if opinion in opinions:
            return opinion
    return Opinion.APPROVE


def inspectors_of(inspections: Iterable[Inspection]) -> frozenset[str]:
    """Who inspected the case (for the separation-of-duties check)."""
    return frozenset(i.inspector for i in inspections)
