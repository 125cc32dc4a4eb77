"""Reading codes and dates as people type them, refusing bad ones with a 422 naming the field.

Arabic-Indic digits are accepted wherever digits are (``٢١`` is governorate 21).
"""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import TypeVar

from catalog_service.domain.codes import (
    is_centre_code,
    is_governorate_code,
    is_subdivision_code,
)
from mahaliyat import context
from mahaliyat.clock import cairo_today
from mahaliyat.digits import to_ascii_digits
from mahaliyat.problems import Problem, field_error

_MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_governorate": ("رمز محافظة غير صحيح", "not a governorate code"),
    "unknown_governorate": ("محافظة غير معروفة", "unknown governorate"),
    "invalid_subdivision": ("رمز مركز/مدينة/حي غير صحيح", "not a markaz/city/district code"),
    "unknown_subdivision": ("مركز/مدينة/حي غير معروف", "unknown markaz/city/district"),
    "invalid_centre": ("رمز مركز تكنولوجي غير صحيح", "not a centre code"),
    "unknown_centre": ("مركز تكنولوجي غير معروف", "unknown centre"),
    "unknown_category": ("تصنيف غير معروف", "unknown category"),
    "unknown_department": ("إدارة غير معروفة", "unknown department"),
    "unknown_service": ("خدمة غير معروفة", "unknown service"),
    "invalid_date": ("تاريخ غير صحيح (الصيغة YYYY-MM-DD)", "not a date (YYYY-MM-DD)"),
    "invalid_time": ("وقت غير صحيح (الصيغة HH:MM)", "not a time (HH:MM)"),
    "invalid_phone": ("رقم هاتف غير صحيح", "not a phone number"),
    "query_missing": ("اكتب ما تبحث عنه", "type what you are looking for"),
    "required": ("هذه القيمة مطلوبة", "this value is required"),
    "not_number": ("يجب أن تكون القيمة رقمًا", "must be a number"),
    "below_minimum": ("القيمة أقل من الحد الأدنى", "below the minimum"),
    "above_maximum": ("القيمة أكبر من الحد الأقصى", "above the maximum"),
    "fee.input_missing": ("هذه القيمة مطلوبة لحساب الرسوم", "needed to compute the fees"),
    "fee.input_not_number": ("يجب أن تكون القيمة رقمًا", "must be a number"),
    "fee.input_negative": ("لا يجوز أن تكون القيمة سالبة", "must not be negative"),
    "fee.input_not_a_number_field": (
        "يجب أن تشير المدخلات إلى حقول رقمية في نموذج الخدمة",
        "inputs must name number or area fields of the service's form",
    ),
    "fee.item_code_missing": ("رمز البند مطلوب", "the item needs a code"),
    "fee.not_integer_piasters": ("المبالغ أعداد صحيحة بالقروش", "amounts are whole piasters"),
    "fee.negative": ("لا يجوز أن يكون المبلغ سالبًا", "must not be negative"),
    "fee.fixed_takes_amount_only": (
        "البند الثابت يأخذ مبلغًا فقط",
        "a fixed item takes an amount only",
    ),
    "fee.rated_takes_rate": (
        "البند المحسوب يأخذ فئة لا مبلغًا",
        "a rated item takes a rate, not an amount",
    ),
    "fee.inputs_missing": ("البند المحسوب يحتاج إلى مدخلات", "a rated item needs inputs"),
    "fee.per_m2_takes_one_area": (
        "البند بالمتر المربع يأخذ مساحة واحدة",
        "a per-m² item takes one area",
    ),
    "fee.minimum_above_maximum": (
        "الحد الأدنى أكبر من الحد الأقصى",
        "the minimum is above the maximum",
    ),
    "fee.period_empty": (
        "نهاية الفترة يجب أن تكون بعد بدايتها",
        "the period must end after it starts",
    ),
    "fee.item_code_duplicate": ("رموز البنود مكررة", "item codes repeat"),
    "fee.starts_in_past": (
        "لا يبدأ جدول رسوم جديد في الماضي",
        "a new schedule cannot start in the past",
    ),
    "fee.closes_in_past": ("لا تُغلق فترة بتاريخ مضى", "a period cannot be closed in the past"),
    "fee.period_only_shortens": ("يمكن تقصير الفترة فقط", "a period can only be shortened"),
    "online_mismatch": (
        "الخدمة الإلكترونية تُقدَّم عبر البوابة أو التطبيق، وغيرها لا",
        "online exactly when the portal or the app is a channel",
    ),
    "centre_channel_mismatch": (
        "قناة المركز تلزم إذا قدمتها مراكز غير متنقلة فقط",
        "the centre channel goes with non-mobile centre kinds",
    ),
    "mobile_channel_mismatch": (
        "قناة المركز المتنقل تلزم إذا قدمتها المراكز المتنقلة فقط",
        "the mobile-centre channel goes with the mobile centre kind",
    ),
    "channels_missing": ("اختر قناة واحدة على الأقل", "choose at least one channel"),
    "duplicate": ("قيمة مكررة", "repeated value"),
    "options_missing": (
        "حقل الاختيار يحتاج خيارين على الأقل",
        "a choice field needs two options or more",
    ),
    "options_not_allowed": ("الخيارات لحقول الاختيار فقط", "only choice fields take options"),
    "minimum_above_maximum": (
        "الحد الأدنى أكبر من الحد الأقصى",
        "the minimum is above the maximum",
    ),
    "out_of_range": ("القيمة خارج النطاق المسموح", "out of range"),
    "closes_before_opening": ("موعد الإغلاق قبل موعد الفتح", "closes before it opens"),
    "only_mobile_centres": (
        "لوحة المركبة للمراكز المتنقلة فقط",
        "only mobile centres have a plate",
    ),
    "fee.input_field_removed": (
        "حقل يحتاجه جدول رسوم سارٍ أو قادم لحساب الرسوم",
        "a current or future fee schedule computes its fees from this field",
    ),
    "fee.input_field_not_a_number": (
        "يحتاج جدول رسوم سارٍ أو قادم هذا الحقل رقمًا أو مساحة",
        "a current or future fee schedule needs this field to be a number or an area",
    ),
    "centre.code_not_of_kind": (
        "حرف الرمز لا يطابق نوع المركز (F ثابت، H ديوان المحافظة، M متنقل، L تراخيص)",
        "the code's letter is not the kind's (F fixed, H governorate HQ, M mobile, L licensing)",
    ),
    "centre.code_needs_subdivision": (
        "المركز الثابت يتبع مركزًا/مدينة/حيًا: ‎21-03-F01",
        "a fixed centre belongs to a markaz/city/district: 21-03-F01",
    ),
    "centre.code_governorate_level": (
        "مراكز ديوان المحافظة والمراكز المتنقلة تتبع المحافظة: ‎21-H01، ‎21-M03",
        "governorate-HQ and mobile centres belong to the governorate: 21-H01, 21-M03",
    ),
    "schedule.starts_in_past": ("لا يُعدَّل جدول أيام مضت", "past days cannot be rescheduled"),
    "schedule.range_empty": ("النهاية يجب أن تكون بعد البداية", "must come after the start"),
    "schedule.range_too_long": (
        "الفترة أطول من ٩٢ يومًا",
        "the range is longer than 92 days",
    ),
    "schedule.outside_range": ("اليوم خارج الفترة", "the day is outside the range"),
    "schedule.stops_overlap": (
        "للمركز المتنقل وقفة واحدة في اليوم",
        "a mobile centre has one stop a day",
    ),
    "schedule.outside_service_hours": (
        "مواعيد الوقفة بين ٦ صباحًا و١٠ مساءً",
        "stops are between 06:00 and 22:00",
    ),
    "schedule.outside_governorate": (
        "المكان خارج محافظة المركز المتنقل",
        "the place is outside the mobile centre's governorate",
    ),
}


