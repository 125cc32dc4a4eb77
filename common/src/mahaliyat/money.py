"""Money is integer piasters (EGP × 100); floats never hold an amount.

Pure, so that domain code may use it; its column type is :class:`mahaliyat.db.MoneyType`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mahaliyat.digits import to_arabic_digits


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in Egyptian pounds, held as whole piasters."""

    piasters: int

    def __post_init__(self) -> None:
        if not isinstance(self.piasters, int) or isinstance(self.piasters, bool):
            raise TypeError("Money holds integer piasters")

    @classmethod
    def egp(cls, pounds: int | str | Decimal) -> Money:
        """From pounds, rounding half up to the piaster (``Money.egp("12.345")`` → 1235)."""
        value = (Decimal(pounds) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return cls(int(value))

    def __add__(self, other: Money) -> Money:
        return Money(self.piasters + other.piasters)

    def __sub__(self, other: Money) -> Money:
        return Money(self.piasters - other.piasters)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int):
            raise TypeError("multiply Money by an integer; round rates explicitly")
        return Money(self.piasters * factor)

    def format(self, language: str = "ar") -> str:
        pounds, piasters = divmod(abs(self.piasters), 100)
        sign = "-" if self.piasters < 0 else ""
        text = f"{sign}{pounds:,}.{piasters:02d}"
        if language == "ar":
            return to_arabic_digits(text.replace(",", "٬").replace(".", "٫")) + " ج.م"
        return f"EGP {text}"
