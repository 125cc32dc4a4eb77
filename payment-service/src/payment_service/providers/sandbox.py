"""The embedded default provider: card, wallet and outlet simulated in process.

A created card or wallet payment gets a checkout token (its redirect URL is
``<checkout_base>/<token>``, the page the API will serve); an outlet payment gets a
nine-digit reference code. A demo user's choice on the page (:meth:`approve`,
:meth:`decline`, :meth:`abandon`) or a payment at the simulated outlet
(:meth:`pay_at_outlet`) changes the state and returns the signed callback the service
then receives like any provider's: a JSON body with ``X-Sandbox-Signature``, the
HMAC-SHA256 hex of the body under the sandbox secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from payment_service.domain.redaction import redact
from payment_service.domain.signatures import same_signature
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
    RefundNotSupported,
    RefundResult,
)

SIGNATURE_HEADER = "x-sandbox-signature"


@dataclass(slots=True)
class SandboxPayment:
    """What the checkout page needs to show and act on."""

    token: str
    merchant_reference: str
    method: ProviderMethod
    amount: int
    currency: str
    description: str
    state: PaymentState = PaymentState.PENDING
    transaction_id: str | None = None
    reference_code: str | None = None
    refunded: int = 0
    refunds: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SignedCallback:
    body: bytes
    headers: Mapping[str, str]


class SandboxProvider:
    name = "sandbox"
    methods = frozenset({ProviderMethod.CARD, ProviderMethod.WALLET, ProviderMethod.OUTLET})
    refundable_methods = frozenset({ProviderMethod.CARD, ProviderMethod.WALLET})

    def __init__(self, *, secret: str, checkout_base: str = "/payments/sandbox/checkout") -> None:
        self._secret = secret.encode()
        self.checkout_base = checkout_base.rstrip("/")
        self._by_token: dict[str, SandboxPayment] = {}
        self._by_reference: dict[str, SandboxPayment] = {}
        self._by_code: dict[str, SandboxPayment] = {}

    async def close(self) -> None:
        return None

    # --- the port -------------------------------------------------------------------------

    async def create_payment(self, request: CreatePayment) -> CreatedPayment:
        if request.merchant_reference in self._by_reference:
            raise ProviderRefused("that merchant reference was used", code="duplicate")
        payment = SandboxPayment(
            token=secrets.token_urlsafe(16),
            merchant_reference=request.merchant_reference,
            method=request.method,
            amount=request.amount,
            currency=request.currency,
            description=request.description,
        )
        if request.method is ProviderMethod.OUTLET:
            payment.reference_code = f"{secrets.randbelow(900_000_000) + 100_000_000}"
            self._by_code[payment.reference_code] = payment
        self._by_token[payment.token] = payment
        self._by_reference[payment.merchant_reference] = payment
        raw = {
            "merchant_reference": request.merchant_reference,
            "method": request.method.value,
            "amount": request.amount,
            "phone": request.customer.phone,
        }
        return CreatedPayment(
            provider_reference=payment.token,
            redirect_url=(
                None
                if request.method is ProviderMethod.OUTLET
                else f"{self.checkout_base}/{payment.token}"
            ),
            reference_code=payment.reference_code,
            expires_at=request.expires_at,
            raw_request=redact(raw),
            raw_response={"token": payment.token, "reference_code": payment.reference_code},
        )

    async def query_status(
        self, merchant_reference: str, provider_reference: str | None = None
    ) -> PaymentStatus:
        payment = self._by_reference.get(merchant_reference)
        if payment is None:
            raise ProviderRefused("no such payment", code="not_found")
        return PaymentStatus(
            merchant_reference,
            payment.state,
            provider_transaction_id=payment.transaction_id,
            amount=payment.amount if payment.state is PaymentState.SUCCEEDED else None,
            currency=payment.currency,
            raw_request={"merchant_reference": merchant_reference},
            raw_response={"state": payment.state.value},
        )

    async def refund(
        self, provider_transaction_id: str, amount: int, *, reason: str = ""
    ) -> RefundResult:
        payment = next(
            (p for p in self._by_token.values() if p.transaction_id == provider_transaction_id),
            None,
        )
        if payment is None or payment.state is not PaymentState.SUCCEEDED:
            raise ProviderRefused("no paid transaction with that id", code="not_found")
        if payment.method not in self.refundable_methods:
            raise RefundNotSupported("cash at an outlet is refunded by finance")
        if amount <= 0 or amount > payment.amount - payment.refunded:
            raise ProviderRefused("more than remains refundable", code="amount")
        payment.refunded += amount
        refund_id = f"sbx-refund-{len(payment.refunds) + 1}-{provider_transaction_id}"
        payment.refunds.append(refund_id)
        body = {"transaction_id": provider_transaction_id, "amount": amount}
        return RefundResult(refund_id, amount, True, raw_request=body, raw_response=body)

    def parse_callback(
        self, body: bytes, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> ProviderCallback:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER)
        if not same_signature(self._sign(body), given):
            raise InvalidSignature("the sandbox signature does not verify")
        try:
            data = json.loads(body)
            return ProviderCallback(
                provider=self.name,
                provider_transaction_id=str(data["transaction_id"]),
                merchant_reference=str(data["merchant_reference"]),
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                outcome=PaymentState(data["outcome"]),
                order_amount=int(data["amount"]),
                raw=data,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedCallback(str(exc)) from exc

    # --- what the demo page and the simulated outlet do ----------------------------------

    def checkout(self, token: str) -> SandboxPayment | None:
        """The payment behind a checkout page's token (None when there is none)."""
        return self._by_token.get(token)

    def by_reference_code(self, code: str) -> SandboxPayment | None:
        return self._by_code.get(code)

    def approve(self, token: str) -> SignedCallback:
        return self._finish(token, PaymentState.SUCCEEDED)

    def decline(self, token: str) -> SignedCallback:
        return self._finish(token, PaymentState.FAILED)

    def abandon(self, token: str) -> SignedCallback:
        return self._finish(token, PaymentState.CANCELLED)

    def pay_at_outlet(self, reference_code: str) -> SignedCallback:
        payment = self._by_code.get(reference_code)
        if payment is None:
            raise ProviderRefused("no such reference code", code="not_found")
        return self._finish(payment.token, PaymentState.SUCCEEDED)

    def _finish(self, token: str, outcome: PaymentState) -> SignedCallback:
        payment = self._by_token.get(token)
        if payment is None:
            raise ProviderRefused("no such checkout", code="not_found")
        if payment.state is not PaymentState.PENDING:
            raise ProviderRefused(f"the payment is already {payment.state}", code="finished")
        payment.state = outcome
        payment.transaction_id = f"sbx-{token}"
        body = json.dumps(
            {
                "transaction_id": payment.transaction_id,
                "merchant_reference": payment.merchant_reference,
                "amount": payment.amount,
                "currency": payment.currency,
                "outcome": outcome.value,
            },
            sort_keys=True,
        ).encode()
        return SignedCallback(body, {SIGNATURE_HEADER: self._sign(body)})

    def _sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()
