"""The one interface every SMS provider implements."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from notification_service.domain.encoding import Encoding
from notification_service.domain.states import ReceiptState, SendOutcome


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    message_id: uuid.UUID
    to: str  # E.164
    text: str
    sender: str
    encoding: Encoding
    segments: int
    language: str
    attempt: int = 1  # the message's attempt number: one more for every resend

    @property
    def reference(self) -> str:
        """Ours for this attempt, ``<message id>-<attempt>``: a resend never repeats it."""
        return f"{self.message_id}-{self.attempt}"


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    provider_message_id: str | None = None
    error_code: str | None = None
    error_detail: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderReceipt:
    """A delivery receipt: the provider's id for the message and what it says happened."""

    provider_message_id: str
    status: str  # the provider's own word
    state: ReceiptState | None  # ours; None when the word means nothing to us (e.g. "ENROUTE")


@runtime_checkable
class SmsProvider(Protocol):
    name: str

    async def send(self, sms: OutgoingSms) -> SendResult:
        """Hand one message over. Must not raise for provider answers; map them to an outcome."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class PollsReceipts(Protocol):
    """A provider that also delivers receipts by being asked (the sandbox simulates them so)."""

    async def poll_receipts(self) -> list[ProviderReceipt]: ...
