"""HTTP endpoints, one module per resource; each calls one use case and returns a schema."""

from __future__ import annotations

from fastapi import APIRouter

from payment_service.api import invoices

ROUTERS: tuple[APIRouter, ...] = (invoices.router,)
