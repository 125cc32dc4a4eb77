"""Notifications service tables."""

from __future__ import annotations

from mahaliyat.db import Base, make_metadata


class NotificationBase(Base):
    __abstract__ = True
    metadata = make_metadata()
