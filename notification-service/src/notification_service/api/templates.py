"""Managing templates (role platform_admin): every change is a new version; old ones are kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse, Response

from mahaliyat.auth import Principal, require_role
from mahaliyat.idempotency import IdempotencyKey, idempotent
from mahaliyat.problems import Problem, field_error
from mahaliyat.web import Session
from notification_service.api.deps import NotificationsDep, caller
from notification_service.api.sms import PROBLEMS
from notification_service.domain.encoding import MessageTooLong, checked_layout
from notification_service.domain.templates import (
    TEMPLATE_KEY,
    MissingValues,
    TemplateError,
    placeholders,
    render,
)
from notification_service.models import SmsTemplate
from notification_service.schemas import (
    Language,
    Preview,
    PreviewRequest,
    Template,
    TemplateActivation,
    TemplateBody,
    TemplateList,
)
from notification_service.template_store import validate_body

router = APIRouter(tags=["templates"])
Admin = Annotated[Principal, Depends(require_role("platform_admin"))]
Key = Annotated[str, Path(pattern=TEMPLATE_KEY, max_length=200)]


def _out(row: SmsTemplate) -> Template:
    return Template.of(row, placeholders(row.body))


@router.get(
    "/templates", response_model=TemplateList, summary="Templates in use", responses=PROBLEMS
)
async def list_templates(
    _admin: Admin, session: Session, notifications: NotificationsDep
) -> TemplateList:
    rows = await notifications.templates.latest_per_key(session)
    return TemplateList(items=[_out(r) for r in rows])


@router.get(
    "/templates/{key}",
    response_model=TemplateList,
    summary="Every version of a template, both languages",
    responses=PROBLEMS,
)
async def template_versions(
    key: Key, _admin: Admin, session: Session, notifications: NotificationsDep
) -> TemplateList:
    rows = await notifications.templates.versions(session, key)
    if not rows:
        raise Problem(404, "not_found")
    return TemplateList(items=[_out(r) for r in rows])


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
    notifications: NotificationsDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    now = notifications.clock()

    async def produce() -> Response:
        try:
            row, created = await notifications.templates.put(
                session,
                key=key,
                language=language,
                body=request.body,
                description=request.description,
                author=caller(admin),
                now=now,
            )
        except TemplateError as exc:
            raise Problem(
                422, "invalid_template", errors=[field_error("body", "invalid_template", str(exc))]
            ) from exc
        status = 201 if created else 200
        body = _out(row).model_dump(mode="json")
        return JSONResponse(body, status_code=status)

    return await idempotent(
        session,
        admin,
        idempotency_key,
        f"PUT /templates/{key}/{language}",
        request,
        produce,
        now=now,
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
    notifications: NotificationsDep,
) -> Template:
    row = await notifications.templates.set_active(
        session, key=key, language=language, version=version, active=request.active
    )
    if row is None:
        raise Problem(404, "not_found")
    return _out(row)


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
    notifications: NotificationsDep,
) -> Preview:
    notifications.templates.invalidate()
    template = await notifications.templates.find(session, [key], language)
    if template is None or template.language != language:
        raise Problem(404, "not_found")
    try:
        validate_body(key, template.body)
        text = render(template.body, request.values)
        layout = checked_layout(text, notifications.settings.sms_max_segments)
    except MissingValues as exc:
        raise Problem(
            422,
            "missing_values",
            errors=[
                field_error(f"values.{n}", "missing", "the template needs it") for n in exc.names
            ],
        ) from exc
    except (TemplateError, MessageTooLong) as exc:
        raise Problem(
            422, "unsendable", str(exc), errors=[field_error("values", "invalid", str(exc))]
        ) from exc
    return Preview(
        version=template.version,
        body=text,
        encoding=layout.encoding,
        segments=layout.segments,
        length=layout.units,
        parts=list(layout.parts),
    )
