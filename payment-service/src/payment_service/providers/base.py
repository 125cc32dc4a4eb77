"""The one port every payment provider implements, and what crosses it.

An adapter (Paymob-style checkout, Fawry-style reference codes, the sandbox, later
e-Finance) is added by implementing :class:`PaymentProvider`; nothing else changes.
Every ``raw_*`` value has been through :func:`payment_service.domain.redaction.redact`:
phones masked, card data never present. Transport failures (connection refused, timeouts,
5xx, an unreadable answer) are one error, :class:`ProviderUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from payment_service.domain.states import PaymentState


class ProviderMethod(StrEnum):
    """What a provider can take; the counter is recorded by a clerk, not a provider."""

    CARD = "card"
    WALLET = "wallet"
    OUTLET = "outlet"


class ProviderError(Exception):
    """Base of what an adapter raises."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or did not answer usably: try again later."""


class ProviderRefused(ProviderError):
    """The provider answered and refused the request (bad credentials, signature, amount)."""

    def __init__(self, message: str, *, code: str = "", raw_response: Any = None) -> None:
        super().__init__(message)
        self.code, self.raw_response = code, raw_response


class InvalidSignature(ProviderError):
    """A callback whose signature does not verify: nothing in it may be used."""


class MalformedCallback(ProviderError):
    """A callback with a valid signature but fields we cannot read."""


class RefundNotSupported(ProviderError):
    """The method cannot be refunded through the provider (cash at an outlet): finance
    records a counter or bank refund instead."""


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    phone: str  # E.164
    email: str = ""
    profile_id: str = ""  # our stable id for the payer (national-ID derived ids never)


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    amount: int  # piasters, for one
    quantity: int = 1
    description: str = ""


@dataclass(frozen=True, slots=True)
class CreatePayment:
    merchant_reference: str  # ours, unique per attempt (the attempt id)
    method: ProviderMethod
    amount: int  # piasters
    customer: Customer
    description: str
    items: tuple[Item, ...] = ()
    currency: str = "EGP"
    expires_at: datetime | None = None  # a reference code's expiry (aware)
    return_url: str = ""  # where the citizen's browser comes back (never trusted)
    notification_url: str = ""  # where the provider posts callbacks


@dataclass(frozen=True, slots=True)
class CreatedPayment:
    provider_reference: str  # the provider's id for this payment (order, intention, reference)
    redirect_url: str | None = None  # hosted checkout
    reference_code: str | None = None  # what a citizen says at an outlet
    expires_at: datetime | None = None
    raw_request: Any = None
    raw_response: Any = None


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    merchant_reference: str
    state: PaymentState
    provider_transaction_id: str | None = None
    amount: int | None = None  # piasters paid, when the provider says
    currency: str | None = None
    raw_request: Any = None
    raw_response: Any = None


@dataclass(frozen=True, slots=True)
class RefundResult:
    provider_refund_id: str
    amount: int  # piasters
    succeeded: bool
    raw_request: Any = None
    raw_response: Any = None


@dataclass(frozen=True, slots=True)
class ProviderCallback:
    """A verified callback, normalised. Parsing the same body twice gives an equal value;
    deduplication (by ``provider``, ``provider_transaction_id``) is the service's job."""

    provider: str
    provider_transaction_id: str
    merchant_reference: str
    amount: int  # piasters actually paid (or attempted)
    currency: str
    outcome: PaymentState
    order_amount: int | None = None  # what the provider believes was asked, when it says
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def amount_differs(self, expected: int, currency: str = "EGP") -> bool:
        """Whether this callback's money is not what we asked for (flag, do not apply)."""
        return self.amount != expected or self.currency.upper() != currency.upper()


@runtime_checkable
class PaymentProvider(Protocol):
    name: str
    methods: frozenset[ProviderMethod]
    refundable_methods: frozenset[ProviderMethod]

    async def create_payment(self, request: CreatePayment) -> CreatedPayment:
        """Create the payment at the provider (an intention, a reference code)."""
        ...

    async def query_status(
        self, merchant_reference: str, provider_reference: str | None = None
    ) -> PaymentStatus:
        """Ask the provider what became of a payment (the return redirect is never trusted)."""
        ...

    async def refund(
        self, provider_transaction_id: str, amount: int, *, reason: str = ""
    ) -> RefundResult:
        """Refund ``amount`` piasters of a paid transaction; :class:`RefundNotSupported` when
        the method does not allow it."""
        ...

    def parse_callback(
        self, body: bytes, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> ProviderCallback:
        """Verify the signature first (:class:`InvalidSignature`), then normalise."""
        ...

    async def close(self) -> None: ...
