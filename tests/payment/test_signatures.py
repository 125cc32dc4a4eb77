"""Provider signatures against vectors built by hand here, and exact amounts."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import pytest

from payment_service.domain.signatures import (
    PAYMOB_HMAC_FIELDS,
    fawry_callback_signature,
    fawry_charge_signature,
    fawry_status_signature,
    format_amount,
    parse_amount,
    paymob_hmac,
    paymob_hmac_message,
    same_signature,
    verify_paymob_hmac,
)

# Paymob's documented sample "transaction processed" callback, the fields the HMAC covers.
PAYMOB_OBJ = {
    "id": 192036465,
    "pending": False,
    "amount_cents": 100000,
    "success": True,
    "is_auth": False,
    "is_capture": False,
    "is_standalone_payment": True,
    "is_voided": False,
    "is_refunded": False,
    "is_3d_secure": True,
    "integration_id": 4097558,
    "has_parent_transaction": False,
    "order": {"id": 217503754, "merchant_order_id": "pay-1"},
    "created_at": "2024-06-13T11:33:44.592345",
    "currency": "EGP",
    "source_data": {"pan": "2346", "type": "card", "sub_type": "MasterCard"},
    "error_occured": False,
    "owner": 302852,
    "profile_id": 1,  # not signed
}
PAYMOB_SECRET = "test-hmac-secret"
PAYMOB_CONCATENATED = (
    "100000"  # amount_cents
    "2024-06-13T11:33:44.592345"  # created_at
    "EGP"  # currency
    "false"  # error_occured
    "false"  # has_parent_transaction
    "192036465"  # id
    "4097558"  # integration_id
    "true"  # is_3d_secure
    "false"  # is_auth
    "false"  # is_capture
    "false"  # is_refunded
    "true"  # is_standalone_payment
    "false"  # is_voided
    "217503754"  # order.id
    "302852"  # owner
    "false"  # pending
    "2346"  # source_data.pan
    "MasterCard"  # source_data.sub_type
    "card"  # source_data.type
    "true"  # success
)
PAYMOB_EXPECTED = (
    "de93afdacbe097b8b29a3822f252bc670643dbc064a1d300f6c6a8be205a11d2"
    "c3fec4da1ca641d735d850ca89d73522573cfc89a3b6acb5d208290d8347e957"
)


def test_the_paymob_hmac_matches_the_hand_built_vector() -> None:
    by_hand = hmac.new(
        PAYMOB_SECRET.encode(), PAYMOB_CONCATENATED.encode(), hashlib.sha512
    ).hexdigest()
    assert by_hand == PAYMOB_EXPECTED
    assert paymob_hmac_message(PAYMOB_OBJ) == PAYMOB_CONCATENATED
    assert paymob_hmac(PAYMOB_OBJ, PAYMOB_SECRET) == PAYMOB_EXPECTED
    assert len(PAYMOB_HMAC_FIELDS) == 20


def test_paymob_verification_refuses_any_change() -> None:
    assert verify_paymob_hmac(PAYMOB_OBJ, PAYMOB_SECRET, PAYMOB_EXPECTED.upper())
    assert not verify_paymob_hmac(PAYMOB_OBJ, "another-secret", PAYMOB_EXPECTED)
    tampered = {**PAYMOB_OBJ, "amount_cents": 100}
    assert not verify_paymob_hmac(tampered, PAYMOB_SECRET, PAYMOB_EXPECTED)
    assert not verify_paymob_hmac(PAYMOB_OBJ, PAYMOB_SECRET, None)
    assert not verify_paymob_hmac(PAYMOB_OBJ, PAYMOB_SECRET, "ٰ" + PAYMOB_EXPECTED[1:])


def test_fawry_charge_signature_matches_the_hand_built_vector() -> None:
    by_hand = "770000012" + "INV-21-26-0004217-5" + "cust-42" + "PAYATFAWRY" + "123.45"
    by_hand += "secure-key-1"
    expected = "72c847863f466815b1a488964152015439600b11eb8315e09f5ff185d6e8e5c9"
    assert hashlib.sha256(by_hand.encode()).hexdigest() == expected
    assert (
        fawry_charge_signature(
            merchant_code="770000012",
            merchant_ref_num="INV-21-26-0004217-5",
            customer_profile_id="cust-42",
            payment_method="PAYATFAWRY",
            amount_piasters=12345,
            secure_key="secure-key-1",
        )
        == expected
    )


def test_fawry_callback_signature_matches_the_hand_built_vector() -> None:
    by_hand = "9990076204" + "pay-01J7ABC" + "350.50" + "350.50" + "PAID" + "PAYATFAWRY"
    by_hand += "123456" + "secure-key-1"
    expected = "ef179c77c5bf624f1bae5446943555d82f0536f41e2f315dd4869deb0c69fac1"
    assert hashlib.sha256(by_hand.encode()).hexdigest() == expected
    assert (
        fawry_callback_signature(
            fawry_ref_number="9990076204",
            merchant_ref_number="pay-01J7ABC",
            payment_amount_piasters=35050,
            order_amount_piasters=35050,
            order_status="PAID",
            payment_method="PAYATFAWRY",
            payment_reference_number="123456",
            secure_key="secure-key-1",
        )
        == expected
    )


def test_fawry_status_signature_matches_the_hand_built_vector() -> None:
    by_hand = "770000012" + "pay-01J7ABC" + "secure-key-1"
    expected = "275c873950eb3d354de36a84404441f00f5d281a8185bb63781f660ad0e8cf23"
    assert hashlib.sha256(by_hand.encode()).hexdigest() == expected
    signature = fawry_status_signature(
        merchant_code="770000012", merchant_ref_number="pay-01J7ABC", secure_key="secure-key-1"
    )
    assert signature == expected
    assert same_signature(expected, signature)
    assert not same_signature(expected, "")


@pytest.mark.parametrize(
    ("piasters", "text"), [(12345, "123.45"), (5, "0.05"), (0, "0.00"), (100, "1.00")]
)
def test_amounts_are_formatted_from_piasters_exactly(piasters: int, text: str) -> None:
    assert format_amount(piasters) == text
    assert parse_amount(text) == piasters


def test_a_large_amount_stays_exact() -> None:
    assert format_amount(1_234_567_890_123_456_789) == "12345678901234567.89"
    assert parse_amount(format_amount(12_345_678_901_234_567)) == 12_345_678_901_234_567


def test_amounts_that_are_not_exact_are_refused() -> None:
    with pytest.raises(TypeError):
        parse_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_amount(True)
    for bad in ("1.234", "abc", "-1.00", "1e3", ""):
        with pytest.raises(ValueError, match="amount"):
            parse_amount(bad)
    with pytest.raises(ValueError, match="decimals"):
        parse_amount(Decimal("1.005"))
    assert parse_amount(Decimal("350.5")) == 35050
    assert parse_amount(20) == 2000
