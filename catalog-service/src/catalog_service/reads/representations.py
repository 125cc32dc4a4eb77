"""Domain objects in their contract shapes (docs/contracts.md); events carry the same objects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from catalog_service.domain.catalogue import Category, Department, Service
from catalog_service.domain.centres import Centre, MobileStop
from catalog_service.domain.fees import FeeItem, FeeSchedule, Quote
from catalog_service.domain.geography import Governorate, Subdivision
from catalog_service.queries.fees import StoredSchedule
from catalog_service.schemas import (
    Bilingual,
    CentreOut,
    CentreRef,
    CodeName,
    DocumentOut,
    FeeItemOut,
    Fees,
    FeeScheduleOut,
    FormFieldOut,
    GovernorateOut,
    Keywords,
    MobileStopOut,
    OpeningHoursOut,
    OptionOut,
    QuoteLineOut,
    QuoteOut,
    ServiceDetail,
    ServiceSummary,
    Step,
    SubdivisionOut,
)


def bilingual(ar: str, en: str) -> Bilingual:
    return Bilingual(ar=ar, en=en)


def governorate_out(g: Governorate, subdivisions: int) -> GovernorateOut:
    return GovernorateOut(
        code=g.code,
        name=bilingual(g.name_ar, g.name_en),
        capital=bilingual(g.capital_ar, g.capital_en),
        phone_area_code=g.phone_area_code,
        latitude=g.latitude,
        longitude=g.longitude,
        subdivisions=subdivisions,
    )


def subdivision_out(s: Subdivision) -> SubdivisionOut:
    return SubdivisionOut(
        code=s.code,
        governorate=s.governorate_code,
        kind=s.kind,
        name=bilingual(s.name_ar, s.name_en),
        label=bilingual(s.label_ar, s.label_en),
        latitude=s.latitude,
        longitude=s.longitude,
    )


def category_ref(c: Category | None, code: str) -> CodeName:
    return CodeName(code=code, name=bilingual(c.name_ar, c.name_en) if c else bilingual(code, code))


def department_ref(d: Department | None, code: str) -> CodeName:
    return CodeName(code=code, name=bilingual(d.name_ar, d.name_en) if d else bilingual(code, code))


def service_summary(
    s: Service, category: Category | None, department: Department | None
) -> ServiceSummary:
    return ServiceSummary(
        code=s.code,
        name=bilingual(s.name_ar, s.name_en),
        category=category_ref(category, s.category_code),
        department=department_ref(department, s.department_code),
        active=s.active,
        online=s.online,
        sla_days=s.sla_days,
        channels=list(s.channels),
        centre_kinds=list(s.centre_kinds),
    )


def fee_item_out(i: FeeItem) -> FeeItemOut:
    return FeeItemOut(
        code=i.code,
        name=bilingual(i.name_ar, i.name_en),
        rule=i.rule,
        amount_piasters=i.amount,
        rate_piasters=i.rate,
        inputs=list(i.inputs),
        minimum_piasters=i.minimum,
        maximum_piasters=i.maximum,
    )


def fees_out(schedule: FeeSchedule | None, governorate: str | None, on: date) -> Fees:
    if schedule is None:
        return Fees(
            governorate=governorate,
            on=on,
            source="none",
            effective_from=None,
            effective_to=None,
            items=[],
        )
    return Fees(
        governorate=governorate,
        on=on,
        source="national" if schedule.governorate_code is None else "governorate",
        effective_from=schedule.effective_from,
        effective_to=schedule.effective_to,
        items=[fee_item_out(i) for i in schedule.items],
    )


def service_detail(
    s: Service,
    category: Category | None,
    department: Department | None,
    schedule: FeeSchedule | None,
    governorate: str | None,
    on: date,
) -> ServiceDetail:
    return ServiceDetail(
        **service_summary(s, category, department).model_dump(),
        description=bilingual(s.description_ar, s.description_en),
        steps=[Step(order=st.order, text=bilingual(st.text_ar, st.text_en)) for st in s.steps],
        documents=[
            DocumentOut(code=d.code, name=bilingual(d.name_ar, d.name_en), required=d.required)
            for d in s.documents
        ],
        fields=[
            FormFieldOut(
                name=f.name,
                kind=f.kind,
                label=bilingual(f.label_ar, f.label_en),
                required=f.required,
                min_value=f.min_value,
                max_value=f.max_value,
                max_length=f.max_length,
                options=[
                    OptionOut(code=o.code, name=bilingual(o.name_ar, o.name_en)) for o in f.options
                ],
            )
            for f in s.fields
        ],
        keywords=Keywords(ar=list(s.keywords_ar), en=list(s.keywords_en)),
        fees=fees_out(schedule, governorate, on),
    )


def fee_schedule_out(stored: StoredSchedule) -> FeeScheduleOut:
    s = stored.schedule
    return FeeScheduleOut(
        id=stored.id,
        service_code=s.service_code,
        governorate=s.governorate_code,
        effective_from=s.effective_from,
        effective_to=s.effective_to,
        items=[fee_item_out(i) for i in s.items],
        created_at=stored.created_at,
        closed_at=stored.closed_at,
        withdrawn_at=stored.withdrawn_at,
    )


def quote_out(
    quote: Quote | None, service_code: str, governorate: str | None, on: date
) -> QuoteOut:
    if quote is None:
        return QuoteOut(
            service_code=service_code,
            governorate=governorate,
            on=on,
            source="none",
            effective_from=None,
            lines=[],
            total_piasters=0,
        )
    return QuoteOut(
        service_code=service_code,
        governorate=governorate,
        on=on,
        source="national" if quote.governorate_code is None else "governorate",
        effective_from=quote.effective_from,
        lines=[
            QuoteLineOut(
                item_code=line.item_code,
                name=bilingual(line.name_ar, line.name_en),
                quantity="1" if line.quantity is None else format(line.quantity.normalize(), "f"),
                amount_piasters=line.amount,
            )
            for line in quote.lines
        ],
        total_piasters=quote.total,
    )


def centre_urls(base_url: str, code: str) -> tuple[str, str, str]:
    page = f"{base_url.rstrip('/')}/c/{code}"
    return page, f"{page}/qr.svg", f"{page}/qr.png"


def centre_out(c: Centre, base_url: str) -> CentreOut:
    page, svg, png = centre_urls(base_url, c.code)
    return CentreOut(
        code=c.code,
        kind=c.kind,
        governorate=c.governorate_code,
        subdivision=c.subdivision_code,
        jurisdiction=c.jurisdiction,
        name=bilingual(c.name_ar, c.name_en),
        address=bilingual(c.address_ar, c.address_en),
        phone=c.phone,
        active=c.active,
        hours=[
            OpeningHoursOut(
                weekday=int(h.weekday),
                opens=h.opens.isoformat("minutes"),
                closes=h.closes.isoformat("minutes"),
            )
            for h in c.hours
        ],
        latitude=c.latitude,
        longitude=c.longitude,
        vehicle_plate=c.vehicle_plate,
        page_url=page,
        qr_svg_url=svg,
        qr_png_url=png,
    )


def stops_out(
    stops: Iterable[MobileStop], centres: dict[str, Centre], subdivisions: dict[str, Subdivision]
) -> list[MobileStopOut]:
    result = []
    for stop in stops:
        centre = centres.get(stop.centre_code)
        sub = subdivisions.get(stop.subdivision_code)
        result.append(
            MobileStopOut(
                centre=CentreRef(
                    code=stop.centre_code,
                    name=bilingual(centre.name_ar, centre.name_en)
                    if centre
                    else bilingual(stop.centre_code, stop.centre_code),
                ),
                on=stop.on,
                opens=stop.opens.isoformat("minutes"),
                closes=stop.closes.isoformat("minutes"),
                subdivision=CodeName(
                    code=stop.subdivision_code,
                    name=bilingual(sub.label_ar, sub.label_en)
                    if sub
                    else bilingual(stop.subdivision_code, stop.subdivision_code),
                ),
                place=bilingual(stop.place_ar, stop.place_en),
            )
        )
    return result
