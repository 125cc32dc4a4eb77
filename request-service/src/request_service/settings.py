"""Requests service settings: ``MAHALIYAT_REQUEST_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class RequestSettings(ServiceSettings):
    service_name: ClassVar[str] = "request"
