"""Managing templates (role platform_admin): every change is a new version; old ones are kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, Response

from mahaliyat.auth import Principal, require_role
from mahaliyat.idempotency import IdempotencyKey, idempotent
from mahaliyat.web import Session
from notification_service.api.deps import PROBLEMS, AdaptersDep
from notification_service.domain.templates import TEMPLATE_KEY
from notification_service.schemas import (
    Language,
    Preview,
    PreviewRequest,
    Template,
    TemplateActivation,
    TemplateBody,
    TemplateList,
)
from notification_service.services import templates

router = APIRouter(tags=["templates"])
Admin = Annotated[Principal, Depends(require_role("platform_admin"))]
Key = Annotated[str, Path(pattern=TEMPLATE_KEY, max_length=200)]


@router.get(
    "/templates", response_model=TemplateList, summary="Templates in use", responses=PROBLEMS
)
async def list_templates(_admin: Admin, session: Session) -> TemplateList:
    return TemplateList(items=await templates.in_use(session))


@router.get(
    "/templates/{key}",
    response_model=TemplateList,
    summary="Every version of a template, both languages",
    responses=PROBLEMS,
)
async def template_versions(key: Key, _admin: Admin, session: Session) -> TemplateList:
    return TemplateList(items=await templates.versions(session, key))


@router.put(
    "/templates/{key}/{language}",
    response_model=Template,
    summary="Set the text of a template: 201 with a new version, 200 when it is already the text",
    responses=PROBLEMS,
)
async def put_template(
    key: Key,
    language: Language,
    request: TemplateBody,
    admin: Admin,
    session: Session,
    adapters: AdaptersDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def produce() -> Response:
        status, body = await templates.put_by_admin(
            session, adapters, admin, key=key, language=language, request=request
        )
        return JSONResponse(body, status_code=status)

    return await idempotent(
        session,
        admin,
        idempotency_key,
        f"PUT /templates/{key}/{language}",
        request,
        produce,
        now=adapters.now(),
    )


@router.patch(
    "/templates/{key}/{language}/versions/{version}",
    response_model=Template,
    summary="Activate or deactivate one version (the latest active version is the one used)",
    responses=PROBLEMS,
)
async def activate_version(
    key: Key,
    language: Language,
    version: int,
    request: TemplateActivation,
    _admin: Admin,
    session: Session,
    adapters: AdaptersDep,
) -> Template:
    return await templates.activate(
        session, adapters, key=key, language=language, version=version, active=request.active
    )


@router.post(
    "/templates/{key}/{language}/preview",
    response_model=Preview,
    summary="Render the template in use with values: text, encoding and segments",
    responses=PROBLEMS,
)
async def preview(
    key: Key,
    language: Language,
    request: PreviewRequest,
    _admin: Admin,
    session: Session,
    adapters: AdaptersDep,
) -> Preview:
    return await templates.preview(
        session, adapters, key=key, language=language, values=request.values
    )
