"""Applications: filing on every channel, reading, moving through the workflow, reassigning."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.idempotency import IdempotencyKey, idempotent
from mahaliyat.problems import PROBLEM_JSON, Problem, field_error
from mahaliyat.web import PageParams, Session, paging
from request_service.adapters import Adapters
from request_service.api.deps import (
    AdaptersDep,
    ExpectedVersion,
    etag,
    json_response,
)
from request_service.schemas import (
    ApplicationList,
    ApplicationOut,
    AssignmentIn,
    SubmissionIn,
    TransitionIn,
    parse_model,
)
from request_service.services import assignment, intake, reading, transitions, views
from request_service.uploads import Upload, parse_json_object, read_json_object, read_multipart

router = APIRouter(prefix="/applications", tags=["applications"])


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its nested models written in place (no dangling ``$ref``)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"content": {PROBLEM_JSON: {}}} for status in (403, 404, 409, 412, 422, 428)
}

_SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["application"],
                    "properties": {
                        "application": {
                            "type": "string",
                            "description": "the SubmissionIn JSON document",
                        }
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "files, each under its document code: PDF, JPEG or PNG "
                        "by content, named and typed as what they are; ≤ 10 MB each, 40 MB together",
                    },
                }
            },
            "application/json": {"schema": inline_schema(SubmissionIn)},
        },
    }
}


async def read_submission(request: Request, adapters: Adapters) -> tuple[dict[str, Any], Upload]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        upload = await read_multipart(
            request,
            adapters.staging_dir,
            max_file_bytes=adapters.settings.max_document_bytes,
            max_files=adapters.settings.max_documents,
            max_total_bytes=adapters.settings.max_total_document_bytes,
        )
        raw = upload.fields.get("application")
        if raw is None:
            upload.discard()
            raise Problem(
                422,
                "invalid_application",
                errors=[field_error("application", "required", "the application part is missing")],
            )
        try:
            return parse_json_object(raw, "application"), upload
        except Problem:
            upload.discard()
            raise
    if content_type == "application/json":
        return await read_json_object(request), Upload()
    raise Problem(415, "unsupported_media_type", "send multipart/form-data or application/json")


@router.post(
    "",
    status_code=201,
    response_model=ApplicationOut,
    summary="File an application (citizen, clerk at a centre, or partner system)",
    responses={201: {"headers": {"ETag": {}, "Location": {}}}, **PROBLEMS},
    openapi_extra=_SUBMISSION_BODY,
)
async def submit(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    key: IdempotencyKey,
) -> Response:
    raw, upload = await read_submission(request, adapters)
    try:
        body = parse_model(SubmissionIn, raw, "application")

        async def create() -> Response:
            application, stored, change = await intake.submit(
                session, adapters, principal, body, upload.files
            )
            out = await views.full(
                session,
                adapters,
                principal,
                application,
                documents=stored,
                timeline=[change],
                escalated=False,  # just filed
            )
            return json_response(
                out,
                201,
                {
                    "ETag": etag(application.version),
                    "Location": f"{views.API_PREFIX}/applications/{application.id}",
                },
            )

        content = {"application": raw, "files": upload.fingerprint_parts()}
        return await idempotent(session, principal, key, "POST /applications", content, create)
    finally:
        upload.discard()


@router.get(
    "", response_model=ApplicationList, summary="My applications (citizen) or my filings (partner)"
)
async def mine(
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    page: Annotated[PageParams, Depends(paging(default_limit=20, max_limit=100))],
) -> ApplicationList:
    return await reading.mine(session, adapters, principal, page.limit, page.offset)


@router.get(
    "/by-tracking/{tracking_number}",
    response_model=ApplicationOut,
    summary="An application by its tracking number (any spelling)",
    responses=PROBLEMS,
)
async def by_tracking(
    tracking_number: str, session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> Response:
    out = await reading.by_tracking_number(session, adapters, principal, tracking_number)
    return json_response(out, headers={"ETag": etag(out.version)})


@router.get(
    "/{application_id}",
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="One application with its timeline",
)
async def one(
    application_id: uuid.UUID, session: Session, principal: CurrentPrincipal, adapters: AdaptersDep
) -> Response:
    out = await reading.one(session, adapters, principal, application_id)
    return json_response(out, headers={"ETag": etag(out.version)})


@router.post(
    "/{application_id}/transitions",
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="Move the application to another state (If-Match required)",
)
async def transition(
    application_id: uuid.UUID,
    body: TransitionIn,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    version: ExpectedVersion,
) -> Response:
    application = await transitions.transition(
        session, adapters, principal, application_id, version, body
    )
    out = await views.full(session, adapters, principal, application)
    return json_response(out, headers={"ETag": etag(application.version)})


@router.put(
    "/{application_id}/assignment",
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="Reassign to a back-office officer (centre manager; If-Match required)",
)
async def reassign(
    application_id: uuid.UUID,
    body: AssignmentIn,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    version: ExpectedVersion,
) -> Response:
    application = await assignment.reassign(
        session, adapters, principal, application_id, version, body
    )
    out = await views.full(session, adapters, principal, application)
    return json_response(out, headers={"ETag": etag(application.version)})
