"""HTTP endpoints, one module per resource; each calls one use case and returns a schema."""

from __future__ import annotations

from fastapi import APIRouter

from request_service.api import (
    applications,
    audit,
    documents,
    holidays,
    inbox,
    officers,
    status,
)

ROUTERS: tuple[APIRouter, ...] = (
    applications.router,
    documents.router,
    inbox.router,
    status.router,
    officers.router,
    audit.router,
    holidays.router,
)
