"""Payments service settings: ``MAHALIYAT_PAYMENT_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from mahaliyat.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    service_name: ClassVar[str] = "payment"

    # The key request-service makes applicant refs with (the shared MAHALIYAT_APPLICANT_REF_KEY):
    # a citizen's national_id claim gives the ref their invoices carry. Empty in dev/test only.
    applicant_ref_key: SecretStr = SecretStr("")

    # An invoice is due this many days after it is issued.
    invoice_due_days: int = Field(default=7, ge=1)
