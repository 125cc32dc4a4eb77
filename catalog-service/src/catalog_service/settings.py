"""Catalog service settings: ``MAHALIYAT_CATALOG_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalog"
