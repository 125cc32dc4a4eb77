"""Payments service settings: ``MAHALIYAT_PAYMENT_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    service_name: ClassVar[str] = "payment"
