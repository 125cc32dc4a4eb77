"""Documents: the type is decided by the bytes; a name or a declared type that says otherwise is refused."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from request_service.domain.text import Bilingual


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
# The file-name extensions and declared media types that name each format (aliases included).
_NAMED_BY_EXTENSION = {
    DocumentFormat.PDF: frozenset({"pdf"}),
    DocumentFormat.JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    DocumentFormat.PNG: frozenset({"png"}),
}
_NAMED_BY_MEDIA_TYPE = {
    DocumentFormat.PDF: frozenset({"application/pdf", "application/x-pdf"}),
    DocumentFormat.JPEG: frozenset({"image/jpeg", "image/jpg", "image/pjpeg"}),
    DocumentFormat.PNG: frozenset({"image/png", "image/x-png"}),
}
# Declared types that say nothing about the content (a client that does not know it).
GENERIC_MEDIA_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
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


def extension_of(filename: str) -> str | None:
    """The extension a file name ends in (lower case), or None when it has none."""
    match = _EXTENSION.search(filename)
    return match.group(1).lower() if match else None


def media_type_of(declared: str | None) -> str | None:
    """A declared Content-Type without parameters (lower case); None when absent or generic."""
    if not declared:
        return None
    media_type = declared.split(";", 1)[0].strip().lower()
    return None if not media_type or media_type in GENERIC_MEDIA_TYPES else media_type


def disagreement(
    found: DocumentFormat, filename: str | None, declared_type: str | None
) -> str | None:
    """What says the file is something other than its bytes: ``extension``, ``content_type`` or None.

    A name without an extension and a generic or missing declared type say nothing;
    any extension or specific media type must name the format the bytes are.
    """
    extension = extension_of(filename or "")
    if extension is not None and extension not in _NAMED_BY_EXTENSION[found]:
        return "extension"
    media_type = media_type_of(declared_type)
    if media_type is not None and media_type not in _NAMED_BY_MEDIA_TYPE[found]:
        return "content_type"
    return None


@dataclass(frozen=True, slots=True)
class DocumentRequirement:
    """A document a service asks for (from the catalogue): its code, name and accepted formats."""

    code: str
    name: Bilingual
    required: bool = True
    # Which content types are accepted; the contract names none, so all three by default.
    formats: frozenset[DocumentFormat] = ALL_FORMATS


@dataclass(frozen=True, slots=True)
class OfferedDocument:
    """One file as received: under which document code, what its bytes say it is, and what it claims."""

    code: str
    format: DocumentFormat | None
    filename: str | None = None
    declared_type: str | None = None  # the part's Content-Type header


@dataclass(frozen=True, slots=True)
class DocumentError:
    code: str  # the document code (the multipart field name)
    # unknown_document | unsupported_type | type_mismatch | type_not_accepted | required
    problem: str


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
        elif disagreement(document.format, document.filename, document.declared_type):
            errors.append(DocumentError(document.code, "type_mismatch"))
        elif document.format not in requirement.formats:
            errors.append(DocumentError(document.code, "type_not_accepted"))
    if require_all:
        errors.extend(
            DocumentError(r.code, "required")
            for r in requirements
            if r.required and r.code not in present
        )
    return errors
