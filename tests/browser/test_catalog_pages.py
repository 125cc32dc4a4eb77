"""A centre's public page in headless Chromium, on a phone-sized screen: Arabic first, English on request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from catalog_service.seed import load_categories

from .conftest import screenshot

# The embedded platform starting (demo data seeded) counts against the first test.
pytestmark = pytest.mark.timeout(360)

CENTRE = "21-03-F01"  # a Giza district centre


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_centre_page_in_arabic_then_english(page: Page, platform_url: str) -> None:
    page.goto(f"{platform_url}/c/{CENTRE}")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    assert "المركز التكنولوجي" in page.locator("h1").inner_text()

    headings = [h.strip() for h in page.locator("section.category h2").all_inner_texts()]
    names = {c.name_ar for c in load_categories()}
    assert len(headings) >= 5
    assert all(any(h.startswith(name) for name in names) for h in headings)
    assert headings[0].startswith("البناء والتشييد")

    permit = page.locator("details#BLD-002 summary")
    assert "ترخيص بناء (إنشاء جديد)" in permit.inner_text()
    assert permit.is_visible()
    permit.click()  # opens without any script
    body = page.locator("details#BLD-002")
    assert body.locator("text=المستندات المطلوبة").is_visible()
    assert "ج.م" in body.inner_text()
    assert body.locator("a.apply").get_attribute("href", timeout=5000) is not None
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert fits_the_screen(page)
    assert screenshot(page, "catalog-centre-ar").stat().st_size > 0

    page.locator("header.top a[hreflang=en]").click()
    page.wait_for_url("**lang=en")
    assert html.get_attribute("dir") == "ltr"
    assert html.get_attribute("lang") == "en"
    assert (
        page.locator("section.category h2")
        .first.inner_text()
        .startswith("Building and construction")
    )
    assert (
        "Building permit (new construction)" in page.locator("details#BLD-002 summary").inner_text()
    )
    assert fits_the_screen(page)
    assert screenshot(page, "catalog-centre-en").stat().st_size > 0


def test_guide_page_is_printable(page: Page, platform_url: str) -> None:
    page.goto(f"{platform_url}/guide/21")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("article.service").count() > 150
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()  # the print CSS hides the chrome
