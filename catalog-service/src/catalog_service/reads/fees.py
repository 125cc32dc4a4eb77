"""A service's fee schedules: the national ones and the governorate overrides, past and future."""

from __future__ import annotations

from catalog_service.readmodel import Snapshot
from catalog_service.reads import representations as rep
from catalog_service.schemas import FeeScheduleList


def history(snapshot: Snapshot, service_code: str, governorate: str | None) -> FeeScheduleList:
    """Every schedule of the service; with ``governorate``, its overrides and the national ones."""
    stored = snapshot.schedules.get(service_code, ())
    if governorate is not None:
        stored = tuple(s for s in stored if s.schedule.governorate_code in (None, governorate))
    return FeeScheduleList(
        service_code=service_code, items=[rep.fee_schedule_out(s) for s in stored]
    )
