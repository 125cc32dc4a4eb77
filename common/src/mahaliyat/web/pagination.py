"""Paging a list endpoint: one bounded ``limit`` and ``offset`` for every service.

``limit`` is 1..its endpoint's maximum, ``offset`` 0..``MAX_OFFSET`` (or a smaller bound the
endpoint gives); anything else, a number past 2^63 included, is a 422 naming the parameter
before a query is built. Digits may be Arabic-Indic (``?limit=٢٠``).

    Page = Annotated[PageParams, Depends(paging(default_limit=20, max_limit=100))]

    async def mine(page: Page) -> ...: ... page.limit, page.offset

A list paged by a cursor takes only ``limiting(default, maximum)``. Query models validated in
one call (catalog-service) use ``limit_field`` and ``offset_field`` for the same bounds.
"""

# No ``from __future__ import annotations``: FastAPI reads the bounds from the annotations of
# the functions built below, which name their enclosing arguments.

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BeforeValidator, Field

from mahaliyat.digits import to_ascii_digits

# Far beyond any list a person pages through, far below what SQLite and PostgreSQL take.
MAX_OFFSET = 1_000_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _latin_digits(value: object) -> object:
    return to_ascii_digits(value.strip()) if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int


def paging(
    *, default_limit: int = DEFAULT_LIMIT, max_limit: int = MAX_LIMIT, max_offset: int = MAX_OFFSET
) -> Callable[..., PageParams]:
    """The dependency reading ``limit`` and ``offset`` with these bounds (documented in OpenAPI)."""
    if not 1 <= default_limit <= max_limit or max_offset < 0:
        raise ValueError("paging needs 1 <= default_limit <= max_limit and max_offset >= 0")

    def page_params(
        limit: Annotated[
            int,
            Query(ge=1, le=max_limit, description=f"at most {max_limit} items"),
            BeforeValidator(_latin_digits),
        ] = default_limit,
        offset: Annotated[
            int,
            Query(ge=0, le=max_offset, description="items to skip"),
            BeforeValidator(_latin_digits),
        ] = 0,
    ) -> PageParams:
        return PageParams(limit=limit, offset=offset)

    return page_params


def limiting(default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Callable[..., int]:
    """The dependency reading only ``limit`` (a list paged by a cursor, or a short list)."""
    if not 1 <= default <= maximum:
        raise ValueError("limiting needs 1 <= default <= maximum")

    def limit_param(
        limit: Annotated[
            int,
            Query(ge=1, le=maximum, description=f"at most {maximum} items"),
            BeforeValidator(_latin_digits),
        ] = default,
    ) -> int:
        return limit

    return limit_param


def limit_field(default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> Any:
    """``limit`` as a field of a pydantic query model, with the same bounds as ``limiting``."""
    return Field(default=default, ge=1, le=maximum)


def offset_field(maximum: int = MAX_OFFSET) -> Any:
    """``offset`` as a field of a pydantic query model, with the same bounds as ``paging``."""
    return Field(default=0, ge=0, le=maximum)


Page = Annotated[PageParams, Depends(paging())]
