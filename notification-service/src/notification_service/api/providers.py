"""Webhooks the SMS providers call: delivery receipts and inbound messages (api/payloads reads them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from mahaliyat.problems import PROBLEM_JSON
from notification_service.api.deps import AdaptersDep
from notification_service.api.payloads import accepted, inbound_in, receipts_in
from notification_service.schemas import InboundResultOut, ReceiptResult, ReceiptResults
from notification_service.services import inbound, receipts

router = APIRouter(tags=["provider webhooks"])
WEBHOOK_PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"content": {PROBLEM_JSON: {}}} for status in (400, 401, 413, 422)
}
RECEIPTS_SUMMARY = "Delivery receipts from a provider (authenticated; replays change nothing)"
INBOUND_SUMMARY = "A text a citizen sent (authenticated); answered by SMS with the status"


async def take_receipts(provider: str, request: Request, adapters: AdaptersDep) -> ReceiptResults:
    config, items, digest = await accepted(request, adapters, provider, "receipts")
    answers = await receipts.take(adapters, provider, receipts_in(config, items), digest)
    return ReceiptResults(
        receipts=[
            ReceiptResult(
                provider_message_id=a.provider_message_id, message_id=a.message_id, state=a.state
            )
            for a in answers
        ]
    )


async def take_inbound(provider: str, request: Request, adapters: AdaptersDep) -> InboundResultOut:
    config, items, digest = await accepted(request, adapters, provider, "inbound")
    text = inbound_in(config, items)
    result = await inbound.receive(
        adapters,
        provider=provider,
        provider_message_id=text.provider_message_id,
        sender=text.sender,
        text=text.text,
        replay_digest=digest,
    )
    return InboundResultOut(
        inbound_id=result.inbound_id,
        outcome=result.outcome,
        reply_message_id=result.reply_message_id,
        duplicate=result.duplicate,
    )


router.add_api_route(
    "/providers/{provider}/receipts",
    take_receipts,
    methods=["POST"],
    response_model=ReceiptResults,
    summary=RECEIPTS_SUMMARY,
    responses=WEBHOOK_PROBLEMS,
    name="receipts",
)
router.add_api_route(
    "/providers/{provider}/receipts",
    take_receipts,
    methods=["GET"],
    response_model=ReceiptResults,
    summary=RECEIPTS_SUMMARY + ", as a query string",
    responses=WEBHOOK_PROBLEMS,
    name="receipts_by_query",
)
router.add_api_route(
    "/providers/{provider}/inbound",
    take_inbound,
    methods=["POST"],
    response_model=InboundResultOut,
    summary=INBOUND_SUMMARY,
    responses=WEBHOOK_PROBLEMS,
    name="inbound",
)
router.add_api_route(
    "/providers/{provider}/inbound",
    take_inbound,
    methods=["GET"],
    response_model=InboundResultOut,
    summary=INBOUND_SUMMARY + ", as a query string",
    responses=WEBHOOK_PROBLEMS,
    name="inbound_by_query",
)