T = TypeVar("T")
# (field, code, location) of each bad input, collected so one 422 names them all.
Errors = list[tuple[str, str, str]]


def message(code: str) -> str:
    ar, en = _MESSAGES.get(code, ("قيمة غير صالحة", "invalid value"))
    return en if context.language.get() == "en" else ar


def invalid(errors: list[tuple[str, str, str]]) -> Problem:
    """A 422 problem for (field, code, location) triples."""
    detail = (
        "One or more fields are invalid."
        if context.language.get() == "en"
        else "بعض الحقول غير صالحة."
    )
    return Problem(
        422,
        "validation_failed",
        detail,
        errors=[field_error(f, c, message(c), loc) for f, c, loc in errors],
    )


def refuse(field: str, code: str, location: str = "query") -> Problem:
    return invalid([(field, code, location)])


def collect(errors: Errors, read: Callable[[], T]) -> T | None:
    """``read()``, or None with the fields its 422 named added to ``errors``."""
    try:
        return read()
    except Problem as exc:
        if exc.status != 422 or not exc.errors:
            raise
        errors.extend((e["field"], e["code"], e["location"]) for e in exc.errors)
        return None


def today() -> date:
    """Today in Cairo, the date fees and schedules are read on."""
    return cairo_today()


def parse_date(value: str | None, field: str, location: str = "query") -> date | None:
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(to_ascii_digits(value.strip()))
    except ValueError:
        raise refuse(field, "invalid_date", location) from None


def governorate(
    value: str | None, known: Container[str], field: str = "governorate", location: str = "query"
) -> str | None:
    if value is None or not value.strip():
        return None
    code = to_ascii_digits(value.strip())
    if not is_governorate_code(code):
        raise refuse(field, "invalid_governorate", location)
    if code not in known:
        raise refuse(field, "unknown_governorate", location)
    return code


def subdivision(
    value: str | None, known: Container[str], field: str = "subdivision", location: str = "query"
) -> str | None:
    if value is None or not value.strip():
        return None
    code = to_ascii_digits(value.strip())
    if not is_subdivision_code(code):
        raise refuse(field, "invalid_subdivision", location)
    if code not in known:
        raise refuse(field, "unknown_subdivision", location)
    return code


def centre(
    value: str | None, known: Container[str], field: str = "centre", location: str = "query"
) -> str | None:
    if value is None or not value.strip():
        return None
    code = to_ascii_digits(value.strip()).upper()
    if not is_centre_code(code):
        raise refuse(field, "invalid_centre", location)
    if code not in known:
        raise refuse(field, "unknown_centre", location)
    return code


def code_in(
    value: str | None, known: Container[str], field: str, unknown: str, location: str = "query"
) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip()
    if code not in known:
        raise refuse(field, unknown, location)
    return code


def path_code(value: str) -> str:
    """A code from the path, digits made ASCII and letters upper-cased (``bld-002`` → ``BLD-002``)."""
    return to_ascii_digits(value.strip()).upper()


_NOT_FOUND: dict[str, tuple[str, str]] = {
    "service": ("لا توجد خدمة بالرمز {code}", "no service {code}"),
    "centre": ("لا يوجد مركز بالرمز {code}", "no centre {code}"),
    "governorate": ("لا توجد محافظة بالرمز {code}", "no governorate {code}"),
    "fee_schedule": ("لا يوجد جدول رسوم بالمعرف {code}", "no fee schedule {code}"),
}


def not_found(what: str, code: str) -> Problem:
    ar, en = _NOT_FOUND[what]
    detail = (en if context.language.get() == "en" else ar).format(code=code)
    return Problem(404, f"{what}_not_found", detail)
