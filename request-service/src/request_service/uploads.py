"""Reading a multipart upload as a stream: files go to a staging directory, hashed as they arrive.

Reading stops at the first file past the size limit, the first file past the
count limit, or the first byte past the limit on all files together; nothing is
kept from a refused upload. Staged files are moved into
the document store only once the whole application has been accepted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from mahaliyat.problems import Problem, field_error
from mahaliyat.web.bodies import decode_text, parse_json_body, parse_json_text
from request_service.domain.documents import SNIFF_BYTES, DocumentFormat, sniff

MAX_FIELD_BYTES = 256 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class StagedFile:
    field: str  # the document code it was sent under
    filename: str
    path: Path
    size: int
    sha256: str
    format: DocumentFormat | None
    declared_type: str | None = None  # the part's Content-Type header, as sent


@dataclass
class Upload:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[StagedFile] = field(default_factory=list)

    def discard(self) -> None:
        """Remove staged files that were not moved into the store."""
        for staged in self.files:
            staged.path.unlink(missing_ok=True)

    def fingerprint_parts(self) -> list[tuple[str, str, str]]:
        return sorted((f.field, f.filename, f.sha256) for f in self.files)


def safe_filename(raw: str) -> str:
    name = _UNSAFE_NAME.sub("_", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    return name[:200] or "document"


def _too_large(name: str, limit: int) -> Problem:
    return Problem(
        422,
        "document_too_large",
        f"each document may be at most {limit} bytes",
        errors=[field_error(name, "too_large", f"larger than {limit} bytes", "documents")],
    )


def total_too_large(limit: int) -> Problem:
    return Problem(
        422,
        "documents_too_large",
        f"an application's documents may be at most {limit} bytes together",
        errors=[
            field_error(
                "documents", "total_too_large", f"more than {limit} bytes together", "documents"
            )
        ],
    )


class _Reader:
    """python-multipart callbacks writing file parts to staging files."""

    def __init__(
        self, staging: Path, max_file_bytes: int, max_files: int, max_total_bytes: int
    ) -> None:
        self.staging = staging
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self.max_total_bytes = max_total_bytes
        self._total = 0
        self.upload = Upload()
        self._headers: dict[str, str] = {}
        self._header_field = b""
        self._header_value = b""
        self._name = ""
        self._filename: str | None = None
        self._buffer = bytearray()
        self._file: IO[bytes] | None = None
        self._file_path: Path | None = None
        self._hash: Any = None
        self._size = 0
        self._head = b""

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._header_field = self._header_value = b""

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_field.decode("latin-1").lower()] = self._header_value.decode(
            "latin-1"
        )
        self._header_field = self._header_value = b""

    def headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get("content-disposition", ""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = params.get(b"filename")
        self._filename = None if raw_filename is None else raw_filename.decode("utf-8", "replace")
        self._buffer = bytearray()
        if self._filename is None:
            return
        if len(self.upload.files) >= self.max_files:
            raise Problem(
                422,
                "too_many_documents",
                f"at most {self.max_files} documents per application",
                errors=[field_error(self._name, "too_many", "too many documents", "documents")],
            )
        descriptor, name = tempfile.mkstemp(dir=self.staging, prefix="upload-")
        self._file_path = Path(name)
        self._file = os.fdopen(descriptor, "wb")
        # The staged file is recorded at once so that discard() removes it even mid-part.
        self.upload.files.append(
            StagedFile(
                self._name,
                safe_filename(self._filename),
                self._file_path,
                0,
                "",
                None,
                self._headers.get("content-type"),
            )
        )
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = b""

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._file is None:
            self._buffer += chunk
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise Problem(
                    422,
                    "field_too_large",
                    errors=[field_error(self._name, "too_large", "field too large")],
                )
            return
        self._size += len(chunk)
        self._total += len(chunk)
        if self._size > self.max_file_bytes:
            raise _too_large(self._name, self.max_file_bytes)
        if self._total > self.max_total_bytes:
            raise total_too_large(self.max_total_bytes)
        if len(self._head) < SNIFF_BYTES:
            self._head += chunk[: SNIFF_BYTES - len(self._head)]
        self._hash.update(chunk)
        self._file.write(chunk)

    def part_end(self) -> None:
        if self._file is None:
            if self._name in self.upload.fields:
                raise Problem(
                    422,
                    "duplicate_field",
                    errors=[field_error(self._name, "duplicate", "sent twice")],
                )
            # Strict UTF-8 and no NUL: a field is stored as sent or refused, never repaired.
            self.upload.fields[self._name] = decode_text(bytes(self._buffer), self._name)
            return
        self._file.close()
        self._file = None
        staged = self.upload.files[-1]
        staged.size = self._size
        staged.sha256 = self._hash.hexdigest()
        staged.format = sniff(self._head)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self.upload.discard()


async def read_multipart(
    request: Request, staging: Path, *, max_file_bytes: int, max_files: int, max_total_bytes: int
) -> Upload:
    """Stream the request body through the parser; raise a 4xx Problem for a refused upload."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise Problem(400, "bad_multipart", "multipart/form-data needs a boundary")
    staging.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 -- once per upload, local
    reader = _Reader(staging, max_file_bytes, max_files, max_total_bytes)
    parser = MultipartParser(boundary, reader.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        reader.abort()
        raise Problem(400, "bad_multipart", "the multipart body is malformed") from exc
    except BaseException:
        reader.abort()
        raise
    return reader.upload


async def read_json_object(request: Request, limit: int = MAX_FIELD_BYTES) -> dict[str, Any]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Problem(413, "payload_too_large", f"a JSON body may be at most {limit} bytes")
    return _object(parse_json_body(body), "body")


def parse_json_object(text: str, where: str) -> dict[str, Any]:
    """A JSON object sent as a multipart field: the kernel's rules (depth, NUL, numbers)."""
    return _object(parse_json_text(text, where=where), where)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Problem(
            422, "invalid_json", errors=[field_error(where, "not_an_object", "expected an object")]
        )
    return value


def staging_cleanup(upload: Upload | None) -> None:
    if upload is not None:
        with contextlib.suppress(OSError):
            upload.discard()
