"""Demo technology centres at the ministry's scale, generated deterministically.

- 300 fixed centres: one in every markaz/city/district listed (new cities are
  run by their own authorities), the rest spread by governorate population.
- 19 governorate-HQ centres, in the 19 most populous governorates.
- 42 mobile centres: one per governorate, a second in the 15 most populous.
- Licensing centres: one per governorate, plus one in the first two
  subdivisions of the five most populous governorates.

Codes depend only on the order of data/governorates.json, so they are stable.
Phone numbers and plates are fictitious; derived from the centre code by hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time, timedelta
from functools import cache

from catalog_service.domain.centres import (
    WORKING_DAYS,
    Centre,
    CentreKind,
    MobileStop,
    standard_hours,
)
from catalog_service.domain.codes import (
    fixed_centre_code,
    hq_centre_code,
    licensing_centre_code,
    mobile_centre_code,
)
from catalog_service.domain.geography import Governorate, Subdivision, SubdivisionKind
from catalog_service.seed.geography import load_governorates, load_subdivisions
from mahaliyat.digits import to_arabic_digits

FIXED_CENTRES = 300
HQ_CENTRES = 19
MOBILE_CENTRES = 42
LICENSING_SUBDIVISION_GOVERNORATES = 5
SCHEDULE_DAYS = 14

_PLATE_LETTERS = "أبجدرسصطعفقلمنهوى"

_SEAT_AR = {
    SubdivisionKind.DISTRICT: "مبنى حي {name}",
    SubdivisionKind.QISM: "مبنى حي {name}",
    SubdivisionKind.CITY: "مبنى مجلس مدينة {name}",
    SubdivisionKind.MARKAZ: "مبنى الوحدة المحلية لمركز ومدينة {name}",
    SubdivisionKind.NEW_CITY: "مبنى جهاز مدينة {name}",
}
_SEAT_EN = {
    SubdivisionKind.DISTRICT: "{name} District building",
    SubdivisionKind.QISM: "{name} District building",
    SubdivisionKind.CITY: "{name} City Council building",
    SubdivisionKind.MARKAZ: "{name} Markaz and City local unit building",
    SubdivisionKind.NEW_CITY: "{name} City Authority building",
}
_STOP_PLACES = (
    ("أمام مقر الوحدة المحلية", "Outside the local unit building"),
    ("ساحة مركز الشباب", "Youth centre square"),
    ("بجوار مكتب البريد", "Next to the post office"),
    ("ميدان الموقف العمومي", "Main transport station square"),
    ("أمام الوحدة الصحية", "Outside the health unit"),
)


def _digest(code: str) -> int:
    return int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big")


def _phone(gov: Governorate, code: str) -> str:
    """A fictitious landline in the governorate's area code, in E.164."""
    area = gov.phone_area_code.lstrip("0")
    width = 8 if area == "2" else 7
    subscriber = str(2 * 10 ** (width - 1) + _digest(code) % (10 ** (width - 1)))
    return f"+20{area}{subscriber}"


def _plate(code: str) -> str:
    n = _digest(code)
    letters = " ".join(_PLATE_LETTERS[(n >> (5 * i)) % len(_PLATE_LETTERS)] for i in range(3))
    return f"{letters} {1000 + n % 9000}"


