"""A centre's public page (what its QR code opens) and the QR code itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from catalog_service import inputs
from catalog_service.api.deps import ReadSession, read_query, reading
from catalog_service.api.http_cache import HTML, READ_RESPONSES, respond
from catalog_service.api.params import openapi
from catalog_service.domain.centres import CentreKind
from catalog_service.pages import qr, render, views
from catalog_service.queries import centres as centre_queries
from catalog_service.reads.centres import find_centre
from catalog_service.reads.representations import centre_urls
from catalog_service.schemas import PageQuery
from mahaliyat import context

router = APIRouter(tags=["pages"])

LangChoice = Literal["ar", "en"] | None
PAGE_RESPONSES = {**READ_RESPONSES, 200: {"content": {"text/html": {}}}}
NEXT_STOPS_DAYS = 7


def language(lang: LangChoice) -> views.Language:
    """``?lang=`` when given, else the language negotiated from Accept-Language (Arabic first)."""
    chosen = lang or context.language.get()
    return "en" if chosen == "en" else "ar"


@router.get(
    "/c/{code}",
    response_class=Response,
    summary="A centre's public page: its services by category, documents, fees today, SLA",
    responses=PAGE_RESPONSES,
    openapi_extra=openapi(PageQuery),
)
async def centre_page(code: str, request: Request, session: ReadSession) -> Response:
    read, query = await read_query(request, PageQuery)
    snapshot, settings = read.snapshot, read.settings
    centre = find_centre(snapshot, code)
    chosen = language(query.lang)
    today = inputs.today()

    async def page() -> bytes:
        stops = None
        if centre.kind is CentreKind.MOBILE:
            stops = await centre_queries.stops(
                session, today, today + timedelta(days=NEXT_STOPS_DAYS), centre_code=centre.code
            )
        view = views.centre_view(snapshot, centre, today, chosen, settings.portal_url, stops)
        _, svg_url, _ = centre_urls("", centre.code)
        return render.centre_page(
            view,
            chosen,
            on=views.day_text(today, chosen),
            qr_url=svg_url,
            guide_url=f"/guide/{centre.governorate_code}?lang={chosen}",
        )

    key = ("centre_page", centre.code, chosen, today)
    return respond(read, await snapshot.rendered_async(key, page, HTML), vary="Accept-Language")


@router.get(
    "/c/{code}/qr.svg",
    response_class=Response,
    summary="The centre's QR code (SVG), opening its public page",
    responses={**READ_RESPONSES, 200: {"content": {"image/svg+xml": {}}}},
)
async def centre_qr_svg(code: str, request: Request) -> Response:
    read = await reading(request)
    centre = find_centre(read.snapshot, code)
    url, _, _ = centre_urls(read.settings.public_base_url, centre.code)
    key = ("qr", centre.code, "svg")
    return respond(read, read.snapshot.rendered(key, lambda: qr.svg(url), "image/svg+xml"))


@router.get(
    "/c/{code}/qr.png",
    response_class=Response,
    summary="The centre's QR code (PNG), opening its public page",
    responses={**READ_RESPONSES, 200: {"content": {"image/png": {}}}},
)
async def centre_qr_png(code: str, request: Request) -> Response:
    read = await reading(request)
    centre = find_centre(read.snapshot, code)
    url, _, _ = centre_urls(read.settings.public_base_url, centre.code)
    key = ("qr", centre.code, "png")
    return respond(read, read.snapshot.rendered(key, lambda: qr.png(url), "image/png"))
