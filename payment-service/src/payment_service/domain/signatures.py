"""Provider signatures, exactly as the providers document them, and exact amounts.

* Paymob-style "transaction processed" callback: HMAC-SHA512, lower-case hex, keyed by the
  HMAC secret, over the values of :data:`PAYMOB_HMAC_FIELDS` concatenated in that order
  (dotted names reach into nested objects; booleans are ``true``/``false``; a missing or
  null value is the empty string).
* Fawry-style charge request: SHA-256 hex of merchantCode + merchantRefNum +
  customerProfileId + paymentMethod + amount (two decimals) + secureKey.
* Fawry V2 callback ``messageSignature``: SHA-256 hex of fawryRefNumber + merchantRefNum +
  paymentAmount + orderAmount (two decimals each) + orderStatus + paymentMethod +
  paymentRefrenceNumber (the provider's spelling) + secureKey.
* Fawry status query: SHA-256 hex of merchantCode + merchantRefNumber + secureKey.

Every comparison is constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

PAYMOB_HMAC_FIELDS: tuple[str, ...] = (
    "amount_cents",
    "created_at",
    "currency",
    "error_occured",
    "has_parent_transaction",
    "id",
    "integration_id",
    "is_3d_secure",
    "is_auth",
    "is_capture",
    "is_refunded",
    "is_standalone_payment",
    "is_voided",
    "order.id",
    "owner",
    "pending",
    "source_data.pan",
    "source_data.sub_type",
    "source_data.type",
    "success",
)

_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


def format_amount(piasters: int) -> str:
    """``12345`` → ``"123.45"``; ``5`` → ``"0.05"``. Integer arithmetic only."""
    if not isinstance(piasters, int) or isinstance(piasters, bool):
        raise TypeError("amounts are integer piasters")
    if piasters < 0:
        raise ValueError("amounts are not negative")
    pounds, rest = divmod(piasters, 100)
    return f"{pounds}.{rest:02d}"


def parse_amount(value: str | int | Decimal) -> int:
    """Pounds as written by a provider (``"123.45"``, ``123``, ``Decimal("123.4")``) → piasters.

    Refuses floats (parse JSON with ``parse_float=Decimal``), more than two decimals and
    negative amounts: an amount is either exact or an error.
    """
    if isinstance(value, bool | float):
        raise TypeError("amounts are never floats")
    if isinstance(value, int):
        decimal = Decimal(value)
    elif isinstance(value, Decimal):
        decimal = value
    else:
        if not _AMOUNT.match(value.strip()):
            raise ValueError(f"not an amount with at most two decimals: {value!r}")
        decimal = Decimal(value.strip())
    try:
        piasters = decimal * 100
        if piasters != piasters.to_integral_value():
            raise ValueError(f"more than two decimals: {value!r}")
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if piasters < 0:
        raise ValueError("amounts are not negative")
    return int(piasters)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_signature(expected: str, given: str | None) -> bool:
    """Constant-time comparison of two hex signatures, ignoring case."""
    if not given or not given.isascii():
        return False
    return hmac.compare_digest(expected.lower().encode(), given.strip().lower().encode())


# --- Paymob-style ----------------------------------------------------------------------------


def _dotted(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def paymob_hmac_message(transaction: Mapping[str, Any]) -> str:
    """The concatenated string of a transaction object (the callback's ``obj``)."""
    return "".join(_text(_dotted(transaction, field)) for field in PAYMOB_HMAC_FIELDS)


def paymob_hmac(transaction: Mapping[str, Any], secret: str) -> str:
    message = paymob_hmac_message(transaction).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha512).hexdigest()


def verify_paymob_hmac(transaction: Mapping[str, Any], secret: str, given: str | None) -> bool:
    return same_signature(paymob_hmac(transaction, secret), given)


# --- Fawry-style -----------------------------------------------------------------------------


def fawry_charge_signature(
    *,
    merchant_code: str,
    merchant_ref_num: str,
    customer_profile_id: str,
    payment_method: str,
    amount_piasters: int,
    secure_key: str,
) -> str:
    return sha256_hex(
        merchant_code
        + merchant_ref_num
        + customer_profile_id
        + payment_method
        + format_amount(amount_piasters)
        + secure_key
    )


def fawry_callback_signature(
    *,
    fawry_ref_number: str,
    merchant_ref_number: str,
    payment_amount_piasters: int,
    order_amount_piasters: int,
    order_status: str,
    payment_method: str,
    payment_reference_number: str,
    secure_key: str,
) -> str:
    """The V2 callback's ``messageSignature``; ``payment_reference_number`` is the provider's
    ``paymentRefrenceNumber`` field (empty when absent)."""
    return sha256_hex(
        fawry_ref_number
        + merchant_ref_number
        + format_amount(payment_amount_piasters)
        + format_amount(order_amount_piasters)
        + order_status
        + payment_method
        + payment_reference_number
        + secure_key
    )


def fawry_status_signature(*, merchant_code: str, merchant_ref_number: str, secure_key: str) -> str:
    return sha256_hex(merchant_code + merchant_ref_number + secure_key)
