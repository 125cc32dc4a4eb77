"""Facts from licensing-service: a case opened, inspected, decided (or deemed), its licence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kpi_service.domain.days import WorkingDays
from kpi_service.domain.facts.reader import Builder, Dims, Reader

LICENCE_KINDS = frozenset({"licence_issued", "renewed", "expired", "revoked"})
FINAL_DECISIONS = frozenset({"approved", "rejected"})
DECISIONS = frozenset({"approved", "rejected", "returned"})


@dataclass(frozen=True, slots=True)
class CaseOpened:
    """``licensing.case_opened``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    family: str  # building | shop
    clock_days: int | None = None
    inspections_required: tuple[str, ...] = ()
    application_id: str | None = None


@dataclass(frozen=True, slots=True)
class InspectionRecorded:
    """``licensing.inspection_recorded``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    authority: str


@dataclass(frozen=True, slots=True)
class CaseDecided:
    """``licensing.decision_made`` (``deemed`` False) or ``licensing.deemed_approved`` (True)."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    decision: str  # approved | rejected | returned
    clock_met: bool
    deemed: bool = False
    working_days_taken: int | None = None

    @property
    def final(self) -> bool:
        return self.decision in FINAL_DECISIONS


@dataclass(frozen=True, slots=True)
class LicenceChanged:
    """``licensing.licence_issued`` / ``.renewed`` / ``.expired`` / ``.revoked``."""

    event_id: str
    at: datetime
    case_id: str
    dims: Dims
    kind: str
    licence_number: str | None = None


LicensingFact = CaseOpened | InspectionRecorded | CaseDecided | LicenceChanged


def _case_opened(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> CaseOpened:
    return CaseOpened(
        event_id=event_id,
        at=r.instant_or("at", at),
        case_id=r.identifier("case_id", subject),
        dims=r.dims(channel_required=False),
        family=r.text("family", choices=frozenset({"building", "shop"})),
        clock_days=r.integer("clock_days", required=False),
        inspections_required=r.texts("inspections_required"),
        application_id=r.optional_text("application_id"),
    )


def _inspection(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> InspectionRecorded:
    return InspectionRecorded(
        event_id=event_id,
        at=r.instant_or("at", at),
        case_id=r.identifier("case_id", subject),
        dims=r.dims(channel_required=False),
        authority=r.text("authority"),
    )


def _decision(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> CaseDecided:
    decision = r.text("decision", choices=DECISIONS)
    clock_met = r.boolean("clock_met", required=decision in FINAL_DECISIONS)
    return CaseDecided(
        event_id=event_id,
        at=r.instant_or("at", at),
        case_id=r.identifier("case_id", subject),
        dims=r.dims(channel_required=False),
        decision=decision,
        clock_met=bool(clock_met),
        working_days_taken=r.integer("working_days_taken", required=False),
    )


def _deemed(
    r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
) -> CaseDecided:
    return CaseDecided(
        event_id=event_id,
        at=r.instant_or("at", at),
        case_id=r.identifier("case_id", subject),
        dims=r.dims(channel_required=False),
        decision="approved",
        clock_met=False,  # the administration let the statutory clock run out
        deemed=True,
        working_days_taken=r.integer("working_days_taken", required=False),
    )


def _licence(kind: str) -> Builder[LicenceChanged]:
    def build(
        r: Reader, event_id: str, at: datetime, subject: str | None, _: WorkingDays | None
    ) -> LicenceChanged:
        return LicenceChanged(
            event_id=event_id,
            at=r.instant_or("at", at),
            case_id=r.identifier("case_id", subject),
            dims=r.dims(channel_required=False),
            kind=kind,
            licence_number=r.optional_text("licence_number"),
        )

    return build


BUILDERS: Mapping[str, Builder[LicensingFact]] = {
    "licensing.case_opened": _case_opened,
    "licensing.inspection_recorded": _inspection,
    "licensing.decision_made": _decision,
    "licensing.deemed_approved": _deemed,
    "licensing.licence_issued": _licence("licence_issued"),
    "licensing.renewed": _licence("renewed"),
    "licensing.expired": _licence("expired"),
    "licensing.revoked": _licence("revoked"),
}
