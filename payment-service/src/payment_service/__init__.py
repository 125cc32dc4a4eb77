"""Payments service (المدفوعات): Invoices from fee snapshots, payment providers, signed webhooks, refunds, receipts and reconciliation."""
