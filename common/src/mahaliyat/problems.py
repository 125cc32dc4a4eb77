"""RFC 9457 problem details: every error a service returns, in one shape.

``{"type", "title", "status", "detail", "instance", "code", "request_id", "errors"}``,
served as ``application/problem+json``. ``code`` is stable and machine-readable;
``errors`` names each offending field. Titles follow Accept-Language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mahaliyat import context

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://mahaliyat.gov.eg/problems/"

_TITLES_AR: dict[int, str] = {
    400: "طلب غير صالح",
    401: "يلزم تسجيل الدخول",
    403: "غير مسموح",
    404: "غير موجود",
    405: "الطريقة غير مسموح بها",
    406: "صيغة غير مقبولة",
    409: "تعارض مع الحالة الحالية",
    410: "لم يعد متاحًا",
    412: "تم تعديل السجل منذ قراءته",
    413: "حجم الطلب أكبر من المسموح",
    415: "نوع المحتوى غير مدعوم",
    422: "بيانات غير صالحة",
    428: "يلزم إرسال رقم الإصدار",
    429: "طلبات كثيرة، حاول لاحقًا",
    500: "خطأ داخلي",
    502: "خدمة غير متاحة مؤقتًا",
    503: "الخدمة غير جاهزة",
    504: "انتهت مهلة الخدمة",
}

_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "gateway_timeout",
}


def title_for(status: int, language: str | None = None) -> str:
    language = language or context.language.get()
    if language == "ar" and status in _TITLES_AR:
        return _TITLES_AR[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Problem(Exception):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or code or str(status))
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.detail = detail
        self.title = title
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self, instance: str | None = None) -> dict[str, Any]:
        document: dict[str, Any] = {
            "type": PROBLEM_BASE + self.code.replace("_", "-"),
            "title": self.title or title_for(self.status),
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            document["detail"] = self.detail
        if instance:
            document["instance"] = instance
        rid = context.request_id.get()
        if rid:
            document["request_id"] = rid
        if self.errors:
            document["errors"] = self.errors
        document.update(self.extra)
        return document

    def response(self, instance: str | None = None) -> JSONResponse:
        return JSONResponse(
            self.body(instance),
            status_code=self.status,
            headers=self.headers,
            media_type=PROBLEM_JSON,
        )


def field_error(field: str, code: str, message: str, location: str = "body") -> dict[str, str]:
    return {"field": field, "location": location, "code": code, "message": message}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            # FastAPI puts the character position where a field name would be.
            errors.append(_malformed_json(error))
            continue
        loc = [str(part) for part in error.get("loc", ())]
        location = (
            loc[0] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else "body"
        )
        path = loc[1:] if loc and loc[0] == location else loc
        errors.append(
            field_error(
                ".".join(path) or location,
                str(error.get("type", "invalid")),
                str(error.get("msg", "invalid value")),
                location,
            )
        )
    return errors


def _malformed_json(error: Mapping[str, Any]) -> dict[str, str]:
    loc = tuple(error.get("loc", ()))
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = str((error.get("ctx") or {}).get("error", "")).strip()
    english = context.language.get() == "en"
    message = "The request body is not valid JSON" if english else "نص الطلب ليس JSON صالحًا"
    if reason:
        message += f": {reason}"
    if position is not None:
        message += f" (at character {position})" if english else f" (عند الحرف {position})"
    return field_error("body", "json_invalid", message + ".", "body")


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every HTTP and validation error into problem+json (500s are rendered by the middleware)."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return exc.response(request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail
            if isinstance(exc.detail, str) and exc.detail != HTTPStatus(exc.status_code).phrase
            else None
        )
        problem = Problem(exc.status_code, detail=detail, headers=exc.headers)
        return problem.response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problem = Problem(
            422,
            "validation_failed",
            "One or more fields are invalid."
            if context.language.get() == "en"
            else "بعض الحقول غير صالحة.",
            errors=_validation_errors(exc),
        )
        return problem.response(request.url.path)
