"""The CloudEvents 1.0 envelope (structured JSON mode) every event travels in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from mahaliyat.db import utcnow
from mahaliyat.ids import new_id

CONTENT_TYPE = "application/cloudevents+json"


class Outgoing(NamedTuple):
    """An event ready for the wire: the relay sends the stored JSON as is, without re-parsing it."""

    id: str
    type: str
    body: bytes


class CloudEvent(BaseModel):
    """A CloudEvent. ``type`` is the routing key, ``id`` the idempotency key of consumers."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID = Field(default_factory=new_id)
    source: str
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=200)
    time: datetime = Field(default_factory=utcnow)
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    # Extension attribute: the request that caused the event, for tracing across services.
    requestid: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def outgoing(self) -> Outgoing:
        return Outgoing(str(self.id), self.type, self.to_json())

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)
