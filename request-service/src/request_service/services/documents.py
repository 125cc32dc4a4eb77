"""Documents: checks against the service's requirements, storing accepted files, downloads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.clock import cairo_date
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem, field_error
from request_service.adapters import Adapters
from request_service.catalogue import CatalogueUnavailable
from request_service.domain.documents import (
    DocumentError,
    DocumentRequirement,
    OfferedDocument,
    check_documents,
)
from request_service.models import Application, Document
from request_service.queries import applications
from request_service.queries import documents as document_rows
from request_service.services import access, audit
from request_service.services.guards import catalogue_down, check_version, store_down
from request_service.storage import DocumentMissing, DocumentStoreError
from request_service.uploads import StagedFile, total_too_large

_MESSAGES = {
    "unknown_document": "this service asks for no document by that name",
    "unsupported_type": "only PDF, JPEG and PNG files are accepted (judged by content)",
    "type_mismatch": "the file's name or declared type does not match its content",
    "type_not_accepted": "this document must be of another type (judged by content)",
    "required": "this document is required",
}


def document_errors(
    requirements: Sequence[DocumentRequirement],
    files: Sequence[StagedFile],
    *,
    already_attached: Collection[str] = (),
    require_all: bool = True,
) -> list[dict[str, str]]:
    errors: list[DocumentError] = check_documents(
        requirements,
        [OfferedDocument(f.field, f.format, f.filename, f.declared_type) for f in files],
        already_attached=already_attached,
        require_all=require_all,
    )
    return [
        field_error(f"documents.{e.code}", e.problem, _MESSAGES[e.problem], "documents")
        for e in errors
    ]


async def put_files(adapters: Adapters, files: Sequence[StagedFile]) -> None:
    """Move accepted files into the store (only after every check passed)."""
    try:
        for staged in files:
            await adapters.documents.put(staged.sha256, staged.path)
    except DocumentStoreError as exc:
        # Raised before the rows are written: the filing rolls back whole (what was put
        # stays, named by its digest, and is reused by a retry).
        raise store_down(exc) from exc


def new_documents(
    application_id: uuid.UUID, files: Sequence[StagedFile], *, by: str, at: datetime
) -> list[Document]:
    """The rows of accepted files (not yet in any session)."""
    rows = []
    for staged in files:
        assert staged.format is not None
        rows.append(
            Document(
                id=new_id(),
                application_id=application_id,
                document_code=staged.field,
                filename=staged.filename,
                media_type=staged.format.media_type,
                size_bytes=staged.size,
                sha256=staged.sha256,
                uploaded_at=at,
                uploaded_by=by,
            )
        )
    return rows


def record_files(
    session: AsyncSession,
    application_id: uuid.UUID,
    files: Sequence[StagedFile],
    *,
    by: str,
    at: datetime,
) -> list[Document]:
    rows = new_documents(application_id, files, by=by, at=at)
    for row in rows:
        document_rows.add(session, row)
    return rows


def may_download(adapters: Adapters, principal: Principal, application: Application) -> bool:
    """The citizen it belongs to, and staff of its jurisdiction; nobody else."""
    return access.is_owner(adapters, principal, application) or (
        principal.kind == "staff" and principal.can(access.STAFF_READERS, application.jurisdiction)
    )


async def open_download(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    application_id: uuid.UUID,
    document_id: uuid.UUID,
) -> tuple[Document, AsyncIterator[bytes]]:
    application = await applications.get(session, application_id)
    if application is None or not may_download(adapters, principal, application):
        raise Problem(404, "not_found")
    document = await document_rows.get(session, application_id, document_id)
    if document is None:
        raise Problem(404, "not_found")
    try:
        chunks = await adapters.documents.read(document.sha256)
    except DocumentMissing:
        raise Problem(410, "document_missing", "the file is no longer in the store") from None
    except DocumentStoreError as exc:
        raise store_down(exc) from exc
    return document, chunks


ATTACHABLE_STATES = frozenset({"submitted", "under_review", "returned_to_citizen"})


async def attach(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    application_id: uuid.UUID,
    expected_version: int,
    files: Sequence[StagedFile],
) -> Application:
    """More documents for an application still with the citizen or the front office."""
    application = access.readable(
        adapters, principal, await applications.get(session, application_id, for_update=True)
    )
    roles = await access.acting_roles(session, adapters, principal, application)
    if not roles & {"citizen", "partner", "front_office"}:
        raise Problem(403, "forbidden", "documents are added by the applicant or the front office")
    check_version(application, expected_version)
    if application.state not in ATTACHABLE_STATES:
        raise Problem(
            409, "documents_closed", f"no documents are added in state {application.state}"
        )
    if not files:
        raise Problem(
            422,
            "no_documents",
            errors=[field_error("documents", "required", "attach at least one file")],
        )
    existing = await document_rows.count(session, application.id)
    if existing + len(files) > adapters.settings.max_documents:
        raise Problem(
            422,
            "too_many_documents",
            f"at most {adapters.settings.max_documents} documents per application",
            errors=[field_error("documents", "too_many", "too many documents", "documents")],
        )
    limit = adapters.settings.max_total_document_bytes
    if (
        await document_rows.total_bytes(session, application.id) + sum(f.size for f in files)
        > limit
    ):
        raise total_too_large(limit)
    now = adapters.now()
    try:
        service = await adapters.catalogue.service(
            application.service_code, application.governorate, cairo_date(now)
        )
    except CatalogueUnavailable as exc:
        raise catalogue_down(exc) from exc
    requirements = service.documents if service is not None else ()
    errors = document_errors(requirements, files, require_all=False)
    if errors:
        raise Problem(422, "invalid_documents", errors=errors)
    await put_files(adapters, files)
    stored = record_files(session, application.id, files, by=principal.subject, at=now)
    application.version += 1
    application.updated_at = now
    await audit.record(
        session,
        at=now,
        actor_id=principal.subject,
        actor_role=sorted(roles)[0],
        action="documents_added",
        application_id=application.id,
        details={"documents": [d.sha256 for d in stored]},
    )
    return application
