"""What the pages show, in one language, built from a snapshot: shared by HTML and PDF."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from catalog_service.domain.catalogue import Service
from catalog_service.domain.centres import Centre, CentreKind, MobileStop, Weekday
from catalog_service.domain.fees import FeeItem, FeeRule, FeeSchedule
from catalog_service.readmodel import Snapshot
from mahaliyat.digits import to_arabic_digits
from mahaliyat.money import Money

Language = Literal["ar", "en"]

TEXTS: dict[str, tuple[str, str]] = {
    "site": ("محليات — خدمات الإدارة المحلية", "Mahaliyat — local administration services"),
    "services_here": ("الخدمات المتاحة في هذا المركز", "Services offered at this centre"),
    "documents": ("المستندات المطلوبة", "Required documents"),
    "optional": ("اختياري", "optional"),
    "fees": ("الرسوم", "Fees"),
    "free": ("بدون رسوم", "Free of charge"),
    "total": ("الإجمالي", "Total"),
    "sla": ("مدة الإنجاز", "Time to complete"),
    "apply_online": ("قدّم إلكترونيًا", "Apply online"),
    "steps": ("خطوات الحصول على الخدمة", "Procedure"),
    "address": ("العنوان", "Address"),
    "phone": ("الهاتف", "Phone"),
    "hours": ("مواعيد العمل", "Opening hours"),
    "plate": ("لوحة المركبة", "Vehicle plate"),
    "next_stops": ("الوقفات القادمة", "Next stops"),
    "no_stops": ("لا توجد وقفات معلنة في الأيام القادمة", "No stops announced for the coming days"),
    "inactive": ("هذا المركز متوقف عن العمل حاليًا", "This centre is currently closed"),
    "guide_national": (
        "الدليل الموحد لخدمات الإدارة المحلية",
        "Unified guide to local administration services",
    ),
    "guide_for": (
        "الدليل الموحد للخدمات — محافظة {name}",
        "Unified services guide — {name} Governorate",
    ),
    "guide_link": ("دليل الخدمات", "Services guide"),
    "pdf": ("نسخة PDF للطباعة", "PDF for printing"),
    "fees_on": ("الرسوم السارية في {day}", "Fees in effect on {day}"),
    "national_fees": ("الرسوم القومية الافتراضية", "National default fees"),
    "fees_of": (
        "رسوم محافظة {name} (أو الرسوم القومية حيث لا يوجد استثناء)",
        "{name} fees (national defaults where there is no override)",
    ),
    "online": ("متاحة إلكترونيًا", "Available online"),
    "qr": ("رمز الاستجابة السريعة لهذه الصفحة", "QR code of this page"),
    "contents": ("المحتويات", "Contents"),
    "switch": ("English", "العربية"),
    "other_lang": ("en", "ar"),
    "code": ("رمز الخدمة", "Service code"),
    "per_m2": ("{rate} لكل متر مربع", "{rate} per m²"),
    "per_unit": ("{rate} لكل وحدة ({inputs})", "{rate} per unit ({inputs})"),
    "minimum": ("بحد أدنى {amount}", "minimum {amount}"),
    "maximum": ("بحد أقصى {amount}", "maximum {amount}"),
    "working_days": ("{n} يوم عمل", "{n} working days"),
    "kind_fixed": ("مركز تكنولوجي لخدمة المواطنين", "Citizen service technology centre"),
    "kind_governorate_hq": (
        "مركز تكنولوجي بديوان المحافظة",
        "Governorate headquarters technology centre",
    ),
    "kind_mobile": ("مركز تكنولوجي متنقل", "Mobile technology centre"),
    "kind_licensing": ("مركز تراخيص", "Licensing centre"),
}

_WEEKDAYS: dict[Weekday, tuple[str, str]] = {
    Weekday.SATURDAY: ("السبت", "Saturday"),
    Weekday.SUNDAY: ("الأحد", "Sunday"),
    Weekday.MONDAY: ("الاثنين", "Monday"),
    Weekday.TUESDAY: ("الثلاثاء", "Tuesday"),
    Weekday.WEDNESDAY: ("الأربعاء", "Wednesday"),
    Weekday.THURSDAY: ("الخميس", "Thursday"),
    Weekday.FRIDAY: ("الجمعة", "Friday"),
}


def say(key: str, lang: Language, **values: str) -> str:
    ar, en = TEXTS[key]
    return (ar if lang == "ar" else en).format(**values)


def pick(ar: str, en: str, lang: Language) -> str:
    return ar if lang == "ar" else en


def digits(value: object, lang: Language) -> str:
    text = str(value)
    return to_arabic_digits(text) if lang == "ar" else text


def money(piasters: int, lang: Language) -> str:
    # A no-break space keeps the amount and «ج.م»/«EGP» on one line.
    return Money(piasters).format(lang).replace(" ", "\u00a0")


def day_text(day: date, lang: Language) -> str:
    name = pick(*_WEEKDAYS[Weekday(day.isoweekday())], lang)
    return f"{name} {digits(day.isoformat(), lang)}"


@dataclass(frozen=True, slots=True)
class FeeLine:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class ServiceView:
    code: str
    name: str
    description: str
    sla: str
    online: bool
    apply_url: str | None
    steps: tuple[str, ...]
    documents: tuple[tuple[str, bool], ...]  # (name, required)
    fees: tuple[FeeLine, ...]
    total: str | None  # when every item is a fixed amount


@dataclass(frozen=True, slots=True)
class CategoryView:
    code: str
    name: str
    services: tuple[ServiceView, ...]


@dataclass(frozen=True, slots=True)
class StopView:
    day: str
    hours: str
    place: str


@dataclass(frozen=True, slots=True)
class CentreView:
    code: str
    name: str
    kind: str
    address: str
    phone: str
    hours: tuple[str, ...]
    plate: str | None
    active: bool
    governorate: str
    categories: tuple[CategoryView, ...]
    stops: tuple[StopView, ...] | None  # mobile centres only


@dataclass(frozen=True, slots=True)
class GuideView:
    title: str
    scope: str  # "EG" or a governorate code
    fees_note: str
    on: str
    categories: tuple[CategoryView, ...]


def _item_text(item: FeeItem, service: Service, lang: Language) -> str:
    if item.rule is FeeRule.FIXED:
        return money(item.amount, lang)
    rate = money(item.rate, lang)
    if item.rule is FeeRule.PER_M2:
        text = say("per_m2", lang, rate=rate)
    else:
        labels = []
        for name in item.inputs:
            f = service.field(name)
            labels.append(pick(f.label_ar, f.label_en, lang) if f else name)
        text = say("per_unit", lang, rate=rate, inputs=" × ".join(labels))
    bounds = []
    if item.minimum is not None:
        bounds.append(say("minimum", lang, amount=money(item.minimum, lang)))
    if item.maximum is not None:
        bounds.append(say("maximum", lang, amount=money(item.maximum, lang)))
    return (
        f"{text} ({'، '.join(bounds) if lang == 'ar' else ', '.join(bounds)})" if bounds else text
    )


def service_view(
    service: Service, schedule: FeeSchedule | None, lang: Language, portal_url: str
) -> ServiceView:
    items = schedule.items if schedule else ()
    fixed_only = all(i.rule is FeeRule.FIXED for i in items)
    return ServiceView(
        code=service.code,
        name=pick(service.name_ar, service.name_en, lang),
        description=pick(service.description_ar, service.description_en, lang),
        sla=say("working_days", lang, n=digits(service.sla_days, lang)),
        online=service.online,
        apply_url=f"{portal_url}/apply/{service.code}" if service.online else None,
        steps=tuple(pick(s.text_ar, s.text_en, lang) for s in service.steps),
        documents=tuple((pick(d.name_ar, d.name_en, lang), d.required) for d in service.documents),
        fees=tuple(
            FeeLine(pick(i.name_ar, i.name_en, lang), _item_text(i, service, lang)) for i in items
        ),
        total=money(sum(i.amount for i in items), lang) if items and fixed_only else None,
    )


def categories_view(
    snapshot: Snapshot,
    services: Iterable[Service],
    governorate: str | None,
    on: date,
    lang: Language,
    portal_url: str,
) -> tuple[CategoryView, ...]:
    grouped: dict[str, list[ServiceView]] = {}
    for s in services:
        view = service_view(s, snapshot.fee_schedule(s.code, governorate, on), lang, portal_url)
        grouped.setdefault(s.category_code, []).append(view)
    return tuple(
        CategoryView(c.code, pick(c.name_ar, c.name_en, lang), tuple(grouped[c.code]))
        for c in snapshot.categories.values()
        if c.code in grouped
    )


def _hours(centre: Centre, lang: Language) -> tuple[str, ...]:
    by_time: dict[tuple[str, str], list[str]] = {}
    for h in centre.hours:
        span = (
            digits(h.opens.isoformat("minutes"), lang),
            digits(h.closes.isoformat("minutes"), lang),
        )
        by_time.setdefault(span, []).append(pick(*_WEEKDAYS[h.weekday], lang))
    separator = "، " if lang == "ar" else ", "
    return tuple(
        f"{separator.join(days)}: {opens} – {closes}" for (opens, closes), days in by_time.items()
    )


def centre_view(
    snapshot: Snapshot,
    centre: Centre,
    on: date,
    lang: Language,
    portal_url: str,
    stops: Sequence[MobileStop] | None,
) -> CentreView:
    return CentreView(
        code=centre.code,
        name=pick(centre.name_ar, centre.name_en, lang),
        kind=say(f"kind_{centre.kind.value}", lang),
        address=pick(centre.address_ar, centre.address_en, lang),
        phone=centre.phone,
        hours=_hours(centre, lang),
        plate=centre.vehicle_plate,
        active=centre.active,
        governorate=centre.governorate_code,
        categories=categories_view(
            snapshot, snapshot.offered_at(centre), centre.governorate_code, on, lang, portal_url
        ),
        stops=None
        if centre.kind is not CentreKind.MOBILE
        else tuple(
            StopView(
                day_text(s.on, lang),
                f"{digits(s.opens.isoformat('minutes'), lang)} – {digits(s.closes.isoformat('minutes'), lang)}",
                pick(s.place_ar, s.place_en, lang),
            )
            for s in stops or ()
        ),
    )


def guide_view(
    snapshot: Snapshot, governorate: str | None, on: date, lang: Language, portal_url: str
) -> GuideView:
    active = [s for s in snapshot.services.values() if s.active]
    if governorate is None:
        title, note = say("guide_national", lang), say("national_fees", lang)
    else:
        g = snapshot.governorates[governorate]
        name = pick(g.name_ar, g.name_en, lang)
        title, note = say("guide_for", lang, name=name), say("fees_of", lang, name=name)
    return GuideView(
        title=title,
        scope=governorate or "EG",
        fees_note=note,
        on=say("fees_on", lang, day=day_text(on, lang)),
        categories=categories_view(snapshot, active, governorate, on, lang, portal_url),
    )
