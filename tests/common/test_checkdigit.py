from __future__ import annotations

import itertools

from mahaliyat.checkdigit import damm, is_valid_damm
from mahaliyat.digits import to_ascii_digits


def test_known_vector() -> None:
    assert damm("572") == 4  # the algorithm's published example
    assert is_valid_damm("5724")


def test_catches_every_single_digit_error_and_adjacent_transposition() -> None:
    number = "21260004217"
    full = number + str(damm(number))
    assert is_valid_damm(full)
    for position, wrong in itertools.product(range(len(full)), "0123456789"):
        if full[position] != wrong:
            assert not is_valid_damm(full[:position] + wrong + full[position + 1 :])
    for position in range(len(full) - 1):
        swapped = full[:position] + full[position + 1] + full[position] + full[position + 2 :]
        if swapped != full:
            assert not is_valid_damm(swapped)


def test_arabic_indic_digits_are_read() -> None:
    assert to_ascii_digits("رقم ٢١-٢٦-۰۰۰٤") == "رقم 21-26-0004"
    assert not is_valid_damm("٥٧٢٤")  # the checker wants ASCII; normalise first
    assert is_valid_damm(to_ascii_digits("٥٧٢٤"))
