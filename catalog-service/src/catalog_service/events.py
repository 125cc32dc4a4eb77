"""The events the catalogue publishes (through the outbox), carrying the contract objects.

- ``catalog.service.published|updated|retired``: the service as ``GET /services/{code}``
  answers it, with ``fees`` = the national default in effect that day.
- ``catalog.fee.changed``: the schedule as ``GET /services/{code}/fee-schedules`` lists it,
  plus ``change`` (``added``, ``closed``, or ``withdrawn`` before its first day).
- ``catalog.centre.created|updated``: the centre as ``GET /centres/{code}`` answers it.
- ``catalog.centre.schedule_changed``: a mobile centre's stops on the days replaced, as
  ``GET /centres/{code}/schedule`` answers them, plus ``centre`` (its code).
"""

from __future__ import annotations

from typing import Literal

from catalog_service.schemas import CentreOut, FeeScheduleOut, MobileStops, ServiceDetail
from mahaliyat import context
from mahaliyat.events import CloudEvent

SOURCE = "/catalog"

ServiceChange = Literal["published", "updated", "retired"]
FeeChange = Literal["added", "closed", "withdrawn"]
CentreChange = Literal["created", "updated"]


def service_event(change: ServiceChange, service: ServiceDetail) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type=f"catalog.service.{change}",
        subject=service.code,
        requestid=context.request_id.get(),
        data=service.model_dump(mode="json"),
    )


def fee_changed(change: FeeChange, schedule: FeeScheduleOut) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type="catalog.fee.changed",
        subject=schedule.service_code,
        requestid=context.request_id.get(),
        data={**schedule.model_dump(mode="json"), "change": change},
    )


def centre_changed(change: CentreChange, centre: CentreOut) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type=f"catalog.centre.{change}",
        subject=centre.code,
        requestid=context.request_id.get(),
        data=centre.model_dump(mode="json"),
    )


def schedule_changed(centre_code: str, schedule: MobileStops) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type="catalog.centre.schedule_changed",
        subject=centre_code,
        requestid=context.request_id.get(),
        data={"centre": centre_code, **schedule.model_dump(mode="json", by_alias=True)},
    )
