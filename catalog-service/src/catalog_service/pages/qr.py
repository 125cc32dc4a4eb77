"""A centre's QR code: the absolute URL of its public page, as SVG or PNG."""

from __future__ import annotations

import io

import segno


def _code(url: str) -> segno.QRCode:
    # Level M survives a scuffed print on a counter; the URL is short enough to stay small.
    return segno.make(url, error="m", micro=False)


def svg(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="svg", scale=8, border=4, xmldecl=False, title=url)
    return buffer.getvalue()


def png(url: str) -> bytes:
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
