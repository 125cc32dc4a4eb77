"""Identity service settings: ``MAHALIYAT_IDENTITY_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    service_name: ClassVar[str] = "identity"
