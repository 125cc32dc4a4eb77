"""The building permit's documents and when it needs an insurance document."""

from __future__ import annotations

import pytest

from licensing_service.domain.requirements import (
    SITE_SUITABILITY_DOCUMENTS,
    BuildingWorks,
    Document,
    building_permit_documents,
    insurance_required,
    missing_documents,
)

EGP = 100


@pytest.mark.parametrize(
    ("value", "above", "basements", "required"),
    [
        (1_000_000 * EGP - 1, 1, 0, False),
        (1_000_000 * EGP, 1, 0, True),
        (100 * EGP, 3, 0, False),
        (100 * EGP, 3, 1, True),
        (100 * EGP, 4, 0, True),
        (100 * EGP, 2, 1, False),
    ],
)
def test_insurance_at_one_million_pounds_or_four_storeys_basement_included(
    value: int, above: int, basements: int, required: bool
) -> None:
    works = BuildingWorks(value, above, basements)
    assert insurance_required(works) is required
    assert (Document.INSURANCE_DOCUMENT in building_permit_documents(works)) is required


def test_the_permit_needs_ownership_drawings_conditions_certificate_and_value() -> None:
    documents = building_permit_documents(BuildingWorks(500_000 * EGP, 2))
    assert {
        Document.OWNERSHIP_PROOF,
        Document.DRAWINGS,
        Document.PLANNING_CONDITIONS_CERTIFICATE,
        Document.WORKS_VALUE,
    } <= documents


def test_the_site_suitability_statement_needs_only_the_id_copy_and_a_sketch() -> None:
    assert {Document.ID_COPY, Document.SITE_SKETCH} == SITE_SUITABILITY_DOCUMENTS


def test_missing_documents_are_listed_in_a_stable_order() -> None:
    required = building_permit_documents(BuildingWorks(2_000_000 * EGP, 2))
    assert missing_documents(required, [Document.DRAWINGS, Document.OWNERSHIP_PROOF]) == (
        Document.SITE_SUITABILITY_STATEMENT,
        Document.PLANNING_CONDITIONS_CERTIFICATE,
        Document.WORKS_VALUE,
        Document.INSURANCE_DOCUMENT,
    )


def test_negative_works_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        BuildingWorks(-1, 2)
