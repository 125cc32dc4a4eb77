"""The real adapters against fake provider servers on loopback, and the sandbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from payment_service.domain.states import PaymentState
from payment_service.providers.base import (
    CreatePayment,
    Customer,
    InvalidSignature,
    Item,
    PaymentProvider,
    ProviderMethod,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotSupported,
)
from payment_service.providers.fawry import FawryConfig, FawryProvider
from payment_service.providers.paymob import PaymobConfig, PaymobProvider
from payment_service.providers.sandbox import SandboxProvider
from tests.payment.fake_providers import FakeFawry, FakePaymob, free_port, serving

CARD, WALLET = 4097558, 4097559
CITIZEN = Customer(name="سارة محمود", phone="+201012345678", profile_id="cust-42")


def paymob_config(base_url: str, *, secret_key: str = "egy_sk_test_1") -> PaymobConfig:
    return PaymobConfig(
        base_url=base_url,
        secret_key=secret_key,
        public_key="egy_pk_test_1",
        api_key="api-key-1",
        hmac_secret="hmac-secret-1",
        integrations={ProviderMethod.CARD: CARD, ProviderMethod.WALLET: WALLET},
    )


def order(reference: str, method: ProviderMethod, amount: int = 35050) -> CreatePayment:
    return CreatePayment(
        merchant_reference=reference,
        method=method,
        amount=amount,
        customer=CITIZEN,
        description="رسوم ترخيص محل",
        items=(Item("SHP-013", amount),),
        expires_at=datetime.now(UTC) + timedelta(hours=48),
        return_url="https://mahaliyat.example/return",
        notification_url="https://mahaliyat.example/callbacks/paymob",
    )


@pytest.fixture
async def paymob() -> AsyncIterator[tuple[FakePaymob, PaymobProvider]]:
    fake = FakePaymob(
        secret_key="egy_sk_test_1",
        api_key="api-key-1",
        hmac_secret="hmac-secret-1",
        integrations={CARD, WALLET},
    )
    async with serving(fake.app) as base_url:
        provider = PaymobProvider(paymob_config(base_url))
        yield fake, provider
        await provider.close()


@pytest.fixture
async def fawry() -> AsyncIterator[tuple[FakeFawry, FawryProvider]]:
    fake = FakeFawry(merchant_code="770000012", secure_key="secure-key-1")
    async with serving(fake.app) as base_url:
        provider = FawryProvider(
            FawryConfig(base_url=base_url, merchant_code="770000012", secure_key="secure-key-1")
        )
        yield fake, provider
        await provider.close()


def test_every_adapter_implements_the_port() -> None:
    for provider in (
        PaymobProvider(paymob_config("http://127.0.0.1:1")),
        FawryProvider(FawryConfig("http://127.0.0.1:1", "m", "k")),
        SandboxProvider(secret="s"),
    ):
        assert isinstance(provider, PaymentProvider)


# --- Paymob-style ----------------------------------------------------------------------------


async def test_a_card_checkout_then_its_successful_callback(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-1", ProviderMethod.CARD))
    assert created.redirect_url is not None
    assert "clientSecret=egy_csk_test_" in created.redirect_url
    assert fake.received[0]["payment_methods"] == [CARD]
    assert fake.received[0]["amount"] == 35050
    assert "+201012345678" not in json.dumps(created.raw_request)  # phone masked
    assert "client_secret" not in created.raw_response

    body, query = fake.pay(created.provider_reference)
    callback = provider.parse_callback(body, query, {})
    assert callback.outcome is PaymentState.SUCCEEDED
    assert callback.merchant_reference == "pay-1"
    assert callback.amount == 35050
    assert not callback.amount_differs(35050)

    status = await provider.query_status("pay-1")
    assert status.state is PaymentState.SUCCEEDED
    assert status.provider_transaction_id == callback.provider_transaction_id


async def test_a_declined_card(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-2", ProviderMethod.CARD))
    callback = provider.parse_callback(*fake.pay(created.provider_reference, success=False), {})
    assert callback.outcome is PaymentState.FAILED


async def test_a_wallet_callback_keeps_no_phone(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-w", ProviderMethod.WALLET))
    callback = provider.parse_callback(*fake.pay(created.provider_reference, wallet=True), {})
    assert callback.outcome is PaymentState.SUCCEEDED
    assert "01010101010" not in json.dumps(callback.raw)


async def test_a_forged_callback_is_refused(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-3", ProviderMethod.CARD))
    body, query = fake.pay(created.provider_reference, secret="not-the-secret")
    with pytest.raises(InvalidSignature):
        provider.parse_callback(body, query, {})
    genuine, genuine_query = fake.pay(created.provider_reference)
    tampered = genuine.replace(b'"amount_cents": 35050', b'"amount_cents": 3505', 1)
    with pytest.raises(InvalidSignature):
        provider.parse_callback(tampered, genuine_query, {})
    with pytest.raises(InvalidSignature):
        provider.parse_callback(genuine, {}, {})


async def test_a_replayed_callback_parses_to_the_same_value(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-4", ProviderMethod.CARD))
    body, query = fake.pay(created.provider_reference)
    assert provider.parse_callback(body, query, {}) == provider.parse_callback(body, query, {})


async def test_an_amount_that_differs_is_reported(paymob) -> None:
    fake, provider = paymob
    created = await provider.create_payment(order("pay-5", ProviderMethod.CARD))
    body, query = fake.pay(created.provider_reference, amount_cents=100)
    callback = provider.parse_callback(body, query, {})
    assert callback.amount == 100
    assert callback.order_amount == 35050
    assert callback.amount_differs(35050)


async def test_a_full_and_a_partial_refund(paymob) -> None:
    fake, provider = paymob
    first = await provider.create_payment(order("pay-6", ProviderMethod.CARD))
    paid = provider.parse_callback(*fake.pay(first.provider_reference), {})
    partial = await provider.refund(paid.provider_transaction_id, 5050)
    assert partial.succeeded
    assert partial.amount == 5050
    rest = await provider.refund(paid.provider_transaction_id, 30000)
    assert rest.succeeded
    with pytest.raises(ProviderRefused):
        await provider.refund(paid.provider_transaction_id, 1)

    second = await provider.create_payment(order("pay-7", ProviderMethod.CARD, amount=1000))
    whole = provider.parse_callback(*fake.pay(second.provider_reference), {})
    full = await provider.refund(whole.provider_transaction_id, 1000)
    assert full.succeeded


async def test_no_transaction_yet_is_still_pending(paymob) -> None:
    _, provider = paymob
    await provider.create_payment(order("pay-8", ProviderMethod.CARD))
    assert (await provider.query_status("pay-8")).state is PaymentState.PENDING


async def test_wrong_credentials_are_refused_not_unavailable(paymob) -> None:
    fake, provider = paymob
    wrong = PaymobProvider(paymob_config(provider.config.base_url, secret_key="wrong"))
    with pytest.raises(ProviderRefused):
        await wrong.create_payment(order("pay-9", ProviderMethod.CARD))
    await wrong.close()
    assert fake.received == []


async def test_a_provider_that_is_down_is_unavailable() -> None:
    provider = PaymobProvider(paymob_config(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(ProviderUnavailable):
        await provider.create_payment(order("pay-10", ProviderMethod.CARD))
    with pytest.raises(ProviderUnavailable):
        await provider.query_status("pay-10")
    await provider.close()
    fawry = FawryProvider(FawryConfig(f"http://127.0.0.1:{free_port()}", "m", "k"))
    with pytest.raises(ProviderUnavailable):
        await fawry.create_payment(order("pay-10", ProviderMethod.OUTLET))
    await fawry.close()


# --- Fawry-style -----------------------------------------------------------------------------


async def test_a_reference_code_paid_at_an_outlet(fawry) -> None:
    fake, provider = fawry
    created = await provider.create_payment(order("pay-20", ProviderMethod.OUTLET))
    assert created.reference_code is not None
    assert created.expires_at is not None
    assert fake.wrong_signatures == 0
    assert fake.received[0]["amount"] == "350.50"
    assert (await provider.query_status("pay-20")).state is PaymentState.PENDING

    body = fake.notify("pay-20")
    callback = provider.parse_callback(body, {}, {})
    assert callback.outcome is PaymentState.SUCCEEDED
    assert callback.provider_transaction_id == created.reference_code
    assert callback.amount == 35050
    assert callback == provider.parse_callback(body, {}, {})  # a replay parses the same
    status = await provider.query_status("pay-20")
    assert status.state is PaymentState.SUCCEEDED
    assert status.amount == 35050


async def test_an_expired_code_and_a_short_payment(fawry) -> None:
    fake, provider = fawry
    await provider.create_payment(order("pay-21", ProviderMethod.OUTLET))
    assert provider.parse_callback(fake.notify("pay-21", "EXPIRED"), {}, {}).outcome is (
        PaymentState.EXPIRED
    )
    assert (await provider.query_status("pay-21")).state is PaymentState.EXPIRED
    await provider.create_payment(order("pay-22", ProviderMethod.OUTLET))
    short = provider.parse_callback(fake.notify("pay-22", paid="300.00"), {}, {})
    assert short.amount == 30000
    assert short.amount_differs(35050)


async def test_a_forged_fawry_callback_is_refused(fawry) -> None:
    fake, provider = fawry
    await provider.create_payment(order("pay-23", ProviderMethod.OUTLET))
    with pytest.raises(InvalidSignature):
        provider.parse_callback(fake.notify("pay-23", secure_key="guess"), {}, {})
    genuine = fake.notify("pay-23")
    with pytest.raises(InvalidSignature):
        provider.parse_callback(genuine.replace(b"350.50", b"3.50"), {}, {})


async def test_the_fake_checks_our_signatures(fawry) -> None:
    fake, provider = fawry
    wrong = FawryProvider(
        FawryConfig(provider.config.base_url, merchant_code="770000012", secure_key="wrong")
    )
    with pytest.raises(ProviderRefused) as caught:
        await wrong.create_payment(order("pay-24", ProviderMethod.OUTLET))
    assert caught.value.code == "9946"
    with pytest.raises(ProviderRefused):
        await wrong.query_status("pay-24")
    await wrong.close()
    assert fake.wrong_signatures == 2


async def test_cash_at_an_outlet_is_not_refunded_by_the_provider(fawry) -> None:
    _, provider = fawry
    with pytest.raises(RefundNotSupported):
        await provider.refund("9990076201", 100)


# --- sandbox ----------------------------------------------------------------------------------


async def test_the_sandbox_simulates_card_decline_abandon_and_outlet() -> None:
    sandbox = SandboxProvider(secret="sandbox-secret")
    card = await sandbox.create_payment(order("sbx-1", ProviderMethod.CARD))
    assert card.redirect_url == f"/payments/sandbox/checkout/{card.provider_reference}"
    page = sandbox.checkout(card.provider_reference)
    assert page is not None
    assert page.amount == 35050
    signed = sandbox.approve(card.provider_reference)
    callback = sandbox.parse_callback(signed.body, {}, signed.headers)
    assert callback.outcome is PaymentState.SUCCEEDED
    assert (await sandbox.query_status("sbx-1")).state is PaymentState.SUCCEEDED
    with pytest.raises(ProviderRefused):
        sandbox.decline(card.provider_reference)  # already finished
    refund = await sandbox.refund(callback.provider_transaction_id, 35050)
    assert refund.succeeded
    with pytest.raises(InvalidSignature):
        sandbox.parse_callback(signed.body, {}, {"X-Sandbox-Signature": "0" * 64})

    declined = await sandbox.create_payment(order("sbx-2", ProviderMethod.CARD))
    failed = sandbox.decline(declined.provider_reference)
    assert sandbox.parse_callback(failed.body, {}, failed.headers).outcome is PaymentState.FAILED
    left = await sandbox.create_payment(order("sbx-3", ProviderMethod.WALLET))
    gone = sandbox.abandon(left.provider_reference)
    assert sandbox.parse_callback(gone.body, {}, gone.headers).outcome is PaymentState.CANCELLED

    outlet = await sandbox.create_payment(order("sbx-4", ProviderMethod.OUTLET))
    assert outlet.reference_code is not None
    assert outlet.redirect_url is None
    cash = sandbox.pay_at_outlet(outlet.reference_code)
    paid = sandbox.parse_callback(cash.body, {}, cash.headers)
    assert paid.outcome is PaymentState.SUCCEEDED
    with pytest.raises(RefundNotSupported):
        await sandbox.refund(paid.provider_transaction_id, 100)
