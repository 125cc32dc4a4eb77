"""Raw provider data keeps no phone in clear and no card data."""

from __future__ import annotations

from payment_service.domain.redaction import mask_phone, redact


def test_phones_are_masked_and_card_data_dropped() -> None:
    raw = {
        "billing_data": {"phone_number": "+201012345678", "first_name": "سارة"},
        "customerMobile": "01012345678",
        "card_number": "5123456789012346",
        "cvv": "123",
        "source_data": {"pan": "5123456789012346", "type": "card"},
        "items": [{"msisdn": 201012345678}],
    }
    clean = redact(raw)
    assert clean["billing_data"] == {"phone_number": "+2010*****678", "first_name": "سارة"}
    assert clean["customerMobile"] == mask_phone("01012345678")
    assert "card_number" not in clean
    assert "cvv" not in clean
    assert clean["source_data"]["pan"] == "************2346"
    assert "1012345" not in str(clean)
