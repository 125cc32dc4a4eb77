"""The start page of the embedded platform, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from mahaliyat_gateway.routes import ROUTES

from .conftest import screenshot

# The embedded platform starting (demo data seeded) counts against the first test.
pytestmark = pytest.mark.timeout(360)


def test_start_page_is_arabic_rtl_and_links_every_service(page: Page, platform_url: str) -> None:
    page.goto(platform_url + "/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert "محليات" in page.locator("h1").inner_text()
    for service in ROUTES:
        assert page.locator(f'a[href="{service.api_prefix}/docs"]').count() == 1
    assert screenshot(page, "start-page").stat().st_size > 0
