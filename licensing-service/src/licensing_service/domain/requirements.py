"""The documents each procedure needs, and when a building permit needs an insurance document.

Law 119/2008 as amended by Decision 943/2024: the site-suitability statement is prepared
from a copy of the ID and a site sketch, and any proof of ownership is accepted (so the
ownership proof is one requirement whatever its form: a registered or preliminary contract,
a court ruling, a possession certificate...). The permit application needs the ownership
proof, the drawings, the engineer's certificate of the planning and building conditions and
the works' value; an insurance document too when the works are worth EGP 1,000,000 or more
or the building has four storeys or more, basement included.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

INSURANCE_VALUE_THRESHOLD = 100_000_000  # piasters: EGP 1,000,000 (reached at exactly that)
INSURANCE_STOREY_THRESHOLD = 4  # storeys, basements included


class Document(StrEnum):
    ID_COPY = "id_copy"
    SITE_SKETCH = "site_sketch"
    OWNERSHIP_PROOF = "ownership_proof"  # any form is accepted
    SITE_SUITABILITY_STATEMENT = "site_suitability_statement"
    DRAWINGS = "drawings"
    PLANNING_CONDITIONS_CERTIFICATE = "planning_conditions_certificate"  # by the engineer
    WORKS_VALUE = "works_value"  # the cost estimate of the works
    INSURANCE_DOCUMENT = "insurance_document"


@dataclass(frozen=True, slots=True)
class BuildingWorks:
    value: int  # piasters
    storeys_above_ground: int
    basements: int = 0

    def __post_init__(self) -> None:
        if self.value < 0 or self.storeys_above_ground < 0 or self.basements < 0:
            raise ValueError("the works' value and storey counts cannot be negative")

    @property
    def storeys(self) -> int:
        return self.storeys_above_ground + self.basements


def insurance_required(works: BuildingWorks) -> bool:
    return works.value >= INSURANCE_VALUE_THRESHOLD or works.storeys >= INSURANCE_STOREY_THRESHOLD


SITE_SUITABILITY_DOCUMENTS = frozenset({Document.ID_COPY, Document.SITE_SKETCH})
BUILDING_PERMIT_DOCUMENTS = frozenset(
    {
        Document.OWNERSHIP_PROOF,
        Document.SITE_SUITABILITY_STATEMENT,
        Document.DRAWINGS,
        Document.PLANNING_CONDITIONS_CERTIFICATE,
        Document.WORKS_VALUE,
    }
)


def building_permit_documents(works: BuildingWorks) -> frozenset[Document]:
    if insurance_required(works):
        return BUILDING_PERMIT_DOCUMENTS | {Document.INSURANCE_DOCUMENT}
    return BUILDING_PERMIT_DOCUMENTS


def missing_documents(
    required: Collection[Document], provided: Collection[Document]
) -> tuple[Document, ...]:
    """The required documents not provided, in the order of :class:`Document`."""
    have = set(provided)
    return tuple(d for d in Document if d in required and d not in have)
