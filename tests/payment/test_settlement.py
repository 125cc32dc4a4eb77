"""Settlement files: strict parsing with row and column, matching, late settlements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from payment_service.domain.settlement import (
    FAWRY_LIKE,
    PAYMOB_LIKE,
    MatchKind,
    OurPayment,
    SettlementFileError,
    export_csv,
    parse_settlement,
    reconcile,
    unsettled,
)

GENERIC_FILE = (
    "\ufeffprovider_reference,merchant_reference,amount,currency,paid_at,extra\n"
    "T-1,pay-1,350.50,EGP,2026-11-24T12:03:00+02:00,x\n"
    "T-2,pay-2,100.00,EGP,2026-11-24T13:00:00,x\n"
    "T-3,,20.00,EGP,2026-11-24T10:00:00Z,x\n"
    "\n"
    "T-4,pay-4,99.00,EGP,2026-11-24T10:00:00Z,x\n"
)


def ours(reference: str, provider: str | None, amount: int, day: int = 24) -> OurPayment:
    return OurPayment(provider, reference, amount, "EGP", datetime(2026, 11, day, 10, tzinfo=UTC))


def test_the_generic_file_is_read_in_piasters_with_cairo_as_the_default_zone() -> None:
    rows = parse_settlement(GENERIC_FILE)
    assert [r.provider_reference for r in rows] == ["T-1", "T-2", "T-3", "T-4"]
    assert rows[0].amount == 35050
    assert rows[0].row == 2
    assert rows[1].paid_at.utcoffset() == timedelta(hours=2)  # Cairo in November
    assert rows[2].merchant_reference is None
    assert rows[3].row == 6  # the blank line still counts


def test_every_bad_cell_is_reported_with_its_row_and_column() -> None:
    text = (
        "provider_reference,merchant_reference,amount,currency,paid_at\n"
        "T-1,pay-1,350.5,EGP,2026-11-24T12:03:00+02:00\n"
        ",pay-2,1.00,EG,yesterday\n"
        "T-1,pay-3,1.00,EGP,2026-11-24T12:03:00\n"
        "T-9,only,three\n"
    )
    with pytest.raises(SettlementFileError) as caught:
        parse_settlement(text)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (2, "amount"),
        (3, "provider_reference"),
        (3, "currency"),
        (3, "paid_at"),
        (5, ""),
    }


def test_a_missing_column_is_reported_on_the_header_row() -> None:
    with pytest.raises(SettlementFileError) as caught:
        parse_settlement("provider_reference,amount\nT-1,1.00\n")
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (1, "merchant_reference"),
        (1, "currency"),
        (1, "paid_at"),
    }


def test_a_repeated_reference_is_an_error() -> None:
    text = "FawryRefNumber,MerchantRefNumber,PaymentAmount,Currency,PaymentTime\n"
    text += "9990076204,pay-1,350.50,EGP,2026-11-24T12:03:00\n" * 2
    with pytest.raises(SettlementFileError, match="repeats row 2"):
        parse_settlement(text, FAWRY_LIKE)


def test_the_paymob_like_profile_reads_piasters() -> None:
    text = "transaction_id,merchant_order_id,amount_cents,currency,created_at\n"
    text += "192036465,pay-1,35050,EGP,2026-11-24T10:00:00\n"
    assert parse_settlement(text, PAYMOB_LIKE)[0].amount == 35050
    with pytest.raises(SettlementFileError, match="whole piasters"):
        parse_settlement(text.replace("35050", "350.50"), PAYMOB_LIKE)


def test_matching_gives_each_kind_of_result() -> None:
    rows = parse_settlement(GENERIC_FILE)
    result = reconcile(
        [
            ours("pay-1", "T-1", 35050),  # matched by provider reference
            ours("pay-2", None, 10000),  # matched by our reference
            ours("pay-4", "T-4", 9950),  # amount differs
            ours("pay-5", "T-5", 500),  # missing on their side
        ],
        rows,
    )
    kinds = {
        (
            m.kind,
            (m.ours.merchant_reference if m.ours else m.theirs and m.theirs.provider_reference),
        )
        for m in result.matches
    }
    assert kinds == {
        (MatchKind.MATCHED, "pay-1"),
        (MatchKind.MATCHED, "pay-2"),
        (MatchKind.AMOUNT_DIFFERS, "pay-4"),
        (MatchKind.MISSING_THEIRS, "pay-5"),
        (MatchKind.MISSING_OURS, "T-3"),
    }
    assert not result.clean
    exported = export_csv(result).splitlines()
    assert exported[0] == (
        "result,provider_reference,merchant_reference,our_amount,their_amount,currency,file_row"
    )
    assert "amount_differs,T-4,pay-4,99.50,99.00,EGP,6" in exported
    assert "missing_on_our_side,T-3,,,20.00,EGP,4" in exported


def add_weekdays(day: date, n: int) -> date:
    """A stand-in calendar: Friday and Saturday off, no holidays."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() not in (4, 5):
            n -= 1
    return day


def test_a_success_unsettled_after_n_working_days_is_listed_from_the_day_after() -> None:
    tuesday = ours("pay-1", "T-1", 100, day=24)  # Tuesday 24 Nov 2026
    settled = ours("pay-2", "T-2", 100, day=24)

    def late_on(today: date, *payments: OurPayment, settled: str = "T-2") -> list[OurPayment]:
        return unsettled(
            payments, [settled], today=today, working_days=2, add_working_days=add_weekdays
        )

    # Two working days after Tuesday is Thursday 26; listed from Friday 27.
    assert late_on(date(2026, 11, 26), tuesday, settled) == []
    assert late_on(date(2026, 11, 27), tuesday, settled) == [tuesday]
    assert late_on(date(2026, 12, 31), tuesday, settled="pay-1") == []
