"""Services: the filtered list, the detail with fees, quotes, categories and search."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from catalog_service import inputs
from catalog_service.domain.catalogue import NUMERIC_KINDS, Channel, Service, offered_at
from catalog_service.domain.fees import FeeInputError, quote, required_inputs
from catalog_service.domain.forms import clean_form
from catalog_service.domain.search import rank
from catalog_service.readmodel import Snapshot
from catalog_service.reads import representations as rep
from catalog_service.schemas import (
    CategoryOut,
    QuoteIn,
    QuoteOut,
    SearchHitOut,
    SearchResults,
    ServiceDetail,
    ServicePage,
    ServiceQuery,
)


@dataclass(frozen=True, slots=True)
class ServiceFilters:
    category: str | None = None
    channel: Channel | None = None
    online: bool | None = None
    centre: str | None = None
    governorate: str | None = None
    include_retired: bool = False
    limit: int = 50
    offset: int = 0

    @classmethod
    def read(cls, snapshot: Snapshot, query: ServiceQuery) -> ServiceFilters:
        """Filters with every code checked against the catalogue (422 naming the bad one)."""
        return cls(
            category=inputs.code_in(
                query.category.upper() if query.category else None,
                snapshot.categories,
                "category",
                "unknown_category",
            ),
            channel=query.channel,
            online=query.online,
            centre=inputs.centre(query.centre, snapshot.centres),
            governorate=inputs.governorate(query.governorate, snapshot.governorates),
            include_retired=query.include_retired,
            limit=query.limit,
            offset=query.offset,
        )


def _available_in(snapshot: Snapshot, governorate: str) -> set[str]:
    """Codes of services a citizen of ``governorate`` can use: online, or offered by one of its
    active centres."""
    kinds = {
        c.kind for c in snapshot.centres.values() if c.active and c.governorate_code == governorate
    }
    return {
        s.code
        for s in snapshot.services.values()
        if s.online or any(offered_at(s, kind) for kind in kinds)
    }


def _matches(snapshot: Snapshot, s: Service, f: ServiceFilters) -> bool:
    if not s.active and not f.include_retired:
        return False
    if f.category is not None and s.category_code != f.category:
        return False
    if f.channel is not None and f.channel not in s.channels:
        return False
    if f.online is not None and s.online is not f.online:
        return False
    if f.centre is not None:
        centre = snapshot.centres[f.centre]
        if not centre.active or not offered_at(s, centre.kind):
            return False
    return True


def list_services(snapshot: Snapshot, f: ServiceFilters) -> ServicePage:
    chosen = [s for s in snapshot.services.values() if _matches(snapshot, s, f)]
    if f.governorate is not None:
        available = _available_in(snapshot, f.governorate)
        chosen = [s for s in chosen if s.code in available]
    page = chosen[f.offset : f.offset + f.limit]
    return ServicePage(
        items=[
            rep.service_summary(
                s,
                snapshot.categories.get(s.category_code),
                snapshot.departments.get(s.department_code),
            )
            for s in page
        ],
        total=len(chosen),
        limit=f.limit,
        offset=f.offset,
    )


def find_service(snapshot: Snapshot, code: str) -> Service:
    service = snapshot.services.get(inputs.path_code(code))
    if service is None:
        raise inputs.not_found("service", code)
    return service


def service_detail(
    snapshot: Snapshot, service: Service, governorate: str | None, on: date
) -> ServiceDetail:
    return rep.service_detail(
        service,
        snapshot.categories.get(service.category_code),
        snapshot.departments.get(service.department_code),
        snapshot.fee_schedule(service.code, governorate, on),
        governorate,
        on,
    )


def _check_inputs(service: Service, names: tuple[str, ...], given: dict[str, object]) -> None:
    """The fee inputs must satisfy their form fields' bounds too (``inputs.<name>``)."""
    fields = [f for f in service.fields if f.name in names]
    for_fields = {f.name: given.get(f.name) for f in fields}
    # Every fee input is needed for the quote, whether or not the form makes it optional.
    errors = [
        ("inputs." + f.name, "fee.input_missing", "body")
        for f in fields
        if for_fields[f.name] is None
    ]
    present = {k: v for k, v in for_fields.items() if v is not None}
    _, problems = clean_form(
        [f for f in fields if f.name in present and f.kind in NUMERIC_KINDS],
        present,
    )
    errors += [("inputs." + p.field, p.code, "body") for p in problems if p.code != "unknown_field"]
    if errors:
        raise inputs.invalid(errors)


def quote_for(snapshot: Snapshot, service: Service, body: QuoteIn) -> QuoteOut:
    errors: inputs.Errors = []
    governorate = inputs.collect(
        errors,
        lambda: inputs.governorate(body.governorate, snapshot.governorates, location="body"),
    )
    day = inputs.collect(errors, lambda: inputs.parse_date(body.on, "on", "body"))
    if errors:
        raise inputs.invalid(errors)
    on = day or inputs.today()
    schedule = snapshot.fee_schedule(service.code, governorate, on)
    if schedule is None:
        return rep.quote_out(None, service.code, governorate, on)
    _check_inputs(service, required_inputs(schedule.items), body.inputs)
    try:
        result = quote(schedule, body.inputs)
    except FeeInputError as exc:
        raise inputs.invalid([("inputs." + f, code, "body") for f, code in exc.errors]) from exc
    return rep.quote_out(result, service.code, governorate, on)


def categories(snapshot: Snapshot) -> list[CategoryOut]:
    active = [s for s in snapshot.services.values() if s.active]
    counts = Counter(s.category_code for s in active)
    online = Counter(s.category_code for s in active if s.online)
    return [
        CategoryOut(
            code=c.code,
            name=rep.bilingual(c.name_ar, c.name_en),
            order=c.order,
            services=counts[c.code],
            online_services=online[c.code],
        )
        for c in snapshot.categories.values()
    ]


def search(snapshot: Snapshot, query: str, limit: int) -> SearchResults:
    if not query.strip():
        raise inputs.refuse("q", "query_missing")
    hits = rank(snapshot.search_documents, query, limit=None)
    items = []
    for hit in hits[:limit]:
        s = snapshot.services[hit.key]
        items.append(
            SearchHitOut(
                code=s.code,
                name=rep.bilingual(s.name_ar, s.name_en),
                category=rep.category_ref(
                    snapshot.categories.get(s.category_code), s.category_code
                ),
                online=s.online,
                score=hit.score,
            )
        )
    return SearchResults(query=query, total=len(hits), items=items)
