"""Journals balance or do not exist; revenue per centre is payments minus refunds."""

from __future__ import annotations

import pytest

from payment_service.domain.ledger import (
    REFUNDS_PAYABLE,
    Account,
    Journal,
    Line,
    Method,
    UnbalancedJournal,
    balances,
    cash_over_short,
    payment_succeeded,
    provider_clearing,
    refund_approved,
    refund_paid,
    revenue,
    till_cash,
    till_difference,
)

CENTRE, GOV, SERVICE = "21-03-F01", "21", "SHP-013"


def test_an_unbalanced_journal_cannot_be_built() -> None:
    with pytest.raises(UnbalancedJournal, match="differ by 1"):
        Journal("x", (Line(till_cash(CENTRE), 100), Line(REFUNDS_PAYABLE, -99)))
    with pytest.raises(UnbalancedJournal):
        Journal("x", (Line(till_cash(CENTRE), 0), Line(REFUNDS_PAYABLE, 0)))
    with pytest.raises(UnbalancedJournal):
        Journal("x", (Line(till_cash(CENTRE), 100),))
    with pytest.raises(UnbalancedJournal):
        Journal("x", (Line(till_cash(CENTRE), 100), Line(till_cash(CENTRE), -100)))


@pytest.mark.parametrize(
    ("method", "debited"),
    [
        (Method.CARD, provider_clearing("paymob")),
        (Method.WALLET, provider_clearing("paymob")),
        (Method.OUTLET, provider_clearing("paymob")),
        (Method.COUNTER_POS, provider_clearing("paymob")),
        (Method.COUNTER_CASH, till_cash(CENTRE)),
    ],
)
def test_a_payment_debits_where_the_money_is_and_credits_revenue(
    method: Method, debited: Account
) -> None:
    journal = payment_succeeded(
        amount=35050,
        method=method,
        provider="paymob",
        service=SERVICE,
        centre=CENTRE,
        governorate=GOV,
        memo="INV-21-26-0004217-2",
    )
    assert journal.amount_on(debited) == 35050
    assert journal.amount_on(revenue(SERVICE, CENTRE, GOV)) == -35050
    assert journal.total == 35050


def test_revenue_per_centre_is_payments_minus_refunds_and_everything_sums_to_zero() -> None:
    common = {"service": SERVICE, "centre": CENTRE, "governorate": GOV}
    journals = [
        payment_succeeded(amount=10000, method=Method.CARD, provider="paymob", memo="a", **common),
        payment_succeeded(
            amount=5000, method=Method.COUNTER_CASH, provider="-", memo="b", **common
        ),
        refund_approved(amount=3000, memo="r", **common),
        refund_paid(amount=3000, paid_from=provider_clearing("paymob"), memo="r"),
    ]
    totals = balances(journals)
    assert sum(totals.values()) == 0
    assert -totals[revenue(SERVICE, CENTRE, GOV)] == 10000 + 5000 - 3000
    assert totals[REFUNDS_PAYABLE] == 0
    assert totals[provider_clearing("paymob")] == 7000


def test_a_till_difference_is_booked_against_over_and_short() -> None:
    short = till_difference(centre=CENTRE, expected=10000, counted=9900, memo="close")
    assert short is not None
    assert short.amount_on(till_cash(CENTRE)) == -100
    assert short.amount_on(cash_over_short(CENTRE)) == 100
    over = till_difference(centre=CENTRE, expected=10000, counted=10050, memo="close")
    assert over is not None
    assert over.amount_on(till_cash(CENTRE)) == 50
    assert till_difference(centre=CENTRE, expected=1, counted=1, memo="close") is None


def test_account_codes_round_trip() -> None:
    account = revenue(SERVICE, CENTRE, GOV)
    assert account.code == "revenue:SHP-013:21-03-F01:21"
    assert Account.parse(account.code) == account
    assert REFUNDS_PAYABLE.code == "refunds_payable"
    with pytest.raises(ValueError, match="parts"):
        provider_clearing("a:b")
    with pytest.raises(UnbalancedJournal):
        refund_approved(amount=0, service=SERVICE, centre=CENTRE, governorate=GOV, memo="x")
