"""Reference and demo data (Arabic and English) and loaders returning domain dataclasses."""

from catalog_service.seed.catalogue import (
    NATIONAL_FEES_FROM,
    load_categories,
    load_departments,
    load_fee_schedules,
    load_services,
)
from catalog_service.seed.centres import (
    generate_centres,
    load_centres,
    mobile_schedule,
    mobile_schedules,
)
from catalog_service.seed.geography import load_governorates, load_subdivisions, subdivisions_of

__all__ = [
    "NATIONAL_FEES_FROM",
    "generate_centres",
    "load_categories",
    "load_centres",
    "load_departments",
    "load_fee_schedules",
    "load_governorates",
    "load_services",
    "load_subdivisions",
    "mobile_schedule",
    "mobile_schedules",
    "subdivisions_of",
]
