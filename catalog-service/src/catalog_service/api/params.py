"""Query parameters as one pydantic model per endpoint, validated in one call.

FastAPI's per-parameter validation (and each dependency) costs more than the rest
of a cached catalogue read, so read endpoints take the ``Request`` and validate a
model against the query string in one call (``deps.read_query``). A failure is the same ``RequestValidationError`` FastAPI
raises (422 naming each parameter); ``openapi(model)`` documents the parameters.
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def parse_query(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate(request.query_params)
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


def _inline(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _inline(definitions[ref.rsplit("/", 1)[-1]], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_inline(v, definitions) for v in schema]
    return schema


def openapi(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting the model's fields as query parameters."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.get("$defs", {})
    required = set(schema.get("required", ()))
    parameters = []
    for name, spec in schema["properties"].items():
        spec = _inline(spec, definitions)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in spec.items() if k not in ("description", "examples")},
        }
        if "description" in spec:
            parameter["description"] = spec["description"]
        if "examples" in spec:
            parameter["example"] = spec["examples"][0]
        parameters.append(parameter)
    return {"parameters": parameters}
