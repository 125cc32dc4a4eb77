"""Events to messages, on SQLite and PostgreSQL: routing to templates, once per event, OTPs sealed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from mahaliyat.events import CloudEvent
from notification_service.domain.otp import OtpCipher
from notification_service.models import SmsMessage
from notification_service.services import event_sms, templates
from tests.notification.support import (
    CITIZEN,
    otp_event,
    running,
    status_changed,
    submitted,
)
from tests.support.stack import event as make_event

ARABIC_SUBMITTED = (
    "محليات: تم استلام طلبك رقم 21-26-0004217-9 لخدمة ترخيص بناء. "
    "للاستعلام عن حالته أرسل رقم الطلب في رسالة قصيرة."
)


async def test_a_submitted_application_gets_one_arabic_sms_even_when_delivered_twice(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        event = submitted()
        await svc.deliver(event)
        await svc.deliver(event)  # the bus delivers at least once
        message = await svc.one_message()
        assert message.state == "created"
        assert (message.encoding, message.segments, message.length) == ("ucs2", 2, 110)
        assert message.reference == "21-26-0004217-9"
        assert message.jurisdiction == "21-03-F01"

        assert await svc.send_due() == 1
        [sent] = svc.sandbox.messages_to(CITIZEN)
        assert sent.text == ARABIC_SUBMITTED
        assert (sent.encoding, sent.segments) == ("ucs2", 2)
        assert (await svc.one_message()).state in ("sent", "delivered")


async def test_the_unique_constraint_guards_even_without_the_inbox(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        event = submitted()
        for _ in range(2):  # straight to the handler, as a second consumer would
            async with svc.database.unit_of_work() as uow:
                await event_sms.on_event(uow.session, svc.adapters, event)
        assert len(await svc.messages()) == 1


async def test_english_when_the_citizen_chose_it(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path) as svc:
        await svc.deliver(submitted(language="en"))
        message = await svc.one_message()
        assert message.language == "en"
        assert message.body == (
            "Mahaliyat: we received your application 21-26-0004217-9 for Building permit. "
            "To check its status, text the tracking number to us."
        )
        assert (message.encoding, message.segments) == ("gsm7", 1)


@pytest.mark.parametrize(
    ("to", "extra", "expected"),
    [
        ("under_review", {}, "محليات: طلبك رقم 21-26-0004217-9 قيد المراجعة الآن."),
        (
            "awaiting_payment",
            {"amount_due_piasters": 25000},
            "في انتظار سداد ٢٥٠٫٠٠ ج.م.",
        ),
        (
            "returned_to_citizen",
            {"reason": {"ar": "صورة البطاقة غير واضحة", "en": "unreadable ID"}},
            "للاستكمال: صورة البطاقة غير واضحة",
        ),
        ("approved", {}, "تمت الموافقة على طلبك رقم 21-26-0004217-9."),
        (
            "rejected",
            {"reason": {"ar": "الموقع خارج الحيز العمراني", "en": "outside the urban zone"}},
            "السبب: الموقع خارج الحيز العمراني",
        ),
        ("ready_for_collection", {}, "جاهز للاستلام من المركز التكنولوجي"),
        ("cancelled", {}, "تم إلغاء طلبك رقم 21-26-0004217-9."),
    ],
)
async def test_status_changes_are_worded_per_target_state(
    database_url: str, tmp_path: Path, to: str, extra: dict[str, object], expected: str
) -> None:
    async with running(database_url, tmp_path) as svc:
        fields = dict(extra)  # the parameters are shared between the two backends' runs
        reason = fields.pop("reason", None)
        await svc.deliver(status_changed(to, reason=reason, **fields))  # type: ignore[arg-type]
        message = await svc.one_message()
        assert message.template_key == f"request.status_changed.{to}"
        assert expected in message.body


async def test_states_without_a_template_send_nothing(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path) as svc:
        await svc.deliver(status_changed("in_processing"))
        await svc.deliver(
            submitted().model_copy(update={"type": "request.completed"})
        )  # no outcome: no template
        assert await svc.messages() == []


async def test_a_completion_is_routed_by_its_outcome(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path) as svc:
        completed = submitted().model_copy(update={"type": "request.completed"})
        approved = completed.model_copy(update={"data": {**completed.data, "outcome": "approved"}})
        rejected = CloudEvent(
            source="/request",
            type="request.completed",
            data={**completed.data, "outcome": "rejected"},
        )
        await svc.deliver(approved)
        await svc.deliver(rejected)  # the status change already told the citizen
        message = await svc.one_message()
        assert message.template_key == "request.completed.approved"
        assert "اكتمل طلبك رقم 21-26-0004217-9 لخدمة ترخيص بناء" in message.body


async def test_a_missing_placeholder_value_is_refused_and_recorded(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        await svc.deliver(status_changed("rejected", reason=None))
        message = await svc.one_message()
        assert message.state == "permanent_failure"
        assert message.final_at is not None
        assert message.error_code == "template_render_failed"
        assert "reason" in (message.error_detail or "")
        assert await svc.send_due() == 0
        assert list(svc.sandbox.sent) == []
        [failed] = await svc.published("notification.sms.failed")
        assert failed.data["message_id"] == str(message.id)
        assert failed.data["error_code"] == "template_render_failed"


async def test_an_invalid_recipient_is_recorded_not_retried(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        await svc.deliver(submitted(phone="0223456789"))  # a landline
        message = await svc.one_message()
        assert (message.state, message.error_code) == ("permanent_failure", "invalid_recipient")


async def test_new_event_types_need_only_a_template(database_url: str, tmp_path: Path) -> None:
    async with running(database_url, tmp_path) as svc:
        payment = make_event(
            "payment.succeeded",
            invoice="INV-2026-000123",
            amount_piasters=120000,
            phone="01112345678",
            language="ar",
        )
        await svc.deliver(payment)
        assert await svc.messages() == []
        async with svc.database.unit_of_work() as uow:
            await templates.put(
                uow.session,
                svc.adapters,
                key="payment.succeeded",
                language="ar",
                body="محليات: تم سداد {amount} للفاتورة {invoice}. شكرًا لك.",
                description=None,
                author="test",
                now=svc.clock(),
            )
        await svc.deliver(make_event("payment.succeeded", **payment.data))
        message = await svc.one_message()
        assert message.recipient == "+201112345678"
        assert message.body == "محليات: تم سداد ١٬٢٠٠٫٠٠ ج.م للفاتورة INV-2026-000123. شكرًا لك."


async def test_an_otp_is_stored_masked_and_decrypted_only_to_send(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        event = otp_event(svc.clock)
        await svc.deliver(event)
        message = await svc.one_message()
        assert message.kind == "otp"
        assert message.priority == 0
        assert message.body == "محليات: رمز التحقق ******. لا تشاركه مع أي شخص."
        async with svc.database.read() as session:
            row = (await session.execute(select(SmsMessage.__table__))).one()
        assert not any("482913" in str(value) for value in row)  # the code is nowhere in clear
        assert message.otp_ciphertext == event.data["code_ciphertext"]

        await svc.send_due()
        [sent] = svc.sandbox.messages_to(CITIZEN)
        assert sent.text == "محليات: رمز التحقق 482913. لا تشاركه مع أي شخص."
        await svc.send_due()  # the sandbox's receipt arrives
        delivered = await svc.one_message()
        assert delivered.state == "delivered"
        assert delivered.otp_ciphertext is None  # no longer needed, no longer kept
        assert delivered.body_template is None


async def test_an_otp_that_expired_before_it_could_go_is_not_sent(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        await svc.deliver(otp_event(svc.clock))
        svc.clock.advance(minutes=6)
        await svc.send_due()
        message = await svc.one_message()
        assert (message.state, message.error_code) == ("permanent_failure", "expired")
        assert list(svc.sandbox.sent) == []


async def test_an_otp_under_another_key_fails_without_leaking(
    database_url: str, tmp_path: Path
) -> None:
    async with running(database_url, tmp_path) as svc:
        event = otp_event(svc.clock)
        forged = OtpCipher("some-other-key-entirely").encrypt("111111", event.data["challenge_id"])
        event = event.model_copy(update={"data": {**event.data, "code_ciphertext": forged}})
        await svc.deliver(event)
        await svc.send_due()
        message = await svc.one_message()
        assert (message.state, message.error_code) == ("permanent_failure", "otp_unreadable")
        assert list(svc.sandbox.sent) == []
