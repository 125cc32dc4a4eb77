"""Documents of an application: adding more (multipart) and downloading."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from mahaliyat.auth import CurrentPrincipal
from mahaliyat.idempotency import IdempotencyKey, idempotent
from mahaliyat.problems import Problem
from mahaliyat.web import Session
from request_service.api.applications import PROBLEMS
from request_service.api.deps import (
    AdaptersDep,
    ExpectedVersion,
    etag,
    json_response,
)
from request_service.schemas import ApplicationOut
from request_service.services import documents, views
from request_service.uploads import read_multipart

router = APIRouter(prefix="/applications/{application_id}/documents", tags=["documents"])

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "format": "binary"},
                }
            }
        },
    }
}


@router.post(
    "",
    status_code=201,
    response_model=ApplicationOut,
    responses=PROBLEMS,
    summary="Attach more documents, each under its document code (If-Match required)",
    openapi_extra=_UPLOAD_BODY,
)
async def attach(
    application_id: uuid.UUID,
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
    version: ExpectedVersion,
    key: IdempotencyKey,
) -> Response:
    if (
        request.headers.get("content-type", "").split(";")[0].strip().lower()
        != "multipart/form-data"
    ):
        raise Problem(415, "unsupported_media_type", "send multipart/form-data")
    upload = await read_multipart(
        request,
        adapters.staging_dir,
        max_file_bytes=adapters.settings.max_document_bytes,
        max_files=adapters.settings.max_documents,
        max_total_bytes=adapters.settings.max_total_document_bytes,
    )
    try:

        async def create() -> Response:
            application = await documents.attach(
                session, adapters, principal, application_id, version, upload.files
            )
            out = await views.full(session, adapters, principal, application)
            return json_response(out, 201, {"ETag": etag(application.version)})

        content = {
            "application": str(application_id),
            "version": version,
            "files": upload.fingerprint_parts(),
        }
        return await idempotent(
            session, principal, key, "POST /applications/{id}/documents", content, create
        )
    finally:
        upload.discard()


@router.get(
    "/{document_id}",
    responses={
        200: {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}},
        **PROBLEMS,
    },
    summary="Download a document (the applicant, or staff of the jurisdiction)",
)
async def download(
    application_id: uuid.UUID,
    document_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    adapters: AdaptersDep,
) -> StreamingResponse:
    document, chunks = await documents.open_download(
        session, adapters, principal, application_id, document_id
    )
    return StreamingResponse(
        chunks,
        media_type=document.media_type,
        headers={
            "Content-Length": str(document.size_bytes),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(document.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "ETag": f'"{document.sha256}"',
        },
    )
