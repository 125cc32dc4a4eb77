"""Web: the app factory every service is built with, problem+json, request context, input rules."""

from mahaliyat.problems import Problem, field_error
from mahaliyat.web.app import Session, create_service_app, get_runtime, unit_of_work
from mahaliyat.web.bodies import MAX_JSON_DEPTH, decode_text, parse_json_body, parse_json_text
from mahaliyat.web.pagination import (
    MAX_OFFSET,
    Page,
    PageParams,
    limit_field,
    limiting,
    offset_field,
    paging,
)

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_OFFSET",
    "Page",
    "PageParams",
    "Problem",
    "Session",
    "create_service_app",
    "decode_text",
    "field_error",
    "get_runtime",
    "limit_field",
    "limiting",
    "offset_field",
    "paging",
    "parse_json_body",
    "parse_json_text",
    "unit_of_work",
]
