"""Per-request context shared by logs, outgoing HTTP calls and events."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
language: ContextVar[str] = ContextVar("language", default="ar")

SUPPORTED_LANGUAGES = ("ar", "en")


def negotiate_language(accept_language: str | None) -> str:
    """Pick ``ar`` or ``en`` from an Accept-Language header; Arabic when nothing matches."""
    if not accept_language:
        return "ar"
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in SUPPORTED_LANGUAGES and quality > 0:
            candidate = (quality, -position, primary)
            if best is None or candidate > best:
                best = candidate
    return best[2] if best else "ar"
