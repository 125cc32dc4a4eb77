"""Public pages: the centre page its QR code opens (decoded with zbar), and the unified guide."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from catalog_service.domain.catalogue import offered_at
from catalog_service.seed import load_categories, load_centres, load_services
from mahaliyat.auth import TokenVerifier
from tests.catalog.conftest import PORTAL_URL, PUBLIC_BASE_URL, Catalogue, running, settings_for
from tests.catalog.pdf_text import pdf_lines


def decode_qr(png: bytes, tmp_path: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is not installed: apt-get install zbar-tools (.ci/run does)")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run(
        [zbarimg, "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def render_svg(svg: bytes, tmp_path: Path) -> bytes:
    """The SVG as a browser draws it: a PNG screenshot by Debian's headless Chromium (which
    the page tests use already; ``.ci/run`` installs it)."""
    chromium = (
        os.environ.get("MAHALIYAT_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if chromium is None:
        pytest.fail("Chromium is not installed: apt-get install chromium (.ci/run does)")
    source, picture = tmp_path / "qr.svg", tmp_path / "qr-svg.png"
    source.write_bytes(svg)
    subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=400,400",
            f"--screenshot={picture}",
            source.as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return picture.read_bytes()


def html_lang_dir(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="(\w+)" dir="(\w+)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


async def test_the_qr_code_opens_the_centre_page(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    client = sqlite_catalogue.client
    png = await client.get("/c/21-03-F01/qr.png")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    url = decode_qr(png.content, tmp_path)
    assert url == f"{PUBLIC_BASE_URL}/c/21-03-F01"

    page = await client.get(url.removeprefix(PUBLIC_BASE_URL))
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    centre = next(c for c in load_centres() if c.code == "21-03-F01")
    assert centre.name_ar in page.text

    svg = await client.get("/c/21-03-F01/qr.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg.text
    assert decode_qr(render_svg(svg.content, tmp_path), tmp_path) == url
    assert (await client.get("/c/21-99-F01/qr.png")).status_code == 404


async def test_the_centre_page_lists_its_services_by_category_in_arabic(
    sqlite_catalogue: Catalogue,
) -> None:
    page = (await sqlite_catalogue.client.get("/c/21-03-F01")).text
    assert html_lang_dir(page) == ("ar", "rtl")
    assert 'name="viewport"' in page
    assert "<script" not in page  # the gateway's CSP allows no inline script

    centre = next(c for c in load_centres() if c.code == "21-03-F01")
    offered = [s for s in load_services() if offered_at(s, centre.kind)]
    headings = re.findall(r"<h2>([^<]+?) <span", page)
    used = {s.category_code for s in offered}
    expected = [c.name_ar for c in load_categories() if c.code in used]
    assert [h.strip() for h in headings] == expected
    assert page.count("<details") == len(offered)

    permit = next(s for s in offered if s.code == "BLD-002")
    assert permit.name_ar in page
    # Giza's own fee today, in Arabic-Indic digits, kept on one line with «ج.م»; SLA; link.
    assert "١٬٢٠٠٫٠٠\u00a0ج.م" in page
    assert f"{PORTAL_URL}/apply/BLD-002" in page
    not_online = next(s for s in offered if not s.online)
    assert f"/apply/{not_online.code}" not in page
    assert "مدة الإنجاز" in page
    assert "يوم عمل" in page


async def test_the_centre_page_in_english(sqlite_catalogue: Catalogue) -> None:
    by_query = (await sqlite_catalogue.client.get("/c/21-03-F01?lang=en")).text
    assert html_lang_dir(by_query) == ("en", "ltr")
    assert "Building permit (new construction)" in by_query
    assert "EGP\u00a01,200.00" in by_query
    assert 'href="?lang=ar"' in by_query  # the switch back

    negotiated = await sqlite_catalogue.client.get(
        "/c/21-03-F01", headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    assert html_lang_dir(negotiated.text) == ("en", "ltr")
    assert negotiated.headers["vary"] == "Accept-Language"
    arabic = await sqlite_catalogue.client.get("/c/21-03-F01")
    assert arabic.headers["etag"] != negotiated.headers["etag"]
    bad = await sqlite_catalogue.client.get("/c/21-03-F01?lang=fr")
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["lang"]


async def test_a_mobile_centre_page_shows_its_next_stops(sqlite_catalogue: Catalogue) -> None:
    page = (await sqlite_catalogue.client.get("/c/21-M01")).text
    assert "الوقفات القادمة" in page
    schedule = (
        await sqlite_catalogue.client.get("/api/v1/catalog/centres/21-M01/schedule?days=7")
    ).json()
    assert schedule["items"]
    assert schedule["items"][0]["place"]["ar"] in page


async def test_everything_on_the_page_is_escaped(sqlite_catalogue: Catalogue) -> None:
    evil = "<script>alert('x')</script>"
    response = await sqlite_catalogue.client.patch(
        "/api/v1/catalog/centres/21-03-F01",
        json={"name": {"ar": evil, "en": evil}},
        headers=sqlite_catalogue.auth("21"),
    )
    assert response.status_code == 200
    page = (await sqlite_catalogue.client.get("/c/21-03-F01")).text
    assert evil not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


async def test_the_guide_lists_procedures_documents_and_fees(
    sqlite_catalogue: Catalogue,
) -> None:
    national = await sqlite_catalogue.client.get("/guide")
    giza = await sqlite_catalogue.client.get("/guide/21")
    assert national.status_code == giza.status_code == 200
    assert html_lang_dir(national.text) == ("ar", "rtl")
    assert "@media print" in national.text
    active = [s for s in load_services() if s.active]
    assert national.text.count('<article class="service"') == len(active)
    permit = next(s for s in active if s.code == "BLD-002")
    assert permit.steps[0].text_ar in national.text
    assert permit.documents[0].name_ar in national.text
    assert "١٬٠٠٠٫٠٠\u00a0ج.م" in national.text  # national review fee for BLD-002
    assert "١٬٢٠٠٫٠٠\u00a0ج.م" in giza.text  # Giza's override
    assert "محافظة الجيزة" in giza.text
    assert 'href="/guide/21.pdf?lang=ar"' in giza.text
    assert (await sqlite_catalogue.client.get("/guide/EG")).text == national.text
    assert (await sqlite_catalogue.client.get("/guide/99")).status_code == 404


def section(lines: list[str], code: str) -> list[str]:
    """The lines of one service in the guide: from its heading to the next service's."""
    start = next(i for i, line in enumerate(lines) if f"({code})" in line or f"){code}(" in line)
    end = next(
        (i for i in range(start + 1, len(lines)) if SERVICE_CODE.search(lines[i])), len(lines)
    )
    return lines[start:end]


