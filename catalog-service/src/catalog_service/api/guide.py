"""The unified services guide, national and per governorate: a printable page and a PDF.

The national PDF is ``/guide/EG.pdf``: the gateway routes ``/guide`` and ``/guide/…``
to this service, so ``/guide.pdf`` (also served) is reachable only on the service itself.
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service import inputs
from catalog_service.api.deps import Reading, read_query
from catalog_service.api.http_cache import HTML, READ_RESPONSES, respond
from catalog_service.api.pages import LangChoice, language
from catalog_service.api.params import openapi
from catalog_service.domain.codes import NATION
from catalog_service.pages import pdf, render, views
from catalog_service.readmodel import Snapshot
from catalog_service.schemas import PageQuery
from catalog_service.settings import (
    ARABIC_FONT_CANDIDATES,
    LATIN_FONT_CANDIDATES,
    CatalogSettings,
)
from mahaliyat import context
from mahaliyat.problems import PROBLEM_JSON, Problem

router = APIRouter(tags=["pages"])

PDF = "application/pdf"
HTML_RESPONSES = {**READ_RESPONSES, 200: {"content": {"text/html": {}}}}
PDF_RESPONSES = {
    **READ_RESPONSES,
    200: {"content": {PDF: {}}},
    503: {"description": "No Arabic font to write the PDF with", "content": {PROBLEM_JSON: {}}},
}


def _scope(snapshot: Snapshot, value: str | None) -> str | None:
    """None for the nation (``EG`` or nothing), else a known governorate code (404 if unknown)."""
    if value is None or value.strip().upper() == NATION:
        return None
    code = inputs.path_code(value)
    if code not in snapshot.governorates:
        raise inputs.not_found("governorate", value)
    return code


def _fonts(settings: CatalogSettings) -> pdf.Fonts:
    arabic = pdf.first_existing(settings.pdf_font_path, ARABIC_FONT_CANDIDATES)
    if arabic is None:
        wanted = settings.pdf_font_path or ", ".join(str(p) for p in ARABIC_FONT_CANDIDATES)
        detail = (
            f"no Arabic font for the PDF guide (looked for {wanted}); install fonts-noto-core "
            "or set MAHALIYAT_CATALOG_PDF_FONT_PATH"
            if context.language.get() == "en"
            else f"لا يوجد خط عربي لإنشاء الدليل بصيغة PDF (بحثنا عن {wanted})؛ "
            "ثبّت fonts-noto-core أو اضبط MAHALIYAT_CATALOG_PDF_FONT_PATH"
        )
        raise Problem(503, "pdf_font_missing", detail)
    latin = pdf.first_existing(settings.pdf_latin_font_path, LATIN_FONT_CANDIDATES)
    return pdf.Fonts(arabic, latin if latin != arabic else None)


async def _html(read: Reading, value: str | None, lang: LangChoice) -> Response:
    snapshot, settings = read.snapshot, read.settings
    governorate = _scope(snapshot, value)
    chosen = language(lang)
    today = inputs.today()

    def page() -> bytes:
        view = views.guide_view(snapshot, governorate, today, chosen, settings.portal_url)
        return render.guide_page(view, chosen, pdf_url=f"/guide/{view.scope}.pdf?lang={chosen}")

    rendered = snapshot.rendered(("guide", governorate, chosen, today), page, HTML)
    return respond(read, rendered, vary="Accept-Language")


async def _pdf(read: Reading, value: str | None, lang: LangChoice) -> Response:
    snapshot, settings = read.snapshot, read.settings
    governorate = _scope(snapshot, value)
    chosen = language(lang)
    today = inputs.today()
    fonts = _fonts(settings)

    async def document() -> bytes:
        view = views.guide_view(snapshot, governorate, today, chosen, settings.portal_url)
        return await anyio.to_thread.run_sync(pdf.guide_pdf, view, chosen, fonts)

    key = ("guide.pdf", governorate, chosen, today)
    response = respond(
        read, await snapshot.rendered_async(key, document, PDF), vary="Accept-Language"
    )
    name = f"mahaliyat-guide-{governorate or NATION}-{chosen}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


_PAGE_PARAMS = openapi(PageQuery)


@router.get(
    "/guide",
    response_class=Response,
    summary="The national guide (printable HTML)",
    responses=HTML_RESPONSES,
    openapi_extra=_PAGE_PARAMS,
)
async def national_guide(request: Request) -> Response:
    read, query = await read_query(request, PageQuery)
    return await _html(read, None, query.lang)


@router.get(
    "/guide.pdf",
    response_class=Response,
    summary="The national guide (PDF); through the gateway use /guide/EG.pdf",
    responses=PDF_RESPONSES,
    openapi_extra=_PAGE_PARAMS,
)
async def national_guide_pdf(request: Request) -> Response:
    read, query = await read_query(request, PageQuery)
    return await _pdf(read, None, query.lang)


@router.get(
    "/guide/{scope}.pdf",
    response_class=Response,
    summary="The guide as PDF: `EG` for the nation, or a governorate code",
    responses=PDF_RESPONSES,
    openapi_extra=_PAGE_PARAMS,
)
async def guide_pdf(scope: str, request: Request) -> Response:
    read, query = await read_query(request, PageQuery)
    return await _pdf(read, scope, query.lang)


@router.get(
    "/guide/{governorate}",
    response_class=Response,
    summary="A governorate's guide, with its fees (printable HTML); `EG` is the national one",
    responses=HTML_RESPONSES,
    openapi_extra=_PAGE_PARAMS,
)
async def governorate_guide(governorate: str, request: Request) -> Response:
    read, query = await read_query(request, PageQuery)
    return await _html(read, governorate, query.lang)
