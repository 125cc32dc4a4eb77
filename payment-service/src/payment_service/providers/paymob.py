"""Card and mobile wallet by hosted checkout, Paymob-style (the "intention" API).

* create: ``POST /v1/intention/`` (``Authorization: Token <secret key>``) with the amount in
  cents (piasters), the integration id of the method, items, billing data and our reference
  as ``special_reference``; the answer's ``client_secret`` opens the unified checkout at
  ``/unifiedcheckout/?publicKey=…&clientSecret=…``; ``intention_order_id`` is the order id
  callbacks carry as ``order.id``.
* status: ``POST /api/auth/tokens`` (``{"api_key"}`` → ``{"token"}``), then
  ``POST /api/ecommerce/orders/transaction_inquiry`` ``{"merchant_order_id": <ours>}``
  with ``Authorization: Bearer <token>``; a 404 means no transaction yet (still pending).
* refund: ``POST /api/acceptance/void_refund/refund`` ``{"transaction_id", "amount_cents"}``
  (``Authorization: Token <secret key>``).
* callback ("transaction processed"): ``{"type": "TRANSACTION", "obj": {...}}`` with
  ``?hmac=`` — HMAC-SHA512 over :data:`~payment_service.domain.signatures.PAYMOB_HMAC_FIELDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from payment_service.domain.redaction import redact
from payment_service.domain.signatures import verify_paymob_hmac
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
    RefundResult,
)
from payment_service.providers.http import client, json_of, loads, send


@dataclass(frozen=True, slots=True)
class PaymobConfig:
    base_url: str
    secret_key: str
    public_key: str
    api_key: str
    hmac_secret: str
    integrations: Mapping[ProviderMethod, int] = field(default_factory=dict)  # card, wallet
    timeout_seconds: float = 10.0


def transaction_state(obj: Mapping[str, Any]) -> PaymentState:
    """Our state for a Paymob transaction object."""
    if obj.get("success") is True and obj.get("pending") is not True:
        return PaymentState.SUCCEEDED
    if obj.get("pending") is True:
        return PaymentState.PENDING
    return PaymentState.FAILED


class PaymobProvider:
    name = "paymob"
    methods = frozenset({ProviderMethod.CARD, ProviderMethod.WALLET})
    refundable_methods = frozenset({ProviderMethod.CARD, ProviderMethod.WALLET})

    def __init__(
        self, config: PaymobConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.config = config
        self._http = client(
            config.base_url, timeout_seconds=config.timeout_seconds, transport=transport
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, body: Any, authorization: str) -> httpx.Response:
        headers = {"Authorization": authorization} if authorization else {}
        request = self._http.build_request("POST", path, json=body, headers=headers)
        return await send(self._http, self.name, request)

    async def create_payment(self, request: CreatePayment) -> CreatedPayment:
        integration = self.config.integrations.get(request.method)
        if integration is None:
            raise ProviderRefused(f"no Paymob integration for {request.method}", code="method")
        first, _, last = request.customer.name.partition(" ")
        items = request.items or ()
        body: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency,
            "payment_methods": [integration],
            "items": [
                {
                    "name": item.name,
                    "amount": item.amount,
                    "description": item.description or item.name,
                    "quantity": item.quantity,
                }
                for item in items
            ],
            "billing_data": {
                "first_name": first or "-",
                "last_name": last or "-",
                "phone_number": request.customer.phone,
                "email": request.customer.email or "NA",
                "country": "EG",
            },
            "special_reference": request.merchant_reference,
            "notification_url": request.notification_url,
            "redirection_url": request.return_url,
        }
        response = await self._post("/v1/intention/", body, f"Token {self.config.secret_key}")
        answer = json_of(self.name, response)
        if response.status_code not in (200, 201) or not isinstance(answer, dict):
            raise ProviderRefused(
                f"intention refused: HTTP {response.status_code}",
                code=str(response.status_code),
                raw_response=redact(answer),
            )
        try:
            secret = str(answer["client_secret"])
            order_id = str(answer["intention_order_id"])
        except KeyError as exc:
            raise ProviderUnavailable(f"paymob: the intention lacks {exc}") from exc
        query = urlencode({"publicKey": self.config.public_key, "clientSecret": secret})
        return CreatedPayment(
            provider_reference=order_id,
            redirect_url=f"{self.config.base_url.rstrip('/')}/unifiedcheckout/?{query}",
            raw_request=redact(body),
            raw_response=redact({k: v for k, v in answer.items() if k != "client_secret"}),
        )

    async def _auth_token(self) -> str:
        response = await self._post("/api/auth/tokens", {"api_key": self.config.api_key}, "")
        answer = json_of(self.name, response)
        if response.status_code not in (200, 201) or not isinstance(answer, dict):
            raise ProviderRefused("api key refused", code=str(response.status_code))
        token = answer.get("token")
        if not isinstance(token, str):
            raise ProviderUnavailable("paymob: no token in the answer")
        return token

    async def query_status(
        self, merchant_reference: str, provider_reference: str | None = None
    ) -> PaymentStatus:
        token = await self._auth_token()
        body = {"merchant_order_id": merchant_reference}
        response = await self._post(
            "/api/ecommerce/orders/transaction_inquiry", body, f"Bearer {token}"
        )
        if response.status_code == 404:
            return PaymentStatus(
                merchant_reference, PaymentState.PENDING, raw_request=body, raw_response=None
            )
        answer = json_of(self.name, response)
        if response.status_code != 200 or not isinstance(answer, dict):
            raise ProviderRefused(f"inquiry refused: HTTP {response.status_code}")
        try:
            amount = int(answer["amount_cents"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProviderUnavailable("paymob: an inquiry answer without amount_cents") from exc
        return PaymentStatus(
            merchant_reference,
            transaction_state(answer),
            provider_transaction_id=str(answer.get("id")),
            amount=amount,
            currency=str(answer.get("currency", "")),
            raw_request=body,
            raw_response=redact(answer),
        )

    async def refund(
        self, provider_transaction_id: str, amount: int, *, reason: str = ""
    ) -> RefundResult:
        body = {"transaction_id": int(provider_transaction_id), "amount_cents": amount}
        response = await self._post(
            "/api/acceptance/void_refund/refund", body, f"Token {self.config.secret_key}"
        )
        answer = json_of(self.name, response)
        if response.status_code not in (200, 201) or not isinstance(answer, dict):
            raise ProviderRefused(
                f"refund refused: HTTP {response.status_code}",
                code=str(response.status_code),
                raw_response=redact(answer),
            )
        return RefundResult(
            provider_refund_id=str(answer.get("id", "")),
            amount=int(answer.get("amount_cents", amount)),
            succeeded=answer.get("success") is True,
            raw_request=body,
            raw_response=redact(answer),
        )

    def parse_callback(
        self, body: bytes, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> ProviderCallback:
        try:
            payload = loads(body)
        except ValueError as exc:
            raise InvalidSignature("not JSON: nothing to verify") from exc
        obj = payload.get("obj") if isinstance(payload, dict) else None
        if not isinstance(obj, dict) or not verify_paymob_hmac(
            obj, self.config.hmac_secret, query.get("hmac")
        ):
            raise InvalidSignature("the hmac does not verify")
        try:
            order = obj["order"]
            order_amount = order.get("amount_cents")
            return ProviderCallback(
                provider=self.name,
                provider_transaction_id=str(obj["id"]),
                merchant_reference=str(order["merchant_order_id"]),
                amount=int(obj["amount_cents"]),
                currency=str(obj["currency"]),
                outcome=transaction_state(obj),
                order_amount=None if order_amount is None else int(order_amount),
                raw=redact(payload),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise MalformedCallback(f"a verified callback without {exc}") from exc
