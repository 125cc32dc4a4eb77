"""Geography and centres: governorates, subdivisions, the centre list, one centre."""

from __future__ import annotations

from dataclasses import dataclass

from catalog_service import inputs
from catalog_service.domain.catalogue import offered_at
from catalog_service.domain.centres import Centre, CentreKind
from catalog_service.readmodel import Snapshot
from catalog_service.reads import representations as rep
from catalog_service.schemas import CentrePage, CentreQuery, GovernorateOut, SubdivisionOut


def governorates(snapshot: Snapshot) -> list[GovernorateOut]:
    return [
        rep.governorate_out(g, len(snapshot.subdivisions_by_governorate.get(g.code, ())))
        for g in snapshot.governorates.values()
    ]


def find_governorate(snapshot: Snapshot, code: str) -> str:
    found = inputs.path_code(code)
    if found not in snapshot.governorates:
        raise inputs.not_found("governorate", code)
    return found


def governorate(snapshot: Snapshot, code: str) -> GovernorateOut:
    g = snapshot.governorates[find_governorate(snapshot, code)]
    return rep.governorate_out(g, len(snapshot.subdivisions_by_governorate.get(g.code, ())))


def subdivisions(snapshot: Snapshot, governorate_code: str) -> list[SubdivisionOut]:
    code = find_governorate(snapshot, governorate_code)
    return [rep.subdivision_out(s) for s in snapshot.subdivisions_by_governorate.get(code, ())]


@dataclass(frozen=True, slots=True)
class CentreFilters:
    governorate: str | None = None
    subdivision: str | None = None
    kind: CentreKind | None = None
    service: str | None = None
    include_inactive: bool = False
    limit: int = 50
    offset: int = 0

    @classmethod
    def read(cls, snapshot: Snapshot, query: CentreQuery) -> CentreFilters:
        return cls(
            governorate=inputs.governorate(query.governorate, snapshot.governorates),
            subdivision=inputs.subdivision(query.subdivision, snapshot.subdivisions),
            kind=query.kind,
            service=inputs.code_in(
                inputs.path_code(query.service) if query.service else None,
                snapshot.services,
                "service",
                "unknown_service",
            ),
            include_inactive=query.include_inactive,
            limit=query.limit,
            offset=query.offset,
        )


def _matches(snapshot: Snapshot, c: Centre, f: CentreFilters) -> bool:
    if not c.active and not f.include_inactive:
        return False
    if f.governorate is not None and c.governorate_code != f.governorate:
        return False
    if f.subdivision is not None and c.subdivision_code != f.subdivision:
        return False
    if f.kind is not None and c.kind is not f.kind:
        return False
    return f.service is None or offered_at(snapshot.services[f.service], c.kind)


def list_centres(snapshot: Snapshot, f: CentreFilters, base_url: str) -> CentrePage:
    chosen = [c for c in snapshot.centres.values() if _matches(snapshot, c, f)]
    return CentrePage(
        items=[rep.centre_out(c, base_url) for c in chosen[f.offset : f.offset + f.limit]],
        total=len(chosen),
        limit=f.limit,
        offset=f.offset,
    )


def find_centre(snapshot: Snapshot, code: str) -> Centre:
    centre = snapshot.centres.get(inputs.path_code(code))
    if centre is None:
        raise inputs.not_found("centre", code)
    return centre
