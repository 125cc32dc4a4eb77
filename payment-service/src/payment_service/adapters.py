"""The composition root: the adapters a use case needs, chosen once by ``create_app``.

For now the settings and the clock; the payment providers join them with the payment slice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mahaliyat.clock import Clock, system_clock
from payment_service.settings import PaymentSettings


@dataclass
class Adapters:
    settings: PaymentSettings
    clock: Clock = system_clock

    def now(self) -> datetime:
        return self.clock()

    @property
    def applicant_ref_key(self) -> bytes:
        return self.settings.applicant_ref_key.get_secret_value().encode()
