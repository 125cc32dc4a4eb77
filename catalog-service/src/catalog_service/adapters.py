"""The composition root: what catalog-service's endpoints and background steps are given.

Built once in ``create_app``; endpoints reach it through ``api.deps``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from catalog_service.demo_stops import DemoStopPlanner
from catalog_service.readmodel import CatalogueReadModel
from catalog_service.settings import CatalogSettings
from mahaliyat.db import Database


@dataclass(frozen=True, slots=True)
class Adapters:
    settings: CatalogSettings
    database: Database
    read_model: CatalogueReadModel
    demo_stops: DemoStopPlanner
    # The demo calendar: the day mobile stops are planned from (tests move it).
    today: Callable[[], date]
