"""The events the catalogue publishes (through the outbox), carrying the contract objects.

- ``catalog.service.published|updated|retired``: the service as ``GET /services/{code}``
  answers it, with ``fees`` = the national default in effect that day.
- ``catalog.fee.changed``: the schedule as ``GET /services/{code}/fee-schedules`` lists it,
  plus ``change`` (``added`` or ``closed``).
- ``catalog.centre.updated``: the centre as ``GET /centres/{code}`` answers it.
"""

from __future__ import annotations

from typing import Literal

from catalog_service.schemas import CentreOut, FeeScheduleOut, ServiceDetail
from mahaliyat import context
from mahaliyat.events import CloudEvent

SOURCE = "/catalog"

ServiceChange = Literal["published", "updated", "retired"]
FeeChange = Literal["added", "closed"]


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


def centre_updated(centre: CentreOut) -> CloudEvent:
    return CloudEvent(
        source=SOURCE,
        type="catalog.centre.updated",
        subject=centre.code,
        requestid=context.request_id.get(),
        data=centre.model_dump(mode="json"),
    )
