"""The text lines of a PDF as fpdf2 writes them, read with the standard library only.

No PDF reader is among the project's dependencies, and fpdf2's output is regular: page
objects name a content stream and a resources dictionary; fonts are Type0 with a
``ToUnicode`` CMap; text is shown with ``(…) Tj`` in two-byte glyph codes between ``BT`` and
``ET``, inside ``q … Q`` blocks that restore the font. Each ``BT … ET`` is one line. Text
shown where no font is selected fails an assertion: a viewer would not print it.

Lines come in visual order, as printed: an Arabic line reads right to left, so its
characters are reversed (runs of Latin letters and digits inside stay left to right).
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PAGE = re.compile(rb"/Type /Page\b(?!s)")
_OPERATOR = re.compile(
    rb"(?<![\w/])(q|Q|ET)(?![\w])|/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S
)
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _unescape(raw: bytes) -> bytes:
    """A PDF literal string's bytes (``\\)``, ``\\\\``, ``\\n``, octal ``\\ddd``)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        byte = raw[i]
        if byte != 0x5C:
            out.append(byte)
            i += 1
            continue
        i += 1
        escaped = raw[i]
        if escaped in _ESCAPES:
            out.append(_ESCAPES[escaped])
        elif 0x30 <= escaped <= 0x37:
            end = i
            while end < len(raw) and end < i + 3 and 0x30 <= raw[end] <= 0x37:
                end += 1
            out.append(int(raw[i:end], 8) & 0xFF)
            i = end
            continue
        elif escaped not in (0x0A, 0x0D):  # a backslash before a line break continues the line
            out.append(escaped)
        i += 1
    return bytes(out)


class _Pdf:
    def __init__(self, data: bytes) -> None:
        self.objects = {int(number): body for number, body in _OBJECT.findall(data)}

    def stream(self, number: int) -> bytes:
        body = self.objects[number]
        found = _STREAM.search(body)
        assert found is not None, f"object {number} has no stream"
        raw = found.group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream")[0] else raw

    def reference(self, body: bytes, key: bytes) -> int:
        found = re.search(rb"/" + key + rb" (\d+) 0 R", body)
        assert found is not None, f"no /{key.decode()} in {body[:80]!r}"
        return int(found.group(1))

    def to_unicode(self, font: int) -> dict[int, str]:
        cmap = self.stream(self.reference(self.objects[font], b"ToUnicode"))
        table: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, first in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for code in range(int(low, 16), int(high, 16) + 1):
                    table[code] = chr(int(first, 16) + code - int(low, 16))
        return table

    def pages(self) -> list[bytes]:
        return [
            body
            for _, body in sorted(self.objects.items())
            if _PAGE.search(body.split(b"stream")[0])
        ]


def pdf_lines(data: bytes) -> list[str]:
    """Every line of text, page after page, in visual order."""
    pdf = _Pdf(data)
    lines: list[str] = []
    for page in pdf.pages():
        resources = pdf.objects[pdf.reference(page, b"Resources")]
        fonts = {
            name: pdf.to_unicode(int(ref))
            for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", resources)
        }
        font: dict[int, str] | None = None  # none selected yet on this page
        saved: list[dict[int, str] | None] = []
        line: list[str] = []
        for match in _OPERATOR.finditer(pdf.stream(pdf.reference(page, b"Contents"))):
            operator, font_name, shown = match.groups()
            if operator == b"q":
                saved.append(font)
            elif operator == b"Q":
                font = saved.pop()
            elif operator == b"ET":
                if line:
                    lines.append("".join(line))
                line = []
            elif font_name is not None:
                font = fonts[font_name]
            elif shown is not None:
                # Text shown with no font: viewers drop it (poppler: "No font in show").
                assert font is not None, f"text with no font selected: {_unescape(shown)!r}"
                raw = _unescape(shown)
                line.append(
                    "".join(
                        font.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd")
                        for i in range(0, len(raw), 2)
                    )
                )
    return lines
