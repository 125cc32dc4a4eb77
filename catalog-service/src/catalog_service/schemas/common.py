"""What every schema module shares: bilingual text, digits as people type them, query models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from mahaliyat.digits import to_ascii_digits


def _latin_digits(value: object) -> object:
    return to_ascii_digits(value.strip()) if isinstance(value, str) else value


# An integer as people type it: Arabic-Indic digits read (``?limit=١٠`` is 10). Use it for
# every integer query or path parameter (ARCHITECTURE rule 6).
Integer = Annotated[int, BeforeValidator(_latin_digits)]


class Bilingual(BaseModel):
    ar: str
    en: str


class CodeName(BaseModel):
    code: str
    name: Bilingual


# Query parameters are validated as one model (see api/params.py).
class QueryModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class PageQuery(QueryModel):
    lang: Literal["ar", "en"] | None = Field(
        default=None, description="page language; default from Accept-Language, else Arabic"
    )


# Administrators' input: trimmed, never empty, bounded.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,59}$")]


class BilingualIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ar: Text
    en: Text


class LongBilingualIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ar: LongText
    en: LongText


# Lists are sliced from the in-memory snapshot and cached per query: a smaller bound than the
# kernel's MAX_OFFSET keeps the cache from holding pages nobody reaches.
CATALOG_MAX_OFFSET = 10_000
