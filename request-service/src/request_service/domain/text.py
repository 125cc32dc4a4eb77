"""Bilingual text, Arabic first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Bilingual:
    ar: str
    en: str

    def pick(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.ar or self.en

    def as_dict(self) -> dict[str, str]:
        return {"ar": self.ar, "en": self.en}

    @classmethod
    def of(cls, value: Any) -> Bilingual:
        """From ``{"ar", "en"}`` (either may be missing; the other fills it) or a plain string."""
        if isinstance(value, str):
            return cls(value, value)
        if isinstance(value, Mapping):
            ar, en = value.get("ar"), value.get("en")
            ar = ar.strip() if isinstance(ar, str) else ""
            en = en.strip() if isinstance(en, str) else ""
            return cls(ar or en, en or ar)
        return cls("", "")

    def __bool__(self) -> bool:
        return bool(self.ar or self.en)
