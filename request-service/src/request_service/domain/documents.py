"""Documents: the type is decided by the bytes, never by the name or the declared type."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from request_service.domain.catalogue import DocumentRequirement


class DocumentFormat(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]


ALL_FORMATS = frozenset(DocumentFormat)
_MEDIA_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.JPEG: "image/jpeg",
    DocumentFormat.PNG: "image/png",
}
_EXTENSIONS = {DocumentFormat.PDF: "pdf", DocumentFormat.JPEG: "jpg", DocumentFormat.PNG: "png"}
_MAGIC: tuple[tuple[bytes, DocumentFormat], ...] = (
    (b"%PDF-", DocumentFormat.PDF),
    (b"\xff\xd8\xff", DocumentFormat.JPEG),
    (b"\x89PNG\r\n\x1a\n", DocumentFormat.PNG),
)
SNIFF_BYTES = 8


def sniff(head: bytes) -> DocumentFormat | None:
    """The format whose magic bytes ``head`` starts with, or None."""
    for magic, found in _MAGIC:
        if head.startswith(magic):
            return found
    return None


@dataclass(frozen=True, slots=True)
class OfferedDocument:
    """One file as received: under which document code, and what its bytes say it is."""

    code: str
    format: DocumentFormat | None


@dataclass(frozen=True, slots=True)
class DocumentError:
    code: str  # the document code (the multipart field name)
    problem: str  # unknown_document | unsupported_type | type_not_accepted | required


def check_documents(
    requirements: Sequence[DocumentRequirement],
    offered: Iterable[OfferedDocument],
    *,
    already_attached: Collection[str] = (),
    require_all: bool = True,
) -> list[DocumentError]:
    """Every problem with the offered files against the service's required documents."""
    by_code = {r.code: r for r in requirements}
    errors: list[DocumentError] = []
    present = set(already_attached)
    for document in offered:
        present.add(document.code)  # a wrong file is reported as wrong, not also as missing
        requirement = by_code.get(document.code)
        if requirement is None:
            errors.append(DocumentError(document.code, "unknown_document"))
        elif document.format is None:
            errors.append(DocumentError(document.code, "unsupported_type"))
        elif document.format not in requirement.formats:
            errors.append(DocumentError(document.code, "type_not_accepted"))
    if require_all:
        errors.extend(
            DocumentError(r.code, "required")
            for r in requirements
            if r.required and r.code not in present
        )
    return errors
