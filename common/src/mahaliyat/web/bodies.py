"""Reading what a client sends as text: JSON bodies, form and query values, multipart fields.

Every refusal is a 422 ``validation_failed`` problem whose ``errors`` name the body (or the
field) and say why, never a 500 and never a silent repair:

- ``utf8_invalid``: the bytes are not UTF-8 (overlong forms and encoded surrogates included);
- ``json_too_deep``: arrays and objects nested deeper than ``MAX_JSON_DEPTH``;
- ``json_invalid``: not JSON (``NaN`` and ``Infinity`` are not JSON either);
- ``number_out_of_range``: a number no float holds (``1e999``) or an integer of more digits
  than Python reads (4300);
- ``nul_character``: U+0000 in a key or a string value (PostgreSQL cannot store it);
- ``unpaired_surrogate``: a ``\\ud800``-style escape without its pair (not a character).

The depth is measured before parsing, without recursion, so no body reaches the parser's own
recursion limit.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

from mahaliyat import context
from mahaliyat.problems import Problem, field_error

MAX_JSON_DEPTH = 32

# A JSON string (escapes included) or one bracket; strings are skipped when counting depth.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset("[{")
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class InvalidJson(Problem):
    """The text is not JSON at all: the only refusal a service's own JSON parser can also make."""


def _say(english: str, arabic: str) -> str:
    return english if context.language.get() == "en" else arabic


def _refusal(field: str, code: str, message: str, location: str) -> Problem:
    return Problem(422, "validation_failed", errors=[field_error(field, code, message, location)])


def nul_problem(field: str, location: str = "body") -> Problem:
    return _refusal(
        field,
        "nul_character",
        _say("The NUL character (U+0000) is not allowed.", "حرف NUL ‏(U+0000) غير مسموح به."),
        location,
    )


def utf8_problem(field: str, location: str = "body") -> Problem:
    return _refusal(
        field,
        "utf8_invalid",
        _say("The text is not valid UTF-8.", "النص ليس UTF-8 صالحًا."),
        location,
    )


def surrogate_problem(field: str, location: str = "body") -> Problem:
    return _refusal(
        field,
        "unpaired_surrogate",
        _say(
            "An unpaired surrogate escape is not a character.",
            "رمز بديل (surrogate) غير مقترن ليس حرفًا.",
        ),
        location,
    )


def decode_text(raw: bytes, field: str, location: str = "body") -> str:
    """Strict UTF-8 with no NUL: what a text field may hold."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise utf8_problem(field, location) from None
    check_text(text, field, location)
    return text


def check_text(text: str, field: str, location: str = "body") -> None:
    """Refuse NUL and lone surrogates in a text value already decoded."""
    bad = _BAD_CHARACTER.search(text)
    if bad is None:
        return
    if bad.group() == "\x00":
        raise nul_problem(field, location)
    raise surrogate_problem(field, location)


def json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects nest deeper than ``max_depth`` (iterative, strings skipped)."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    depth = 0
    for match in _TOKEN.finditer(text):
        lexeme = match.group()
        if len(lexeme) != 1:  # a string
            continue
        if lexeme in _OPEN:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


class _Unrepresentable(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _Unrepresentable(name)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Unrepresentable(literal)
    return value


def parse_json_body(
    raw: bytes, *, where: str = "body", location: str = "body", max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """The JSON value of a request body: strict UTF-8 (a leading BOM is ignored, as RFC 8259
    allows), at most ``max_depth`` levels, no NUL or unpaired surrogate in any key or string."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise utf8_problem(where, location) from None
    return parse_json_text(
        text.removeprefix("\ufeff"), where=where, location=location, max_depth=max_depth
    )


def parse_json_text(
    text: str, *, where: str = "body", location: str = "body", max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """``parse_json_body`` for text already decoded (a multipart field)."""
    if "\x00" in text:
        # Not JSON (a raw control character), and a sign of UTF-16 or UTF-32 sent as UTF-8.
        raise nul_problem(where, location)
    if json_depth_exceeds(text, max_depth):
        raise _refusal(
            where,
            "json_too_deep",
            _say(
                f"Arrays and objects may be nested at most {max_depth} levels deep.",
                f"لا يجوز أن تتداخل المصفوفات والكائنات أكثر من {max_depth} مستوى.",
            ),
            location,
        )
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _Unrepresentable as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            # Python's parser reads them, so an endpoint would too: refused here, for good.
            problem = _invalid(where, location, f"{exc} is not JSON")
            raise Problem(422, "validation_failed", errors=problem.errors) from None
        raise _out_of_range(where, location) from None
    except json.JSONDecodeError as exc:
        raise _invalid(where, location, f"{exc.msg} (at character {exc.pos})") from None
    except ValueError:  # an integer literal longer than int() reads
        raise _out_of_range(where, location) from None
    if "\\u" in text:  # the only way a parsed string can hold NUL or a lone surrogate
        check_strings(value, where, location)
    return value


def _invalid(where: str, location: str, reason: str) -> InvalidJson:
    message = _say("The request body is not valid JSON", "نص الطلب ليس JSON صالحًا")
    return InvalidJson(
        422,
        "validation_failed",
        errors=[field_error(where, "json_invalid", f"{message}: {reason}.", location)],
    )


def _out_of_range(where: str, location: str) -> Problem:
    return _refusal(
        where,
        "number_out_of_range",
        _say("A number is too large to be read.", "رقم أكبر من أن يُقرأ."),
        location,
    )


def _path(base: str, parts: Iterable[str | int]) -> str:
    tail = ".".join(str(part) for part in parts)
    if base == "body":
        return tail or base
    return f"{base}.{tail}" if tail else base


def check_strings(value: Any, where: str = "body", location: str = "body") -> None:
    """Refuse NUL or an unpaired surrogate in any key or string of a parsed JSON value,
    naming its path (``applicant.name``, ``items.2``); iterative, so any depth is safe."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            _check_at(node, where, path, location)
        elif isinstance(node, dict):
            for key, item in node.items():
                shown = _BAD_CHARACTER.sub(_escaped, key)
                _check_at(key, where, (*path, shown), location)
                stack.append((item, (*path, shown)))
        elif isinstance(node, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(node))


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _check_at(text: str, where: str, path: tuple[str | int, ...], location: str) -> None:
    if _BAD_CHARACTER.search(text) is not None:
        check_text(text, _path(where, path), location)
