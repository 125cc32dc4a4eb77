"""The default SMS templates, Arabic and English, loaded as version 1 when a key has none.

Keys are event types, or an event type and a variant (``data.to`` of a status
change, ``data.outcome`` of a completion); ``inbound.reply.*`` answer a citizen
who texted us. Tracking numbers keep Latin digits so they can be sent back as is.
"""

from __future__ import annotations

from typing import Final

OTP_KEY: Final = "identity.otp.requested"

DEFAULT_TEMPLATES: Final[dict[str, dict[str, str]]] = {
    "request.submitted": {
        "ar": "محليات: تم استلام طلبك رقم {tracking_number} لخدمة {service_name}. للاستعلام عن حالته أرسل رقم الطلب في رسالة قصيرة.",
        "en": "Mahaliyat: we received your application {tracking_number} for {service_name}. To check its status, text the tracking number to us.",
    },
    "request.status_changed.under_review": {
        "ar": "محليات: طلبك رقم {tracking_number} قيد المراجعة الآن.",
        "en": "Mahaliyat: your application {tracking_number} is now under review.",
    },
    "request.status_changed.awaiting_payment": {
        "ar": "محليات: طلبك رقم {tracking_number} في انتظار سداد {amount_due}. يمكنك السداد عبر البوابة أو في أي مركز تكنولوجي.",
        "en": "Mahaliyat: application {tracking_number} is awaiting payment of {amount_due}. Pay on the portal or at any technology centre.",
    },
    "request.status_changed.returned_to_citizen": {
        "ar": "محليات: أعيد إليك طلبك رقم {tracking_number} للاستكمال: {reason}",
        "en": "Mahaliyat: application {tracking_number} was returned to you to complete: {reason}",
    },
    "request.status_changed.approved": {
        "ar": "محليات: تمت الموافقة على طلبك رقم {tracking_number}. سنبلغك عندما يصبح جاهزًا للاستلام.",
        "en": "Mahaliyat: application {tracking_number} has been approved. We will tell you when it is ready for collection.",
    },
    "request.status_changed.rejected": {
        "ar": "محليات: نأسف، رُفض طلبك رقم {tracking_number}. السبب: {reason}",
        "en": "Mahaliyat: we are sorry, application {tracking_number} was rejected. Reason: {reason}",
    },
    "request.status_changed.ready_for_collection": {
        "ar": "محليات: طلبك رقم {tracking_number} جاهز للاستلام من المركز التكنولوجي. يرجى إحضار بطاقة الرقم القومي.",
        "en": "Mahaliyat: application {tracking_number} is ready for collection at the technology centre. Please bring your national ID card.",
    },
    "request.status_changed.cancelled": {
        "ar": "محليات: تم إلغاء طلبك رقم {tracking_number}.",
        "en": "Mahaliyat: application {tracking_number} has been cancelled.",
    },
    # Rejections and cancellations are told by their status change; a completion adds the thanks.
    "request.completed.approved": {
        "ar": "محليات: اكتمل طلبك رقم {tracking_number} لخدمة {service_name}. شكرًا لتعاملك معنا.",
        "en": "Mahaliyat: application {tracking_number} for {service_name} is complete. Thank you.",
    },
    OTP_KEY: {
        "ar": "محليات: رمز التحقق {code}. لا تشاركه مع أي شخص.",
        "en": "Mahaliyat: your verification code is {code}. Do not share it with anyone.",
    },
    "inbound.reply.status": {
        "ar": "محليات: طلب رقم {tracking_number} ({service_name}): {state_name}. {next_step}",
        "en": "Mahaliyat: application {tracking_number} ({service_name}): {state_name}. {next_step}",
    },
    "inbound.reply.unknown": {
        "ar": "محليات: لا يوجد طلب بهذا الرقم مسجل برقم هاتفك. تأكد من الرقم المطبوع على إيصال الطلب وأعد الإرسال.",
        "en": "Mahaliyat: we found no application with this number for your phone. Check the number on your receipt and try again.",
    },
    "inbound.reply.invalid": {
        "ar": "محليات: لم نتعرف على رقم طلب صحيح في رسالتك. أرسل رقم الطلب كما هو على الإيصال، مثال: 21-26-0004217-9",
        "en": "Mahaliyat: we could not find a valid tracking number in your message. Send it as printed on your receipt, e.g. 21-26-0004217-9",
    },
    "inbound.reply.unavailable": {
        "ar": "محليات: تعذر الاستعلام عن طلبك الآن. يرجى إعادة المحاولة بعد قليل.",
        "en": "Mahaliyat: we cannot check your application right now. Please try again shortly.",
    },
}
