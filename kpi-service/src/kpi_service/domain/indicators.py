"""Every indicator as data: code, names, formula (words and function), unit, better-when, sources.

An indicator is computed from the rollup cells of a :class:`Scope` (jurisdiction, first and
last Cairo day, optional service, channel, officer). Flows (volumes, times, shares) sum the
cells of the days in the scope; stocks (backlog, overdue, inspection backlog) sum the flows
of every day up to the scope's last day. A ratio with nothing to divide by is ``None``
("no data"), never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from kpi_service.domain.facts import DIGITAL_CHANNELS
from kpi_service.domain.rollup import Cell, CellKey, cells_where, total


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True, slots=True)
class Scope:
    jurisdiction: str = "EG"
    first: date | None = None
    last: date | None = None
    service: str | None = None
    channel: str | None = None
    officer: str | None = None


@dataclass(frozen=True, slots=True)
class View:
    """What a formula sees: the flow cells of the scope, their total, and the stock total."""

    cells: tuple[tuple[CellKey, Cell], ...]
    flow: Cell
    stock: Cell


def view(cells: Mapping[CellKey, Cell], scope: Scope) -> View:
    j, s, ch, o = scope.jurisdiction, scope.service, scope.channel, scope.officer
    flows = tuple(
        cells_where(
            cells,
            jurisdiction=j,
            first=scope.first,
            last=scope.last,
            service=s,
            channel=ch,
            officer=o,
        )
    )
    stocks = cells_where(cells, jurisdiction=j, last=scope.last, service=s, channel=ch, officer=o)
    stock = total(c for _, c in stocks)
    return View(flows, total(c for _, c in flows), stock)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def median(values: Counter[int]) -> float | None:
    """The median of a multiset (the mean of the two middle values for an even count)."""
    count = sum(values.values())
    if count == 0:
        return None
    wanted = [(count - 1) // 2, count // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(values):
        seen += values[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return (found[0] + found[1]) / 2


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name_ar: str
    name_en: str
    formula: str
    unit: str
    better: Better
    sources: tuple[str, ...]
    compute: Callable[[View], float | None]
    accumulates: bool = False  # True: grows through the period (volumes, money, counts)
    group: str = ""

    def value(self, cells: Mapping[CellKey, Cell], scope: Scope) -> float | None:
        return self.compute(view(cells, scope))


REQ = ("request.submitted",)
DONE = ("request.completed",)
CHANGED = ("request.status_changed",)
HOUR, DAY = 3600, 86400


def _channel_share(channels: Iterable[str]) -> Callable[[View], float | None]:
    wanted = frozenset(channels)

    def share(v: View) -> float | None:
        part = sum(c.filed for k, c in v.cells if k.dims.channel in wanted)
        return ratio(part, v.flow.filed)

    return share


def _per_clerk_day(v: View) -> float | None:
    pairs = {(k.officer, k.day) for k, c in v.cells if k.officer is not None and c.filed > 0}
    taken = sum(c.filed for k, c in v.cells if k.officer is not None)
    return None if not pairs else taken / len(pairs)


def _mean(total_value: int, count: int, unit: int) -> float | None:
    return None if count == 0 else total_value / count / unit


def _first_time_right(v: View) -> float | None:
    share = ratio(v.flow.returned, v.flow.decided)
    return None if share is None else 1 - share


def _handling_hours(v: View) -> float | None:
    found = median(v.flow.handling)
    return None if found is None else found / HOUR


def _i(
    code: str,
    ar: str,
    en: str,
    formula: str,
    unit: str,
    better: Better,
    sources: tuple[str, ...],
    compute: Callable[[View], float | None],
    *,
    accumulates: bool = False,
    group: str,
) -> Indicator:
    return Indicator(code, ar, en, formula, unit, better, sources, compute, accumulates, group)


H, L = Better.HIGHER, Better.LOWER

INDICATORS: tuple[Indicator, ...] = (
    # Volumes and digital take-up
    _i(
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
    _i(
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
    _i(
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
    _i(
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
    _i(
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
    _i(
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
    # Front office
    _i(
        "FO_INTAKE_PER_CLERK_DAY",
        "الطلبات لكل موظف يوميًا",
        "Applications taken in per clerk and day",
        "applications taken in by a named clerk ÷ distinct (clerk, Cairo day) pairs with at least one",
        "applications/clerk-day",
        H,
        REQ,
        _per_clerk_day,
        group="front_office",
    ),
    _i(
        "FO_FIRST_ACTION_HOURS",
        "زمن أول إجراء",
        "Time from filing to first action",
        "mean of (first staff status change − filing), hours; changes by citizen, partner or system are not actions",
        "hours",
        L,
        (*REQ, *CHANGED),
        lambda v: _mean(v.flow.first_action_seconds, v.flow.first_actions, HOUR),
        group="front_office",
    ),
    _i(
        "FO_RETURNED_SHARE",
        "نسبة الطلبات المعادة للمواطن",
        "Share returned to the citizen",
        "decided applications ever returned_to_citizen ÷ decided applications (approved + rejected)",
        "share",
        L,
        (*DONE, *CHANGED),
        lambda v: ratio(v.flow.returned, v.flow.decided),
        group="front_office",
    ),
    _i(
        "FO_FIRST_TIME_RIGHT",
        "الصحة من أول مرة",
        "First-time-right",
        "1 − share returned to the citizen",
        "share",
        H,
        (*DONE, *CHANGED),
        _first_time_right,
        group="front_office",
    ),
    # Back office
    _i(
        "BO_PROCESSING_DAYS",
        "متوسط زمن الإنجاز",
        "Processing time",
        "mean of (completed_at − submitted_at − returned_seconds) over decided applications, days",
        "days",
        L,
        DONE,
        lambda v: _mean(v.flow.held_seconds, v.flow.decided, DAY),
        group="back_office",
    ),
    _i(
        "BO_SLA_COMPLIANCE",
        "الالتزام بزمن الخدمة",
        "SLA compliance",
        "decided applications with sla_met (or working_days_taken ≤ sla_days, Cairo working days) ÷ decided applications whose SLA is known",
        "share",
        H,
        DONE,
        lambda v: ratio(v.flow.sla_met, v.flow.sla_met + v.flow.sla_missed),
        group="back_office",
    ),
    _i(
        "BO_BACKLOG",
        "الطلبات قيد العمل",
        "Backlog",
        "applications filed and not completed at the end of the scope's last day",
        "applications",
        L,
        (*REQ, *DONE),
        lambda v: v.stock.opened - v.stock.closed,
        group="back_office",
    ),
    _i(
        "BO_OVERDUE",
        "الطلبات المتأخرة",
        "Overdue",
        "open applications whose latest due_at has passed at the end of the last day",
        "applications",
        L,
        (*REQ, *CHANGED, *DONE),
        lambda v: v.stock.overdue_in - v.stock.overdue_out,
        group="back_office",
    ),
    _i(
        "BO_ESCALATIONS",
        "التصعيدات",
        "Escalations",
        "count of request.escalated in the period",
        "escalations",
        L,
        ("request.escalated",),
        lambda v: v.flow.escalations,
        accumulates=True,
        group="back_office",
    ),
    # Licensing
    _i(
        "LIC_CLOCK_MET",
        "الالتزام بالمدد القانونية",
        "Statutory clocks met",
        "cases whose final decision (latest approved/rejected, or deemed approval) met the clock ÷ cases decided; a deemed approval never meets it",
        "share",
        H,
        ("licensing.decision_made", "licensing.deemed_approved"),
        lambda v: ratio(v.flow.clocks_met, v.flow.cases_decided),
        group="licensing",
    ),
    _i(
        "LIC_DEEMED",
        "الموافقات الضمنية",
        "Deemed approvals",
        "cases approved by silence (the clock ran out) in the period",
        "cases",
        L,
        ("licensing.deemed_approved",),
        lambda v: v.flow.deemed_approvals,
        accumulates=True,
        group="licensing",
    ),
    _i(
        "LIC_INSPECTION_BACKLOG",
        "المعاينات المنتظرة",
        "Inspection backlog",
        "inspections required at case opening, not yet recorded, of cases not finally decided, at the end of the last day",
        "inspections",
        L,
        (
            "licensing.case_opened",
            "licensing.inspection_recorded",
            "licensing.decision_made",
            "licensing.deemed_approved",
        ),
        lambda v: v.stock.inspections_due - v.stock.inspections_done,
        group="licensing",
    ),
    # Revenue
    _i(
        "REV_COLLECTED",
        "الإيرادات المحصلة",
        "Revenue collected",
        "sum of amount_piasters of payments succeeded in the period (one per payment_id)",
        "piasters",
        H,
        ("payment.succeeded",),
        lambda v: v.flow.revenue_piasters,
        accumulates=True,
        group="revenue",
    ),
    _i(
        "REV_REFUNDED",
        "المبالغ المستردة",
        "Refunds",
        "sum of amount_piasters of refunds in the period (one per refund_id)",
        "piasters",
        L,
        ("payment.refunded",),
        lambda v: v.flow.refunded_piasters,
        accumulates=True,
        group="revenue",
    ),
    _i(
        "REV_NET",
        "صافي الإيرادات",
        "Net revenue",
        "revenue collected − refunds",
        "piasters",
        H,
        ("payment.succeeded", "payment.refunded"),
        lambda v: v.flow.revenue_piasters - v.flow.refunded_piasters,
        accumulates=True,
        group="revenue",
    ),
    # SMS
    _i(
        "SMS_DELIVERY_RATE",
        "نسبة وصول الرسائل",
        "SMS delivery rate",
        "messages whose latest receipt is delivered ÷ messages with a receipt (delivered or failed), by the day of their first event; national only",
        "share",
        H,
        ("notification.sms.sent", "notification.sms.delivered", "notification.sms.failed"),
        lambda v: ratio(v.flow.sms_delivered, v.flow.sms_delivered + v.flow.sms_failed),
        group="sms",
    ),
    # Satisfaction
    _i(
        "SAT_MEAN",
        "متوسط رضا المواطنين",
        "Citizen satisfaction",
        "mean score (1–5) of the first answer per application",
        "score",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: _mean(v.flow.score_sum, v.flow.answers, 1),
        group="satisfaction",
    ),
    _i(
        "SAT_SHARE",
        "نسبة الراضين",
        "Share satisfied",
        "answers scoring 4 or 5 ÷ answers",
        "share",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: ratio(v.flow.satisfied, v.flow.answers),
        group="satisfaction",
    ),
    _i(
        "SAT_ANSWERS",
        "عدد التقييمات",
        "Answers",
        "count of applications answered (first answer each)",
        "answers",
        H,
        ("kpi.satisfaction.recorded",),
        lambda v: v.flow.answers,
        accumulates=True,
        group="satisfaction",
    ),
    # Staff (computed with Scope.officer set; officer = officer_ref of request.completed)
    _i(
        "STAFF_THROUGHPUT",
        "إنتاجية الموظف",
        "Officer throughput",
        "decided applications whose officer_ref is the officer, in the period",
        "applications",
        H,
        DONE,
        lambda v: v.flow.decided,
        accumulates=True,
        group="staff",
    ),
    _i(
        "STAFF_MEDIAN_HANDLING_HOURS",
        "وسيط زمن المعالجة",
        "Median handling time",
        "median processing_seconds (time in in_processing) of the officer's decided applications, hours",
        "hours",
        L,
        DONE,
        _handling_hours,
        group="staff",
    ),
    _i(
        "STAFF_SLA_COMPLIANCE",
        "التزام الموظف بزمن الخدمة",
        "Officer SLA compliance",
        "as BO_SLA_COMPLIANCE over the officer's decided applications",
        "share",
        H,
        DONE,
        lambda v: ratio(v.flow.sla_met, v.flow.sla_met + v.flow.sla_missed),
        group="staff",
    ),
    _i(
        "STAFF_RETURNED_SHARE",
        "نسبة الإعادة للموظف",
        "Officer returned share",
        "as FO_RETURNED_SHARE over the officer's decided applications",
        "share",
        L,
        (*DONE, *CHANGED),
        lambda v: ratio(v.flow.returned, v.flow.decided),
        group="staff",
    ),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}

DIMENSIONS = ("jurisdiction", "governorate", "centre", "service", "channel", "officer")


def _dimension(key: CellKey, name: str) -> str | None:
    return key.officer if name == "officer" else getattr(key.dims, name)


def breakdown(
    indicator: Indicator, cells: Mapping[CellKey, Cell], scope: Scope, by: str
) -> dict[str | None, float | None]:
    """The indicator for each value of one dimension found within the scope."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    values = {
        _dimension(k, by)
        for k, _ in cells_where(cells, jurisdiction=scope.jurisdiction, last=scope.last)
    }
    out: dict[str | None, float | None] = {}
    for value in sorted(values, key=lambda v: (v is None, v or "")):
        part = {k: c for k, c in cells.items() if _dimension(k, by) == value}
        out[value] = indicator.value(part, scope)
    return out


def revenue_by_method(cells: Mapping[CellKey, Cell], scope: Scope) -> dict[str, int]:
    """Revenue collected per payment method, piasters."""
    flow = view(cells, scope).flow
    return dict(sorted(flow.revenue_by_method.items()))


def refunds_by_method(cells: Mapping[CellKey, Cell], scope: Scope) -> dict[str, int]:
    """Refunds per payment method, piasters."""
    flow = view(cells, scope).flow
    return dict(sorted(flow.refunded_by_method.items()))


def for_officer(scope: Scope, officer: str) -> Scope:
    return replace(scope, officer=officer)
