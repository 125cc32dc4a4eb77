"""Licensing service tables."""

from __future__ import annotations

from mahaliyat.db import Base, make_metadata


class LicensingBase(Base):
    __abstract__ = True
    metadata = make_metadata()
