"""Catalog service settings: ``MAHALIYAT_CATALOG_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from mahaliyat.settings import ServiceSettings

# Searched in order when ``pdf_font_path`` is not set: Arabic first, then a font with both scripts.
ARABIC_FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)
# Arabic fonts carry no Latin letters; codes and English text fall back to one of these.
LATIN_FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


class CatalogSettings(ServiceSettings):
    service_name: ClassVar[str] = "catalog"

    # Reference data (geography, catalogue, fees) goes into an empty database at start;
    # demo centres and mobile stops only when ``seed_demo_data`` is on.
    seed_reference_data: bool = True
    # Days of mobile-centre stops kept ahead of today by the demo seeding.
    mobile_schedule_days: int = Field(default=14, ge=1, le=90)
    # How often a running demo tops its mobile-centre stops up (``seed_demo_data`` only).
    mobile_schedule_check_seconds: float = Field(default=3600.0, gt=0)
    # How often a replica asks the database whether another one changed the catalogue.
    snapshot_check_seconds: float = Field(default=1.0, ge=0.0)
    # docs/contracts.md promises ``Cache-Control: public, max-age=300`` on catalogue reads.
    cache_max_age_seconds: int = Field(default=300, ge=0)
    # Where citizens apply online: ``{portal_base_url}/apply/{service_code}``; empty means
    # ``{public_base_url}/portal``.
    portal_base_url: str = ""
    pdf_font_path: Path | None = None
    pdf_latin_font_path: Path | None = None

    @property
    def portal_url(self) -> str:
        return (self.portal_base_url or f"{self.public_base_url.rstrip('/')}/portal").rstrip("/")
