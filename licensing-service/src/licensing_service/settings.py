"""Licensing service settings: ``MAHALIYAT_LICENSING_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class LicensingSettings(ServiceSettings):
    service_name: ClassVar[str] = "licensing"
