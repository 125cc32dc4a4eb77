"""Inspections by the authorities: opinions, checklists, coordinates."""

from __future__ import annotations

from datetime import date

import pytest

from licensing_service.domain.inspections import (
    SHOP_AUTHORITIES,
    Authority,
    ChecklistItem,
    Coordinates,
    Inspection,
    Opinion,
    combined_opinion,
    inspectors_of,
    missing_opinions,
)

CAIRO = Coordinates(30.0444, 31.2357)


def inspection(
    authority: Authority, opinion: Opinion = Opinion.APPROVE, **kw: object
) -> Inspection:
    return Inspection(authority, f"{authority}-1", date(2026, 3, 5), opinion, CAIRO, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(0.0, 0.0), (48.85, 2.35), (30.04, 38.0), (35.0, 31.2), (float("nan"), 31.0)],
)
def test_coordinates_outside_egypt_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match=r"Egypt|numbers"):
        Coordinates(lat, lon)


def test_aswan_and_alexandria_are_in_egypt() -> None:
    Coordinates(24.0889, 32.8998)
    Coordinates(31.2001, 29.9187)


def test_an_objection_must_say_why() -> None:
    with pytest.raises(ValueError, match="finding"):
        inspection(Authority.CIVIL_PROTECTION, Opinion.OBJECT)
    inspection(Authority.CIVIL_PROTECTION, Opinion.OBJECT, findings=("no fire exit",))
    inspection(
        Authority.CIVIL_PROTECTION,
        Opinion.OBJECT,
        checklist=(ChecklistItem("extinguisher", passed=False),),
    )


def test_a_failed_checklist_item_cannot_be_plainly_approved() -> None:
    with pytest.raises(ValueError, match="failed"):
        inspection(Authority.HEALTH, checklist=(ChecklistItem("ventilation", passed=False),))


def test_every_authority_must_record_its_opinion() -> None:
    done = [inspection(Authority.HEALTH), inspection(Authority.POLICE)]
    assert missing_opinions(SHOP_AUTHORITIES, done) == (
        Authority.CIVIL_PROTECTION,
        Authority.ENVIRONMENT,
        Authority.FOOD_SAFETY,
    )


def test_an_objection_outweighs_approvals_until_the_authority_inspects_again() -> None:
    objection = inspection(Authority.HEALTH, Opinion.OBJECT, findings=("no sink",))
    approvals = [inspection(Authority.POLICE), objection]
    assert combined_opinion(approvals) is Opinion.OBJECT
    again = Inspection(Authority.HEALTH, "h2", date(2026, 3, 20), Opinion.APPROVE, CAIRO)
    assert combined_opinion([*approvals, again]) is Opinion.APPROVE
    assert combined_opinion([]) is None
    assert inspectors_of([*approvals, again]) == {"police-1", "health-1", "h2"}
