"""HTML from the views, through Jinja2 templates with autoescaping on for every value."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from catalog_service.pages.views import CentreView, GuideView, Language, digits, say


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("catalog_service.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, lang: Language, **values: Any) -> bytes:
    page = (
        _environment()
        .get_template(template)
        .render(
            lang=lang,
            say=lambda key, **kw: say(key, lang, **kw),
            digits=lambda value: digits(value, lang),
            **values,
        )
    )
    return page.encode()


def centre_page(view: CentreView, lang: Language, *, on: str, qr_url: str, guide_url: str) -> bytes:
    return _render(
        "centre.html",
        lang,
        title=view.name,
        centre=view,
        on=on,
        qr_url=qr_url,
        guide_url=guide_url,
        with_steps=False,
    )


def guide_page(view: GuideView, lang: Language, *, pdf_url: str) -> bytes:
    return _render(
        "guide.html", lang, title=view.title, guide=view, pdf_url=pdf_url, with_steps=True
    )
