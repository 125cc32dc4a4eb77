"""The one error every identifier parser raises, with a stable snake_case code."""

from __future__ import annotations


class InvalidIdentifier(ValueError):
    """``code`` is stable (docs/contracts.md, "Problem codes"); the messages are for people."""

    def __init__(self, code: str, message_ar: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_ar = message_ar
        self.message_en = message_en
