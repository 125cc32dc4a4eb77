"""Performance indicators service settings: ``MAHALIYAT_KPI_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class KpiSettings(ServiceSettings):
    service_name: ClassVar[str] = "kpi"
