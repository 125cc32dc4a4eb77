"""Payments service tables."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from mahaliyat.db import Base, UTCDateTime, make_metadata


class PaymentBase(Base):
    __abstract__ = True
    metadata = make_metadata()


class Invoice(PaymentBase):
    """What one application owes: issued once, when it enters ``awaiting_payment``."""

    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_applicant", "applicant_ref", "issued_at"),
        Index("ix_invoices_jurisdiction_issued", "jurisdiction", "issued_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # UUIDv7
    number: Mapped[str] = mapped_column(String(24), unique=True)  # INV-GG-YY-NNNNNNN-C
    application_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)  # one invoice each
    tracking_number: Mapped[str] = mapped_column(String(16))
    service_code: Mapped[str] = mapped_column(String(40))
    service_name_ar: Mapped[str] = mapped_column(Text)
    service_name_en: Mapped[str] = mapped_column(Text)
    centre_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    jurisdiction: Mapped[str] = mapped_column(String(60))
    governorate: Mapped[str] = mapped_column(String(2))
    applicant_ref: Mapped[str] = mapped_column(String(200))
    applicant_phone: Mapped[str] = mapped_column(String(16))
    applicant_language: Mapped[str] = mapped_column(String(2))
    total_piasters: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # open (paid, cancelled: later slices)
    source_event_id: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InvoiceLine(PaymentBase):
    """One line of an invoice, in the catalogue's order; the lines sum to the total."""

    __tablename__ = "invoice_lines"

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(60), nullable=True)  # null: adjusting line
    name_ar: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    quantity: Mapped[str] = mapped_column(String(30))  # a decimal string, as the event says
    amount_piasters: Mapped[int] = mapped_column(BigInteger)


class InvoiceCounter(PaymentBase):
    """The last invoice sequence given out per governorate and Cairo year."""

    __tablename__ = "invoice_counters"

    governorate: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)