SERVICE_CODE = re.compile(r"[A-Z]{3}-\d{3}")


async def test_the_guide_as_pdf(sqlite_catalogue: Catalogue) -> None:
    response = await sqlite_catalogue.client.get("/guide/21.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages = re.search(rb"/Type /Pages\s*/Count (\d+)|/Count (\d+)", response.content)
    assert pages is not None
    assert int(pages.group(1) or pages.group(2)) > 10
    assert response.content.rstrip().endswith(b"%%EOF")
    again = await sqlite_catalogue.client.get(
        "/guide/21.pdf", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    national = await sqlite_catalogue.client.get("/guide/EG.pdf?lang=en")
    assert national.content.startswith(b"%PDF-")
    assert national.headers["etag"] != response.headers["etag"]


async def test_the_pdf_guide_holds_every_service_with_its_fees(
    sqlite_catalogue: Catalogue,
) -> None:
    active = [s for s in load_services() if s.active]
    permit = next(s for s in active if s.code == "BLD-002")

    # Giza's guide, in Arabic: printed right to left, so a line reads reversed.
    giza = pdf_lines((await sqlite_catalogue.client.get("/guide/21.pdf")).content)
    assert "محافظة الجيزة" in giza[0][::-1]
    assert {code for line in giza for code in SERVICE_CODE.findall(line)} == {
        s.code for s in active
    }
    lines = section(giza, "BLD-002")
    assert permit.name_ar in lines[0][::-1]
    assert any(permit.steps[0].text_ar in line[::-1] for line in lines)
    assert any(permit.documents[0].name_ar in line[::-1] for line in lines)
    # Giza's own review fee (EGP 1,200), its digits left to right inside the Arabic line.
    assert any("١٬٢٠٠٫٠٠" in line and "م.ج" in line for line in lines)

    # The national guide in English: the national default fee.
    national = pdf_lines((await sqlite_catalogue.client.get("/guide/EG.pdf?lang=en")).content)
    assert national[0] == "Unified guide to local administration services"
    lines = section(national, "BLD-002")
    assert lines[0] == f"{permit.name_en} (BLD-002)"
    assert f"1. {permit.steps[0].text_en}" in lines
    assert "Drawings review fee: EGP 1,000.00" in lines  # Giza's is 1,200.00


async def test_without_an_arabic_font_the_pdf_is_503_saying_so(
    tmp_path: Path, verifier: TokenVerifier, signing_key: ed25519.Ed25519PrivateKey
) -> None:
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path}/catalog.db",
        tmp_path,
        pdf_font_path=tmp_path / "no-such-font.ttf",
        seed_demo_data=False,
    )
    async for service in running(settings, verifier, signing_key):
        response = await service.client.get("/guide.pdf", headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert response.json()["code"] == "pdf_font_missing"
        assert "no-such-font.ttf" in response.json()["detail"]
        html = await service.client.get("/guide")  # the printable page needs no font file
        assert html.status_code == 200
