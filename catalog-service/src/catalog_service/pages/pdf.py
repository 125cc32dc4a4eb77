"""The unified guide as PDF: fpdf2 with HarfBuzz shaping, so Arabic letters join and run right to left.

Arabic TTFs carry no Latin letters, so a Latin font is registered as the fallback
(and as the main font for the English guide). Rendering the national guide takes
seconds; callers run it in a worker thread and keep the bytes per generation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from catalog_service.pages.views import GuideView, Language, ServiceView, digits, say

_INK = (29, 39, 51)
_BRAND = (11, 93, 59)
_MUTED = (91, 102, 115)


@dataclass(frozen=True, slots=True)
class Fonts:
    arabic: Path
    latin: Path | None


def first_existing(explicit: Path | None, candidates: Sequence[Path]) -> Path | None:
    """``explicit`` when set (and present), else the first candidate that exists."""
    if explicit is not None:
        return explicit if explicit.is_file() else None
    return next((p for p in candidates if p.is_file()), None)


class _Guide(FPDF):
    def __init__(self, fonts: Fonts, lang: Language) -> None:
        super().__init__(format="A4")
        self.language: Language = lang
        self.set_auto_page_break(auto=True, margin=15)
        self.add_font("arabic", fname=str(fonts.arabic))
        main = "arabic"
        if fonts.latin is not None:
            self.add_font("latin", fname=str(fonts.latin))
            main = "latin" if lang == "en" else "arabic"
            self.set_fallback_fonts(["arabic" if main == "latin" else "latin"])
        self.main_font = main
        self.set_text_shaping(True)
        self.align = "R" if lang == "ar" else "L"
        self._widths: dict[tuple[str, float, str], float] = {}

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.main_font, size=8)
        self.set_text_color(*_MUTED)
        self.cell(0, 6, str(self.page_no()), align="C")

    def _select_font_on_page(self) -> None:
        """Select the main font for the page outside any text object before a line.

        fpdf2 (2.8) selects it inside the line's own ``q … Q`` when the line starts with a
        fallback-font fragment (an RTL line opening on a Latin code), then believes the page
        has it: the page's next lines are shown with no font, which viewers such as poppler
        drop. Selecting it here, where fpdf2 itself would, keeps every line's font.
        """
        if not self.current_font_is_set_on_page and self.current_font is not None:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))

    def _width(self, word: str) -> float:
        key = (self.font_family, self.font_size_pt, word)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(word)
        return width

    def _wrapped(self, text: str) -> list[str]:
        """Greedy word wrap measuring each word once: fpdf2's own line breaking re-shapes
        the growing line for every character, which makes the national guide slow."""
        room = self.epw
        space = self._width(" ")
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line: list[str] = []
            used = 0.0
            for word in paragraph.split():
                width = self._width(word)
                if line and used + space + width > room:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                used += width + (space if line else 0.0)
                line.append(word)
            lines.append(" ".join(line))
        return lines

    def line_of(
        self, text: str, size: float, colour: tuple[int, int, int] = _INK, gap: float = 0
    ) -> None:
        self.set_font(self.main_font, size=size)
        self.set_text_color(*colour)
        height = size * 0.55
        for line in self._wrapped(text):
            if self.will_page_break(height):
                self.add_page()  # here, not inside the cell: the font is selected after it
            self._select_font_on_page()
            self.cell(0, height, line, align=self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if gap:
            self.ln(gap)

    def service(self, s: ServiceView) -> None:
        lang = self.language
        self.line_of(f"{s.name} ({s.code})", 12, _INK, 0.5)
        self.line_of(f"{say('sla', lang)}: {s.sla}", 9, _MUTED)
        self.line_of(s.description, 9)
        self.line_of(say("steps", lang), 10, _BRAND)
        for i, step in enumerate(s.steps, start=1):
            self.line_of(f"{digits(i, lang)}. {step}", 9)
        self.line_of(say("documents", lang), 10, _BRAND)
        for name, required in s.documents:
            self.line_of(f"• {name}" + ("" if required else f" ({say('optional', lang)})"), 9)
        self.line_of(say("fees", lang), 10, _BRAND)
        if not s.fees:
            self.line_of(say("free", lang), 9)
        for fee in s.fees:
            self.line_of(f"{fee.name}: {fee.text}", 9)
        if s.total:
            self.line_of(f"{say('total', lang)}: {s.total}", 9)
        self.ln(3)


def guide_pdf(view: GuideView, lang: Language, fonts: Fonts) -> bytes:
    pdf = _Guide(fonts, lang)
    pdf.set_title(view.title)
    pdf.set_lang(lang)
    pdf.set_creator("Mahaliyat catalog-service")
    pdf.add_page()
    pdf.line_of(view.title, 16, _BRAND, 1)
    pdf.line_of(f"{view.fees_note} · {view.on}", 10, _MUTED, 4)
    for category in view.categories:
        pdf.line_of(category.name, 14, _BRAND, 2)
        for service in category.services:
            pdf.service(service)
    return bytes(pdf.output())
