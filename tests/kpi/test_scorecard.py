from __future__ import annotations

from decimal import Decimal as D

import pytest

from kpi_service.domain.indicators import Scope
from kpi_service.domain.scorecard import (
    Band,
    InvalidRules,
    Measure,
    Rules,
    rules_for,
    scorecard,
    validate,
)
from tests.kpi.test_indicators import cells, done, filed

BANDS = (
    Band(D("0.85"), "excellent", "ممتاز", "Excellent", D("1")),
    Band(D("0.6"), "good", "جيد", "Good", D("0.5")),
    Band(D("0"), "improve", "يحتاج تحسين", "Needs improvement", D("0")),
)


def rules(jurisdiction: str, sla_weight: str = "0.5", min_decided: int = 1) -> Rules:
    rest = str(1 - D(sla_weight))
    return Rules(
        jurisdiction,
        (
            Measure("STAFF_SLA_COMPLIANCE", D(sla_weight), D("0.5"), D("1")),
            Measure("STAFF_RETURNED_SHARE", D(rest), D("0.5"), D("0")),
        ),
        BANDS,
        min_decided,
    )


def test_validation_names_every_problem() -> None:
    assert validate(rules("EG")) == rules("EG")
    bad = Rules(
        "EG",
        (
            Measure("STAFF_SLA_COMPLIANCE", D("0.7"), D("1"), D("0.5")),
            Measure("NOPE", D("0.2"), D("0"), D("1")),
        ),
        (BANDS[1], BANDS[0]),
    )
    with pytest.raises(InvalidRules) as caught:
        validate(bad)
    assert len(caught.value.errors) == 4  # order, unknown, sum, bands


def test_the_most_specific_jurisdiction_wins() -> None:
    sets = [rules("EG"), rules("21"), rules("21-03"), rules("01")]
    assert rules_for("21-03-F01", sets).jurisdiction == "21-03"  # type: ignore[union-attr]
    assert rules_for("21-04-F02", sets).jurisdiction == "21"  # type: ignore[union-attr]
    assert rules_for("02-01", sets).jurisdiction == "EG"  # type: ignore[union-attr]
    assert rules_for("02", [rules("21")]) is None


def test_scorecard_and_rating() -> None:
    rollup = cells(
        [
            filed("a", "centre"),
            filed("b", "centre"),
            done("a", "approved", 48, sla_met=True, officer="o1"),
            done("b", "approved", 48, sla_met=False, officer="o1", returned=60),
        ]
    )
    # SLA 0.5 → score 0; returned share 0.5 → score 0: rated lowest
    card = scorecard("o1", "21-03-F01", rollup, Scope(), [rules("EG")])
    assert (card.decided, card.score, card.band.code) == (2, D("0"), "improve")  # type: ignore[union-attr]
    only_sla = cells([filed("a", "centre"), done("a", "approved", 48, sla_met=True, officer="o1")])
    card = scorecard("o1", "21-03-F01", only_sla, Scope(), [rules("EG", "0.3")])
    assert (card.score, card.band.code) == (D("1"), "excellent")  # type: ignore[union-attr]
    unrated = scorecard("o1", "21-03-F01", only_sla, Scope(), [rules("EG", min_decided=5)])
    assert (unrated.score, unrated.band) == (None, None)
    with pytest.raises(LookupError):
        scorecard("o1", "21-03-F01", only_sla, Scope(), [rules("01")])