def apportion(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` by ``weights`` (largest remainder; ties by key)."""
    whole = sum(weights.values())
    if whole <= 0:
        raise ValueError("weights must add up to more than zero")
    shares = {k: total * w / whole for k, w in weights.items()}
    result = {k: int(s) for k, s in shares.items()}
    left = total - sum(result.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - result[k]), k))[:left]:
        result[k] += 1
    return result


def _by_population(governorates: Iterable[Governorate]) -> list[Governorate]:
    return sorted(governorates, key=lambda g: (-g.population, g.code))


def _served(subdivisions: Iterable[Subdivision]) -> list[Subdivision]:
    return [s for s in subdivisions if s.kind is not SubdivisionKind.NEW_CITY]


def _fixed(
    governorates: Sequence[Governorate], subdivisions: Sequence[Subdivision]
) -> list[Centre]:
    served = _served(subdivisions)
    extra = FIXED_CENTRES - len(served)
    if extra < 0:
        raise ValueError(f"{len(served)} subdivisions for {FIXED_CENTRES} fixed centres")
    extra_by_gov = apportion(extra, {g.code: g.population for g in governorates})
    centres: list[Centre] = []
    for gov in governorates:
        local = [s for s in served if s.governorate_code == gov.code]
        counts = {s.code: 1 for s in local}
        for i in range(extra_by_gov[gov.code]):
            counts[local[i % len(local)].code] += 1
        for sub in local:
            for seq in range(1, counts[sub.code] + 1):
                centres.append(_fixed_centre(gov, sub, seq))
    return centres


def _fixed_centre(gov: Governorate, sub: Subdivision, seq: int) -> Centre:
    code = fixed_centre_code(sub.code, seq)
    branch_ar = f" (فرع {to_arabic_digits(str(seq))})" if seq > 1 else ""
    branch_en = f" (branch {seq})" if seq > 1 else ""
    if seq == 1:  # the local unit's own building names the subdivision
        address_ar = f"{_SEAT_AR[sub.kind].format(name=sub.name_ar)}، محافظة {gov.name_ar}"
        address_en = f"{_SEAT_EN[sub.kind].format(name=sub.name_en)}, {gov.name_en} Governorate"
    else:
        address_ar = f"مجمع الخدمات الحكومية، {sub.label_ar}، محافظة {gov.name_ar}"
        address_en = f"Government services complex, {sub.label_en}, {gov.name_en} Governorate"
    return Centre(
        code=code,
        kind=CentreKind.FIXED,
        governorate_code=gov.code,
        subdivision_code=sub.code,
        name_ar=f"المركز التكنولوجي لخدمة المواطنين - {sub.label_ar}{branch_ar} - {gov.name_ar}",
        name_en=f"{sub.label_en} Citizen Service Technology Centre{branch_en}, {gov.name_en}",
        address_ar=address_ar,
        address_en=address_en,
        phone=_phone(gov, code),
        hours=standard_hours(),
        latitude=sub.latitude,
        longitude=sub.longitude,
    )


def _hq(governorates: Sequence[Governorate]) -> list[Centre]:
    chosen = {g.code for g in _by_population(governorates)[:HQ_CENTRES]}
    return [
        Centre(
            code=hq_centre_code(g.code),
            kind=CentreKind.GOVERNORATE_HQ,
            governorate_code=g.code,
            subdivision_code=None,
            name_ar=f"المركز التكنولوجي بديوان عام محافظة {g.name_ar}",
            name_en=f"{g.name_en} Governorate Headquarters Technology Centre",
            address_ar=f"ديوان عام محافظة {g.name_ar}، {g.capital_ar}",
            address_en=f"{g.name_en} Governorate headquarters, {g.capital_en}",
            phone=_phone(g, hq_centre_code(g.code)),
            hours=standard_hours(time(8, 30), time(15, 30)),
            latitude=g.latitude,
            longitude=g.longitude,
        )
        for g in governorates
        if g.code in chosen
    ]


def mobile_counts(governorates: Sequence[Governorate]) -> dict[str, int]:
    """Vehicles per governorate: one each, a second in the most populous."""
    counts = {g.code: 1 for g in governorates}
    for g in _by_population(governorates)[: MOBILE_CENTRES - len(governorates)]:
        counts[g.code] += 1
    return counts


def _mobile(governorates: Sequence[Governorate]) -> list[Centre]:
    counts = mobile_counts(governorates)
    centres: list[Centre] = []
    for g in governorates:
        for seq in range(1, counts[g.code] + 1):
            code = mobile_centre_code(g.code, seq)
            centres.append(
                Centre(
                    code=code,
                    kind=CentreKind.MOBILE,
                    governorate_code=g.code,
                    subdivision_code=None,
                    name_ar=f"المركز التكنولوجي المتنقل رقم {to_arabic_digits(str(seq))} - محافظة {g.name_ar}",
                    name_en=f"{g.name_en} Mobile Technology Centre No. {seq}",
                    address_ar="مركبة متنقلة وفق جدول الوقفات المعلن",
                    address_en="A vehicle; see its published schedule of stops",
                    phone=_phone(g, code),
                    hours=standard_hours(time(9, 0), time(14, 0)),
                    vehicle_plate=_plate(code),
                )
            )
    return centres


def _licensing(
    governorates: Sequence[Governorate], subdivisions: Sequence[Subdivision]
) -> list[Centre]:
    centres: list[Centre] = []
    for g in governorates:
        code = licensing_centre_code(g.code, 1)
        centres.append(
            Centre(
                code=code,
                kind=CentreKind.LICENSING,
                governorate_code=g.code,
                subdivision_code=None,
                name_ar=f"مركز التراخيص بمحافظة {g.name_ar}",
                name_en=f"{g.name_en} Governorate Licensing Centre",
                address_ar=f"ديوان عام محافظة {g.name_ar}، {g.capital_ar}",
                address_en=f"{g.name_en} Governorate headquarters, {g.capital_en}",
                phone=_phone(g, code),
                hours=standard_hours(),
                latitude=g.latitude,
                longitude=g.longitude,
            )
        )
    served = _served(subdivisions)
    for g in _by_population(governorates)[:LICENSING_SUBDIVISION_GOVERNORATES]:
        for sub in [s for s in served if s.governorate_code == g.code][:2]:
            code = licensing_centre_code(sub.code, 1)
            centres.append(
                Centre(
                    code=code,
                    kind=CentreKind.LICENSING,
                    governorate_code=g.code,
                    subdivision_code=sub.code,
                    name_ar=f"مركز التراخيص - {sub.label_ar} - {g.name_ar}",
                    name_en=f"{sub.label_en} Licensing Centre, {g.name_en}",
                    address_ar=f"{_SEAT_AR[sub.kind].format(name=sub.name_ar)}، محافظة {g.name_ar}",
                    address_en=f"{_SEAT_EN[sub.kind].format(name=sub.name_en)}, {g.name_en} Governorate",
                    phone=_phone(g, code),
                    hours=standard_hours(),
                    latitude=sub.latitude,
                    longitude=sub.longitude,
                )
            )
    return centres


def generate_centres(
    governorates: Sequence[Governorate], subdivisions: Sequence[Subdivision]
) -> tuple[Centre, ...]:
    """Every demo centre, ordered by code."""
    centres = [
        *_fixed(governorates, subdivisions),
        *_hq(governorates),
        *_mobile(governorates),
        *_licensing(governorates, subdivisions),
    ]
    return tuple(sorted(centres, key=lambda c: c.code))


@cache
def load_centres() -> tuple[Centre, ...]:
    return generate_centres(load_governorates(), load_subdivisions())


def mobile_schedule(
    centre: Centre,
    subdivisions: Sequence[Subdivision],
    today: date,
    days: int = SCHEDULE_DAYS,
) -> tuple[MobileStop, ...]:
    """A mobile centre's stops on working days in [today, today + days).

    The stop on a date depends only on the date and the vehicle, so windows
    computed on different days agree where they overlap, and two vehicles of one
    governorate are never in the same subdivision on the same day.
    """
    if centre.kind is not CentreKind.MOBILE:
        raise ValueError(f"{centre.code} is not a mobile centre")
    local = _served(s for s in subdivisions if s.governorate_code == centre.governorate_code)
    if not local:
        return ()
    seq = int(centre.code[-2:])
    stride = max(1, len(local) // 2)
    stops: list[MobileStop] = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        if day.isoweekday() not in WORKING_DAYS:
            continue
        sub = local[(day.toordinal() + (seq - 1) * stride) % len(local)]
        place_ar, place_en = _STOP_PLACES[(day.toordinal() // 7 + seq) % len(_STOP_PLACES)]
        stops.append(
            MobileStop(
                centre_code=centre.code,
                on=day,
                opens=time(9, 0),
                closes=time(14, 0),
                subdivision_code=sub.code,
                place_ar=f"{place_ar} - {sub.label_ar}",
                place_en=f"{place_en}, {sub.label_en}",
            )
        )
    return tuple(stops)


def mobile_schedules(today: date, days: int = SCHEDULE_DAYS) -> tuple[MobileStop, ...]:
    """The stops of every mobile centre for the window starting ``today``."""
    subdivisions = load_subdivisions()
    return tuple(
        stop
        for centre in load_centres()
        if centre.kind is CentreKind.MOBILE
        for stop in mobile_schedule(centre, subdivisions, today, days)
    )
