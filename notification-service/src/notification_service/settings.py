"""Notifications service settings: ``MAHALIYAT_NOTIFICATION_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from typing import ClassVar

from mahaliyat.settings import ServiceSettings


class NotificationSettings(ServiceSettings):
    service_name: ClassVar[str] = "notification"
