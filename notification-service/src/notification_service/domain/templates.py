"""SMS templates with named placeholders: ``{tracking_number}``; ``{{`` and ``}}`` are literal braces.

Rendering refuses a missing value (:class:`MissingValues`). Values the template
does not use are ignored by default, because an event carries more fields than
any one message needs; a caller that names the values itself (the send API)
asks for ``unused="refuse"`` so that a misspelt name is reported instead of
being silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# A template key: dotted lower-case names, an event type or event type + "." + variant.
TEMPLATE_KEY = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
# Templates only the platform itself sends: nobody may send an "OTP" or an inquiry reply.
PLATFORM_ONLY_PREFIXES = ("identity.", "inbound.")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    """A template or its values do not fit together."""


class TemplateSyntaxError(TemplateError):
    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"{message} at character {position}")
        self.position = position


class MissingValues(TemplateError):
    def __init__(self, names: Collection[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__("no value for placeholder(s): " + ", ".join(self.names))


class UnusedValues(TemplateError):
    def __init__(self, names: Collection[str]) -> None:
        self.names = tuple(sorted(names))
        super().__init__("the template has no placeholder(s): " + ", ".join(self.names))


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str  # literal text, or the placeholder name when ``is_placeholder``
    is_placeholder: bool


def _parse(template: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            pieces.append(_Piece(template[position : match.start()], False))
        token = match.group(0)
        if token in ("{{", "}}"):
            pieces.append(_Piece(token[0], False))
        elif token in ("{", "}"):
            raise TemplateSyntaxError(match.start(), f"unmatched {token!r} (write {token * 2})")
        else:
            name = match.group(1)
            if not NAME.match(name):
                raise TemplateSyntaxError(
                    match.start(),
                    f"placeholder {{{name}}} must be a lower-case name such as {{tracking_number}}",
                )
            pieces.append(_Piece(name, True))
        position = match.end()
    if position < len(template):
        pieces.append(_Piece(template[position:], False))
    return pieces


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names in order of first use; raises :class:`TemplateSyntaxError`."""
    seen: dict[str, None] = {}
    for piece in _parse(template):
        if piece.is_placeholder:
            seen.setdefault(piece.text, None)
    return tuple(seen)


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def render(
    template: str,
    values: Mapping[str, str],
    *,
    unused: Literal["ignore", "refuse"] = "ignore",
    keep: Collection[str] = (),
) -> str:
    """Fill every placeholder from ``values``.

    ``keep`` names placeholders to leave in place: the result is then itself a
    template (literal braces escaped again) to be rendered later with only
    those values — how an OTP message is stored before its code is known.
    """
    pieces = _parse(template)
    names = {p.text for p in pieces if p.is_placeholder}
    missing = names - set(values) - set(keep)
    if missing:
        raise MissingValues(missing)
    if unused == "refuse":
        extra = set(values) - names
        if extra:
            raise UnusedValues(extra)
    partial = bool(keep)
    out: list[str] = []
    for piece in pieces:
        if not piece.is_placeholder:
            out.append(_escape(piece.text) if partial else piece.text)
        elif piece.text in keep:
            out.append("{" + piece.text + "}")
        else:
            value = values[piece.text]
            out.append(_escape(value) if partial else value)
    return "".join(out)
