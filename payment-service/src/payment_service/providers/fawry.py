"""Cash at an outlet against a reference number, Fawry-style ("PAYATFAWRY").

* charge: ``POST /ECommerceWeb/Fawry/payments/charge`` with merchantCode, merchantRefNum,
  customerProfileId, customer mobile/email/name, ``paymentMethod: "PAYATFAWRY"``, the
  amount (pounds, two decimals, sent as a JSON string so that no float ever holds it),
  ``paymentExpiry`` (epoch milliseconds), chargeItems and the SHA-256 ``signature``; the
  answer's ``referenceNumber`` is what the citizen says at the outlet. The provider answers
  HTTP 200 with its own ``statusCode`` (200 is success; 9946 a wrong signature).
* status: ``GET /ECommerceWeb/Fawry/payments/status/v2?merchantCode&merchantRefNumber&signature``;
  ``orderStatus`` is NEW/UNPAID (pending), PAID, EXPIRED, CANCELED, FAILED, REFUNDED.
* callback (server notification V2): a JSON POST whose ``messageSignature`` is SHA-256 over
  fawryRefNumber + merchantRefNumber + paymentAmount + orderAmount + orderStatus +
  paymentMethod + paymentRefrenceNumber + secureKey.
* refund: cash at an outlet is refunded by finance at the counter or by bank, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from payment_service.domain.redaction import redact
from payment_service.domain.signatures import (
    fawry_callback_signature,
    fawry_charge_signature,
    fawry_status_signature,
    format_amount,
    parse_amount,
    same_signature,
)
from payment_service.domain.states import PaymentState
from payment_service.providers.base import (
    CreatedPayment,
    CreatePayment,
    InvalidSignature,
    MalformedCallback,
    PaymentStatus,
    ProviderCallback,
    ProviderMethod,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotSupported,
    RefundResult,
)
from payment_service.providers.http import client, json_of, loads, send

PAY_AT_FAWRY = "PAYATFAWRY"
STATES: dict[str, PaymentState] = {
    "NEW": PaymentState.PENDING,
    "UNPAID": PaymentState.PENDING,
    "PAID": PaymentState.SUCCEEDED,
    "REFUNDED": PaymentState.SUCCEEDED,  # it was paid; the refund is ours to record
    "PARTIAL_REFUNDED": PaymentState.SUCCEEDED,
    "EXPIRED": PaymentState.EXPIRED,
    "CANCELED": PaymentState.CANCELLED,
    "CANCELLED": PaymentState.CANCELLED,
    "FAILED": PaymentState.FAILED,
}


@dataclass(frozen=True, slots=True)
class FawryConfig:
    base_url: str
    merchant_code: str
    secure_key: str
    default_expiry_hours: int = 48
    timeout_seconds: float = 10.0


def _state(word: str) -> PaymentState:
    try:
        return STATES[word.upper()]
    except KeyError as exc:
        raise ProviderUnavailable(f"fawry: an order status we do not know: {word!r}") from exc


def _millis(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


class FawryProvider:
    name = "fawry"
    methods = frozenset({ProviderMethod.OUTLET})
    refundable_methods: frozenset[ProviderMethod] = frozenset()

    def __init__(
        self,
        config: FawryConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.config = config
        self._now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self._http = client(
            config.base_url, timeout_seconds=config.timeout_seconds, transport=transport
        )

    async def close(self) -> None:
        await self._http.aclose()

    def _check(self, answer: Any, what: str) -> dict[str, Any]:
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"fawry: a {what} answer that is not an object")
        if answer.get("statusCode") != 200:
            raise ProviderRefused(
                f"{what} refused: {answer.get('statusDescription', '')}",
                code=str(answer.get("statusCode", "")),
                raw_response=redact(answer),
            )
        return answer

    async def create_payment(self, request: CreatePayment) -> CreatedPayment:
        if request.method is not ProviderMethod.OUTLET:
            raise ProviderRefused(f"fawry here takes cash at an outlet, not {request.method}")
        if request.currency != "EGP":
            raise ProviderRefused("fawry takes EGP only")
        expires = request.expires_at or (
            self._now() + timedelta(hours=self.config.default_expiry_hours)
        )
        profile = request.customer.profile_id or request.merchant_reference
        signature = fawry_charge_signature(
            merchant_code=self.config.merchant_code,
            merchant_ref_num=request.merchant_reference,
            customer_profile_id=profile,
            payment_method=PAY_AT_FAWRY,
            amount_piasters=request.amount,
            secure_key=self.config.secure_key,
        )
        items = request.items or ()
        body: dict[str, Any] = {
            "merchantCode": self.config.merchant_code,
            "merchantRefNum": request.merchant_reference,
            "customerProfileId": profile,
            "customerName": request.customer.name,
            "customerMobile": request.customer.phone,
            "customerEmail": request.customer.email,
            "paymentMethod": PAY_AT_FAWRY,
            "amount": format_amount(request.amount),
            "currencyCode": request.currency,
            "language": "ar-eg",
            "description": request.description,
            "paymentExpiry": _millis(expires),
            "chargeItems": [
                {
                    "itemId": item.name,
                    "description": item.description or item.name,
                    "price": format_amount(item.amount),
                    "quantity": item.quantity,
                }
                for item in items
            ],
            "signature": signature,
        }
        http_request = self._http.build_request(
            "POST", "/ECommerceWeb/Fawry/payments/charge", json=body
        )
        response = await send(self._http, self.name, http_request)
        answer = self._check(json_of(self.name, response), "charge")
        reference = answer.get("referenceNumber")
        if not reference:
            raise ProviderUnavailable("fawry: a charge answer without a reference number")
        expiry = answer.get("expirationTime")
        return CreatedPayment(
            provider_reference=str(reference),
            reference_code=str(reference),
            expires_at=(
                datetime.fromtimestamp(int(expiry) / 1000, UTC) if expiry is not None else expires
            ),
            raw_request=redact({k: v for k, v in body.items() if k != "signature"}),
            raw_response=redact(answer),
        )

    async def query_status(
        self, merchant_reference: str, provider_reference: str | None = None
    ) -> PaymentStatus:
        params = {
            "merchantCode": self.config.merchant_code,
            "merchantRefNumber": merchant_reference,
            "signature": fawry_status_signature(
                merchant_code=self.config.merchant_code,
                merchant_ref_number=merchant_reference,
                secure_key=self.config.secure_key,
            ),
        }
        http_request = self._http.build_request(
            "GET", "/ECommerceWeb/Fawry/payments/status/v2", params=params
        )
        response = await send(self._http, self.name, http_request)
        answer = self._check(json_of(self.name, response), "status")
        amount = answer.get("paymentAmount")
        try:
            paid = None if amount is None else parse_amount(amount)
        except (TypeError, ValueError) as exc:
            raise ProviderUnavailable(f"fawry: an unreadable paymentAmount {amount!r}") from exc
        return PaymentStatus(
            merchant_reference,
            _state(str(answer.get("orderStatus", ""))),
            provider_transaction_id=str(answer.get("referenceNumber") or "") or None,
            amount=paid,
            currency="EGP",
            raw_request={k: v for k, v in params.items() if k != "signature"},
            raw_response=redact(answer),
        )

    async def refund(
        self, provider_transaction_id: str, amount: int, *, reason: str = ""
    ) -> RefundResult:
        raise RefundNotSupported("cash paid at an outlet is refunded by finance, not by Fawry")

    def parse_callback(
        self, body: bytes, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> ProviderCallback:
        try:
            payload = loads(body)
        except ValueError as exc:
            raise InvalidSignature("not JSON: nothing to verify") from exc
        if not isinstance(payload, dict):
            raise InvalidSignature("not an object: nothing to verify")

        def text(name: str) -> str:
            value = payload.get(name)
            return "" if value is None else str(value)

        try:
            paid = parse_amount(payload["paymentAmount"])
            ordered = parse_amount(payload["orderAmount"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidSignature(f"unreadable amounts: {exc}") from exc
        expected = fawry_callback_signature(
            fawry_ref_number=text("fawryRefNumber"),
            merchant_ref_number=text("merchantRefNumber"),
            payment_amount_piasters=paid,
            order_amount_piasters=ordered,
            order_status=text("orderStatus"),
            payment_method=text("paymentMethod"),
            payment_reference_number=text("paymentRefrenceNumber"),
            secure_key=self.config.secure_key,
        )
        if not same_signature(expected, text("messageSignature")):
            raise InvalidSignature("the messageSignature does not verify")
        if not text("fawryRefNumber") or not text("merchantRefNumber"):
            raise MalformedCallback("a verified callback without its references")
        try:
            outcome = _state(text("orderStatus"))
        except ProviderUnavailable as exc:
            raise MalformedCallback(str(exc)) from exc
        return ProviderCallback(
            provider=self.name,
            provider_transaction_id=text("fawryRefNumber"),
            merchant_reference=text("merchantRefNumber"),
            amount=paid,
            currency="EGP",
            outcome=outcome,
            order_amount=ordered,
            raw=redact(payload),
        )
