"""What endpoints take: a reading (request, snapshot, settings), the read model, a read
session, the admin.

Cacheable reads call ``reading``/``read_query`` themselves instead of declaring
dependencies: FastAPI's dependency and parameter machinery costs more than the rest
of such a read. Dependencies are ``async def``: FastAPI runs plain ``def`` ones in a
worker thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.adapters import Adapters
from catalog_service.api.params import parse_query
from catalog_service.readmodel import CatalogueReadModel, Snapshot
from catalog_service.settings import CatalogSettings
from mahaliyat.auth import Principal, require_role
from mahaliyat.web import get_runtime

ADMIN_ROLE = "catalog_admin"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Reading:
    """One read request and the catalogue it is answered from."""

    request: Request
    snapshot: Snapshot
    settings: CatalogSettings


def adapters_of(request: Request) -> Adapters:
    adapters: Adapters = request.app.state.adapters
    return adapters


async def reading(request: Request) -> Reading:
    adapters = adapters_of(request)
    return Reading(request, await adapters.read_model.current(), adapters.settings)


async def read_query(request: Request, model: type[M]) -> tuple[Reading, M]:
    """The reading and the validated query parameters: what every cacheable read starts with."""
    return await reading(request), parse_query(request, model)


async def get_read_model(request: Request) -> CatalogueReadModel:
    return adapters_of(request).read_model


async def get_settings(request: Request) -> CatalogSettings:
    return adapters_of(request).settings


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session that only reads; it is rolled back, never committed."""
    async with get_runtime(request).database.read() as session:
        yield session


async def current_snapshot(request: Request) -> Snapshot:
    return await adapters_of(request).read_model.current()


Catalogue = Annotated[Snapshot, Depends(current_snapshot)]
ReadModel = Annotated[CatalogueReadModel, Depends(get_read_model)]
Settings = Annotated[CatalogSettings, Depends(get_settings)]
ReadSession = Annotated[AsyncSession, Depends(read_session)]
CatalogAdmin = Annotated[Principal, Depends(require_role(ADMIN_ROLE))]
