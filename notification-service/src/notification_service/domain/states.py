"""Message states and the rules that move them; they never go backwards.

``created → sending → sent → delivered | temporary_failure | permanent_failure``,
and ``sending → temporary_failure | technical_failure | permanent_failure`` when a
provider refuses the message. Temporary and technical failures are retried until
the message's deadline; a message that gives up keeps the failure it ended with
and is marked final. A ``sent`` message whose receipt does not come within the
receipt wait is final too, still ``sent`` (its fate is unknown). ``delivered`` and
``permanent_failure`` are always final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class MessageState(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"
    TECHNICAL_FAILURE = "technical_failure"


# What a provider answers to a submission.
SendOutcome = Literal["sent", "temporary_failure", "permanent_failure", "technical_failure"]
# What a delivery receipt can say; anything else a provider reports is kept but changes nothing.
ReceiptState = Literal["delivered", "temporary_failure", "permanent_failure"]

ALWAYS_FINAL = frozenset({MessageState.DELIVERED, MessageState.PERMANENT_FAILURE})
RETRYABLE = frozenset({MessageState.TEMPORARY_FAILURE, MessageState.TECHNICAL_FAILURE})
# States the sender picks up once their next attempt is due.
DUE_STATES = frozenset({MessageState.CREATED, *RETRYABLE})
# States a receipt may move forward: the message was (or is being) handed to a provider.
RECEIPT_MOVABLE = frozenset({MessageState.SENDING, MessageState.SENT, *RETRYABLE})


def after_receipt(
    current: MessageState, receipt: ReceiptState, *, final: bool, latest: bool
) -> MessageState | None:
    """The state a receipt moves a message to, or None when it changes nothing.

    ``final``: the message was already given up (retries exhausted, or no receipt in
    time); ``latest``: the receipt is about the message's latest attempt.

    A delivery beats every state but the always-final ones, for any attempt, even
    after the message was given up: the citizen has the message. A failure counts
    only for the latest attempt of a message still in play — a late one about an
    earlier attempt, or one after the message was given up, never undoes progress
    nor ends a resend. A temporary failure only moves a message that was ``sent``.
    """
    if current in ALWAYS_FINAL:
        return None
    if receipt == "delivered":
        return MessageState.DELIVERED if current in RECEIPT_MOVABLE else None
    if final or not latest:
        return None
    if receipt == "permanent_failure":
        return MessageState.PERMANENT_FAILURE if current in RECEIPT_MOVABLE else None
    return MessageState.TEMPORARY_FAILURE if current == MessageState.SENT else None


# How an application's state reads in an SMS reply (request-service's states).
APPLICATION_STATE_NAMES: dict[str, dict[str, str]] = {
    "submitted": {"ar": "تم تقديم الطلب", "en": "submitted"},
    "under_review": {"ar": "قيد المراجعة", "en": "under review"},
    "awaiting_payment": {"ar": "في انتظار السداد", "en": "awaiting payment"},
    "in_processing": {"ar": "جاري التنفيذ", "en": "in processing"},
    "returned_to_citizen": {"ar": "معاد إليك للاستكمال", "en": "returned to you for completion"},
    "approved": {"ar": "تمت الموافقة", "en": "approved"},
    "rejected": {"ar": "مرفوض", "en": "rejected"},
    "ready_for_collection": {"ar": "جاهز للاستلام", "en": "ready for collection"},
    "delivered": {"ar": "تم التسليم", "en": "delivered"},
    "cancelled": {"ar": "ملغى", "en": "cancelled"},
}


def application_state_name(state: str, language: str) -> str:
    names = APPLICATION_STATE_NAMES.get(state)
    if names is None:
        return state.replace("_", " ")
    return names.get(language, names["ar"])
