"""Encoding and segment vectors: GSM-7 160/153 with two-septet extension characters, UCS-2 70/67."""

from __future__ import annotations

import pytest

from notification_service.domain.encoding import (
    MessageTooLong,
    checked_layout,
    detect_encoding,
    layout,
)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "gsm7", 0, 1),
        ("Your application is under review.", "gsm7", 33, 1),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),  # 2 × 153
        ("a" * 307, "gsm7", 307, 3),
        ("a" * 459, "gsm7", 459, 3),  # 3 × 153
        ("a" * 460, "gsm7", 460, 4),
        ("€" * 80, "gsm7", 160, 1),  # extension characters count twice
        ("€" * 81, "gsm7", 162, 2),
        ("{}[]~^|\\€", "gsm7", 18, 1),
        ("Café à Dokki, ñ ü Ø", "gsm7", 19, 1),  # accented letters of the basic table
        ("ا" * 70, "ucs2", 70, 1),
        ("ا" * 71, "ucs2", 71, 2),
        ("ا" * 134, "ucs2", 134, 2),  # 2 × 67
        ("ا" * 135, "ucs2", 135, 3),
        ("ا" * 201, "ucs2", 201, 3),  # 3 × 67
        ("ا" * 202, "ucs2", 202, 4),
        ("تم استلام طلبك", "ucs2", 14, 1),
        ("Application 21-26-0004217-9 قيد المراجعة", "ucs2", 40, 1),  # mixed: all UCS-2
        ("code ١٢٣", "ucs2", 8, 1),  # Arabic-Indic digits are not GSM-7
        ("coûte", "ucs2", 5, 1),  # û is not in the GSM-7 table
        ("😀", "ucs2", 2, 1),  # a surrogate pair is two code units
        ("😀" * 35, "ucs2", 70, 1),
        ("😀" * 36, "ucs2", 72, 2),
        ("👨‍👩‍👧", "ucs2", 8, 1),  # three emoji joined by two zero-width joiners
    ],
)
def test_segment_vectors(text: str, encoding: str, units: int, segments: int) -> None:
    result = layout(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, segments)
    assert "".join(result.parts) == text  # nothing replaced, nothing lost
    if encoding == "ucs2":
        assert result.units == utf16_units(text)


def test_multipart_gsm7_parts_hold_at_most_153_septets() -> None:
    result = layout("a" * 400)
    assert [len(p) for p in result.parts] == [153, 153, 94]


def test_an_extension_character_is_never_split_from_its_escape() -> None:
    text = "a" * 152 + "€" + "a" * 10  # the euro would straddle the 153rd septet
    result = layout(text)
    assert result.segments == 2
    assert result.parts[0] == "a" * 152
    assert result.parts[1].startswith("€")


def test_a_surrogate_pair_is_never_split_across_ucs2_parts() -> None:
    text = "ab" + "😀" * 35  # 72 code units; 67 would cut the 33rd emoji in half
    result = layout(text)
    assert result.segments == 2
    assert [utf16_units(p) for p in result.parts] == [66, 6]
    for part in result.parts:
        part.encode("utf-16-le")  # a lone surrogate would not encode


def test_ucs2_parts_hold_at_most_67_units() -> None:
    result = layout("م" * 150)
    assert [utf16_units(p) for p in result.parts] == [67, 67, 16]


def test_arabic_is_never_forced_into_gsm7() -> None:
    assert detect_encoding("Mahaliyat: " + "محليات") == "ucs2"
    assert detect_encoding("Mahaliyat") == "gsm7"


def test_maximum_length_is_refused_with_a_clear_error() -> None:
    assert checked_layout("ا" * (67 * 6), 6).segments == 6
    with pytest.raises(MessageTooLong) as refused:
        checked_layout("ا" * (67 * 6 + 1), 6)
    assert refused.value.segments == 7
    assert refused.value.maximum == 6
    assert "7 SMS segments" in str(refused.value)
