"""Volumes and digital take-up: applications filed and completed, shares by channel."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kpi_service.domain.facts import DIGITAL_CHANNELS
from kpi_service.domain.indicators.base import DONE, REQ, H, Indicator, View, define, ratio


def _channel_share(channels: Iterable[str]) -> Callable[[View], float | None]:
    wanted = frozenset(channels)

    def share(v: View) -> float | None:
        part = sum(c.filed for k, c in v.cells if k.dims.channel in wanted)
        return ratio(part, v.flow.filed)

    return share


VOLUME: tuple[Indicator, ...] = (
    define(
        "VOL_FILED",
        "الطلبات المقدمة",
        "Applications filed",
        "count of applications filed in the period (request.submitted, or request.completed's submitted_at when the submission is missing)",
        "applications",
        H,
        (*REQ, *DONE),
        lambda v: v.flow.filed,
        accumulates=True,
        group="volume",
    ),
    define(
        "VOL_COMPLETED",
        "الطلبات المنتهية",
        "Applications completed",
        "count of applications completed (delivered, rejected or cancelled) in the period",
        "applications",
        H,
        DONE,
        lambda v: v.flow.completed,
        accumulates=True,
        group="volume",
    ),
    define(
        "DIGITAL_TAKE_UP",
        "نسبة التحول الرقمي",
        "Digital take-up",
        "applications filed through portal, app or partner API ÷ all applications filed",
        "share",
        H,
        REQ,
        _channel_share(DIGITAL_CHANNELS),
        group="volume",
    ),
    define(
        "PORTAL_SHARE",
        "نسبة البوابة",
        "Portal share",
        "applications filed through the portal ÷ all applications filed",
        "share",
        H,
        REQ,
        _channel_share({"portal"}),
        group="volume",
    ),
    define(
        "APP_SHARE",
        "نسبة التطبيق",
        "App share",
        "applications filed through the app ÷ all applications filed",
        "share",
        H,
        REQ,
        _channel_share({"app"}),
        group="volume",
    ),
    define(
        "PARTNER_SHARE",
        "نسبة الشركاء",
        "Partner share",
        "applications filed through a partner's API ÷ all applications filed",
        "share",
        H,
        REQ,
        _channel_share({"partner_api"}),
        group="volume",
    ),
)
