"""The in-memory read model: the whole catalogue as one immutable snapshot per generation.

The catalogue is small (≈184 services, ≈400 centres, ≈200 fee schedules), read
constantly and changed rarely, so reads never touch the database: they use the
current :class:`Snapshot`, and each answer rendered from it is kept with it
(bytes + ETag) until the next generation. Freshness:

- a write in this process raises the generation row and, once committed, marks
  the snapshot stale (``invalidate``), so the next read checks the counter;
- otherwise the counter is compared at most every ``check_seconds``, so writes
  made by other replicas show within about a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from catalog_service.domain.catalogue import Category, Department, Service, offered_at
from catalog_service.domain.centres import Centre
from catalog_service.domain.fees import FeeSchedule, schedule_for
from catalog_service.domain.geography import Governorate, Subdivision
from catalog_service.domain.search import SearchDocument, service_document
from catalog_service.queries import catalogue, centres, fees, generation, geography
from catalog_service.queries.fees import StoredSchedule
from mahaliyat.db import Database

# Answers kept per snapshot; past either bound the cache starts over (a crawler walking
# every centre page in both languages must not hold the process's memory).
MAX_RENDERED = 4096
MAX_RENDERED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    media_type: str
    etag: str


@dataclass(eq=False)
class Snapshot:
    generation: int
    governorates: dict[str, Governorate]
    subdivisions: dict[str, Subdivision]
    categories: dict[str, Category]  # in display order
    departments: dict[str, Department]
    services: dict[str, Service]  # by category order, then code
    schedules: dict[str, tuple[StoredSchedule, ...]]  # by service code
    centres: dict[str, Centre]  # by code
    search_documents: tuple[SearchDocument, ...] = ()  # active services only
    subdivisions_by_governorate: dict[str, tuple[Subdivision, ...]] = field(default_factory=dict)
    _rendered: dict[Hashable, Rendered] = field(default_factory=dict, repr=False)
    _rendered_bytes: int = field(default=0, repr=False)
    _pending: dict[Hashable, asyncio.Future[Rendered]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.search_documents = tuple(
            service_document(s, self.categories.get(s.category_code))
            for s in self.services.values()
            if s.active
        )
        grouped: dict[str, list[Subdivision]] = {code: [] for code in self.governorates}
        for sub in self.subdivisions.values():
            grouped.setdefault(sub.governorate_code, []).append(sub)
        self.subdivisions_by_governorate = {k: tuple(v) for k, v in grouped.items()}

    def fee_schedule(
        self, service_code: str, governorate: str | None, on: date
    ) -> FeeSchedule | None:
        plain = (s.schedule for s in self.schedules.get(service_code, ()))
        return schedule_for(plain, service_code, governorate, on)

    def offered_at(self, centre: Centre) -> list[Service]:
        """The services a centre offers, in catalogue order."""
        return [s for s in self.services.values() if offered_at(s, centre.kind)]

    # --- rendered answers -------------------------------------------------------------

    def tag(self, body: bytes, media_type: str) -> Rendered:
        """``body`` with its ETag: this generation and a digest of the bytes."""
        digest = hashlib.blake2b(body, digest_size=10).hexdigest()
        return Rendered(body, media_type, f'"{self.generation}-{digest}"')

    def _keep(self, key: Hashable, body: bytes, media_type: str) -> Rendered:
        rendered = self.tag(body, media_type)
        if (
            len(self._rendered) >= MAX_RENDERED
            or self._rendered_bytes + len(body) > MAX_RENDERED_BYTES
        ):
            self._rendered.clear()
            self._rendered_bytes = 0
        self._rendered[key] = rendered
        self._rendered_bytes += len(body)
        return rendered

    def rendered(self, key: Hashable, render: Callable[[], bytes], media_type: str) -> Rendered:
        """The answer for ``key`` (which names everything it depends on), rendered once."""
        found = self._rendered.get(key)
        return found if found is not None else self._keep(key, render(), media_type)

    async def rendered_async(
        self, key: Hashable, render: Callable[[], Awaitable[bytes]], media_type: str
    ) -> Rendered:
        """As :meth:`rendered`, for slow renders (PDF): callers asking together share one."""
        found = self._rendered.get(key)
        if found is not None:
            return found
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._pending[key] = pending
            try:
                pending.set_result(self._keep(key, await render(), media_type))
            except BaseException as exc:
                pending.set_exception(exc)
                pending.exception()  # retrieved here, so an unshared failure is not logged twice
                raise
            finally:
                del self._pending[key]
        return await asyncio.shield(pending)


async def load_snapshot(session: AsyncSession) -> Snapshot:
    """Everything, read in one transaction; the generation first, so a write that lands
    during the load leaves the snapshot looking older than it is (and reloaded), never newer."""
    number = await generation.current(session)
    categories = {c.code: c for c in await catalogue.categories(session)}
    order = {code: i for i, code in enumerate(categories)}
    services = sorted(
        await catalogue.services(session),
        key=lambda s: (order.get(s.category_code, len(order)), s.code),
    )
    schedules: dict[str, list[StoredSchedule]] = {}
    for stored in await fees.every_schedule(session):
        schedules.setdefault(stored.schedule.service_code, []).append(stored)
    return Snapshot(
        generation=number,
        governorates={g.code: g for g in await geography.governorates(session)},
        subdivisions={s.code: s for s in await geography.subdivisions(session)},
        categories=categories,
        departments={d.code: d for d in await catalogue.departments(session)},
        services={s.code: s for s in services},
        schedules={k: tuple(v) for k, v in schedules.items()},
        centres={c.code: c for c in await centres.centres(session)},
    )


class CatalogueReadModel:
    def __init__(
        self,
        database: Database,
        *,
        check_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.check_seconds = check_seconds
        self.clock = clock
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._stale = True
        self._lock = asyncio.Lock()
        self.loads = 0  # snapshots built, for tests and metrics

    async def current(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and not self._fresh_needed():
            return snapshot
        if snapshot is not None and not self._stale and self._lock.locked():
            return snapshot  # a periodic check is under way: nobody waits for it
        async with self._lock:
            if self._snapshot is not None and not self._fresh_needed():
                return self._snapshot
            # Cleared before reading: an invalidation during the load forces another check.
            self._stale = False
            async with self.database.read() as session:
                number = await generation.current(session)
                if self._snapshot is None or number != self._snapshot.generation:
                    self._snapshot = await load_snapshot(session)
                    self.loads += 1
            self._checked_at = self.clock()
            return self._snapshot

    def _fresh_needed(self) -> bool:
        return self._stale or self.clock() - self._checked_at >= self.check_seconds

    def invalidate(self) -> None:
        """The next read compares the generation with the database."""
        self._stale = True
