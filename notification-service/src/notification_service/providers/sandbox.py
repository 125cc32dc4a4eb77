"""The sandbox provider: keeps what it is given, simulates receipts, fails on documented numbers.

| number          | at submission       | receipt             |
|-----------------|---------------------|---------------------|
| +201000000001   | permanent_failure   |                     |
| +201000000002   | temporary_failure   |                     |
| +201000000003   | technical_failure   |                     |
| +201000000004   | sent                | permanent_failure   |
| +201000000005   | sent                | temporary_failure   |
| +201000000006   | sent                | (none)              |
| any other       | sent                | delivered           |
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

from notification_service.domain.states import ReceiptState
from notification_service.providers.base import OutgoingSms, ProviderReceipt, SendResult

PERMANENT_FAILURE_NUMBER = "+201000000001"
TEMPORARY_FAILURE_NUMBER = "+201000000002"
TECHNICAL_FAILURE_NUMBER = "+201000000003"
UNDELIVERABLE_NUMBER = "+201000000004"
UNREACHABLE_NUMBER = "+201000000005"
SILENT_NUMBER = "+201000000006"

_SUBMIT_FAILURES = {
    PERMANENT_FAILURE_NUMBER: SendResult("permanent_failure", None, "invalid_number", "sandbox"),
    TEMPORARY_FAILURE_NUMBER: SendResult("temporary_failure", None, "throttled", "sandbox"),
    TECHNICAL_FAILURE_NUMBER: SendResult("technical_failure", None, "provider_error", "sandbox"),
}
_RECEIPTS: dict[str, ReceiptState | None] = {
    UNDELIVERABLE_NUMBER: "permanent_failure",
    UNREACHABLE_NUMBER: "temporary_failure",
    SILENT_NUMBER: None,
}


@dataclass(frozen=True, slots=True)
class SandboxSms:
    provider_message_id: str
    sms: OutgoingSms


class SandboxProvider:
    def __init__(
        self, name: str = "sandbox", *, simulate_receipts: bool = True, keep: int = 100_000
    ) -> None:
        self.name = name
        self.simulate_receipts = simulate_receipts
        self.sent: deque[SandboxSms] = deque(maxlen=keep)
        self.refused: list[tuple[OutgoingSms, SendResult]] = []
        self._pending: list[ProviderReceipt] = []
        self._ids = itertools.count(1)

    async def send(self, sms: OutgoingSms) -> SendResult:
        failure = _SUBMIT_FAILURES.get(sms.to)
        if failure is not None:
            self.refused.append((sms, failure))
            return failure
        provider_id = f"sbx-{sms.message_id.hex}-{next(self._ids)}"
        self.sent.append(SandboxSms(provider_id, sms))
        if self.simulate_receipts:
            state: ReceiptState | None = _RECEIPTS.get(sms.to, "delivered")
            if state is not None:
                self._pending.append(ProviderReceipt(provider_id, state, state))
        return SendResult("sent", provider_id)

    async def poll_receipts(self) -> list[ProviderReceipt]:
        receipts, self._pending = self._pending, []
        return receipts

    async def close(self) -> None:
        return None

    def messages_to(self, number: str) -> list[OutgoingSms]:
        return [entry.sms for entry in self.sent if entry.sms.to == number]
