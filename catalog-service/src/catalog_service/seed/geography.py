"""The 27 governorates and their subdivisions, from data/governorates.json."""

from __future__ import annotations

from functools import cache

from catalog_service.domain.codes import subdivision_code
from catalog_service.domain.geography import Governorate, Subdivision, SubdivisionKind
from catalog_service.seed._files import read_json


@cache
def load_governorates() -> tuple[Governorate, ...]:
    """Governorates in national-ID code order."""
    rows = read_json("governorates.json")["governorates"]
    return tuple(
        Governorate(
            code=r["code"],
            name_ar=r["ar"],
            name_en=r["en"],
            capital_ar=r["capital_ar"],
            capital_en=r["capital_en"],
            population=r["population"],
            phone_area_code=r["area_code"],
            latitude=r["lat"],
            longitude=r["lon"],
        )
        for r in rows
    )


@cache
def load_subdivisions() -> tuple[Subdivision, ...]:
    """Every markaz/city/district/new city, coded ``<governorate>-<position>``."""
    result: list[Subdivision] = []
    for gov in read_json("governorates.json")["governorates"]:
        for seq, row in enumerate(gov["subdivisions"], start=1):
            kind, name_ar, name_en, *coords = row
            result.append(
                Subdivision(
                    code=subdivision_code(gov["code"], seq),
                    governorate_code=gov["code"],
                    kind=SubdivisionKind(kind),
                    name_ar=name_ar,
                    name_en=name_en,
                    latitude=coords[0] if coords else None,
                    longitude=coords[1] if coords else None,
                )
            )
    return tuple(result)


def subdivisions_of(governorate_code: str) -> tuple[Subdivision, ...]:
    return tuple(s for s in load_subdivisions() if s.governorate_code == governorate_code)
