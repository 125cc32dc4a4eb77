"""Following messages: one by its id, or those sent for a reference."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.web import Session, limiting
from notification_service.api.deps import PROBLEMS
from notification_service.schemas import Message, MessageList
from notification_service.services import sms

router = APIRouter(tags=["sms"])


@router.get(
    "/messages/{message_id}",
    response_model=Message,
    summary="A message's state",
    responses=PROBLEMS,
)
async def get_one(message_id: uuid.UUID, principal: CurrentPrincipal, session: Session) -> Message:
    return await sms.one(session, principal, message_id)


@router.get(
    "/messages",
    response_model=MessageList,
    summary="Messages sent for a reference (a tracking number, a challenge, your own reference)",
    responses=PROBLEMS,
)
async def by_reference(
    principal: CurrentPrincipal,
    session: Session,
    reference: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Depends(limiting(default=100, maximum=500))],
) -> MessageList:
    return MessageList(items=await sms.by_reference(session, principal, reference, limit=limit))
