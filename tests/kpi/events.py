"""Events shaped as the contracts say (docs/contracts.md, docs/kpi.md), for the KPI tests."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

_IDS = random.Random(7)
BASE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def event(kind: str, data: dict[str, Any], at: datetime, subject: str = "") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(uuid.UUID(int=_IDS.getrandbits(128))),
        "source": "/" + kind.split(".")[0],
        "type": kind,
        "time": at.isoformat(),
        "subject": subject,
        "data": data,
    }


def common(app: str, at: datetime, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application_id": app,
        "tracking_number": "21-26-0004217-9",
        "service_code": "BLD-001",
        "service_name": {"ar": "ترخيص بناء", "en": "Building permit"},
        "channel": "centre",
        "centre_code": "21-03-F01",
        "jurisdiction": "21-03-F01",
        "governorate": "21",
        "applicant": {"ref": "r1", "phone": "+201012345678", "language": "ar"},
        "state": "submitted",
        "at": at.isoformat(),
    }
    data.update(overrides)
    return data


def history(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """``n`` applications with random lives, payments, SMS, answers and licensing cases."""
    events: list[dict[str, Any]] = []
    services = ["BLD-001", "SHP-013", "CIV-002"]
    places = [
        ("21-03-F01", "centre"),
        ("21-04-F02", "centre"),
        ("01-01-F01", "mobile_centre"),
        (None, "portal"),
        (None, "app"),
        (None, "partner_api"),
    ]
    officers = ["o1", "o2", "o3", "o4"]
    for i in range(n):
        app = f"app-{i}"
        centre, channel = rng.choice(places)
        jurisdiction = centre or rng.choice(["21", "01"])
        dims = {
            "service_code": rng.choice(services),
            "channel": channel,
            "centre_code": centre,
            "jurisdiction": jurisdiction,
            "governorate": jurisdiction[:2],
        }
        filed = BASE + timedelta(minutes=rng.randrange(60 * 24 * 40))
        due = filed + timedelta(days=rng.randrange(1, 20))
        intake = rng.choice(officers) if centre else None
        events.append(
            event(
                "request.submitted",
                common(
                    app,
                    filed,
                    **dims,
                    sla_days=10,
                    due_at=due.isoformat(),
                    fee_piasters=5000,
                    intake_actor_id=intake,
                ),
                filed,
                app,
            )
        )
        t = filed
        returned = False
        for _ in range(rng.randrange(4)):
            t += timedelta(hours=rng.randrange(1, 72))
            to = rng.choice(
                ["under_review", "returned_to_citizen", "in_processing", "awaiting_payment"]
            )
            returned |= to == "returned_to_citizen"
            if to == "returned_to_citizen":
                due += timedelta(days=2)
            role = rng.choice(["front_office", "back_office", "system", "citizen"])
            events.append(
                event(
                    "request.status_changed",
                    common(
                        app,
                        t,
                        **dims,
                        to=to,
                        actor_role=role,
                        actor_id=rng.choice(officers),
                        due_at=due.isoformat(),
                    ),
                    t,
                    app,
                )
            )
        if rng.random() < 0.3:
            t += timedelta(hours=1)
            events.append(
                event(
                    "request.escalated",
                    common(
                        app,
                        t,
                        **dims,
                        due_at=due.isoformat(),
                        overdue_seconds=60,
                        officer_ref=rng.choice(officers),
                    ),
                    t,
                    app,
                )
            )
        if rng.random() < 0.5:
            t += timedelta(hours=rng.randrange(1, 400))
            events.append(
                event(
                    "payment.succeeded",
                    {
                        **dims,
                        "payment_id": f"pay-{i}",
                        "application_id": app,
                        "invoice_id": f"inv-{i}",
                        "method": rng.choice(["card", "wallet", "outlet", "counter"]),
                        "amount_piasters": rng.randrange(100, 100000),
                        "paid_at": t.isoformat(),
                    },
                    t,
                    f"pay-{i}",
                )
            )
            if rng.random() < 0.2:
                events.append(
                    event(
                        "payment.refunded",
                        {
                            **dims,
                            "refund_id": f"ref-{i}",
                            "payment_id": f"pay-{i}",
                            "method": "card",
                            "amount_piasters": 50,
                            "refunded_at": (t + timedelta(days=1)).isoformat(),
                        },
                        t + timedelta(days=1),
                        f"ref-{i}",
                    )
                )
        if rng.random() < 0.7:
            t += timedelta(hours=rng.randrange(1, 400))
            outcome = rng.choice(["approved", "approved", "rejected", "cancelled"])
            sla = None if outcome == "cancelled" else t <= due
            events.append(
                event(
                    "request.completed",
                    common(
                        app,
                        t,
                        **dims,
                        outcome=outcome,
                        submitted_at=filed.isoformat(),
                        completed_at=t.isoformat(),
                        returned_seconds=3600 if returned else 0,
                        processing_seconds=rng.randrange(0, 5) * 3600,
                        working_days_taken=3,
                        sla_days=10,
                        sla_met=sla,
                        due_at=due.isoformat(),
                        officer_ref=rng.choice(officers),
                    ),
                    t,
                    app,
                )
            )
            message = f"msg-{i}"
            for kind in rng.sample(["sent", "delivered", "failed"], rng.randrange(1, 4)):
                t += timedelta(minutes=rng.randrange(1, 30))
                events.append(
                    event(
                        f"notification.sms.{kind}",
                        {"message_id": message, "reference": app, "segments": 1, "attempts": 1},
                        t,
                        message,
                    )
                )
            for _ in range(rng.randrange(3)):
                t += timedelta(hours=rng.randrange(1, 30))
                events.append(
                    event(
                        "kpi.satisfaction.recorded",
                        {**dims, "application_id": app, "score": rng.randrange(1, 6), "via": "sms"},
                        t,
                        app,
                    )
                )
        if dims["service_code"] == "SHP-013" and rng.random() < 0.8:
            case = f"case-{i}"
            lic = {k: v for k, v in dims.items() if k != "channel"}
            t2 = filed + timedelta(hours=2)
            events.append(
                event(
                    "licensing.case_opened",
                    {
                        **lic,
                        "case_id": case,
                        "application_id": app,
                        "family": "shop",
                        "clock_days": 60,
                        "inspections_required": ["civil_protection", "health"],
                    },
                    t2,
                    case,
                )
            )
            for authority in rng.sample(["civil_protection", "health", "police"], rng.randrange(3)):
                t2 += timedelta(days=rng.randrange(1, 10))
                events.append(
                    event(
                        "licensing.inspection_recorded",
                        {**lic, "case_id": case, "authority": authority},
                        t2,
                        case,
                    )
                )
            roll = rng.random()
            t2 += timedelta(days=5)
            if roll < 0.3:
                events.append(
                    event("licensing.deemed_approved", {**lic, "case_id": case}, t2, case)
                )
            elif roll < 0.8:
                events.append(
                    event(
                        "licensing.decision_made",
                        {
                            **lic,
                            "case_id": case,
                            "decision": rng.choice(["approved", "rejected", "returned"]),
                            "clock_met": rng.random() < 0.7,
                        },
                        t2,
                        case,
                    )
                )
            if rng.random() < 0.4:
                events.append(
                    event(
                        "licensing.licence_issued",
                        {**lic, "case_id": case, "licence_number": f"L-{i}"},
                        t2 + timedelta(days=1),
                        case,
                    )
                )
    return events
