"""What a certificate's QR says, and its CBOR map (small integer keys to keep the QR small).

| key | field | CBOR type |
| --- | --- | --- |
| 1 | number (``PRM-…``/``LIC-…``, with governorate and year) | text |
| 2 | procedure (1 site suitability, 2 building permit, 3 shop standard, 4 temporary, 5 notification) | uint |
| 3 | holder's name | text |
| 4 | subject: the plot's or the premises' address, and the activity | text |
| 5 | licensing centre code (``21-03-F01``) | text |
| 6 | issued on, days since 1970-01-01 (RFC 8943 without the tag) | uint |
| 7 | valid until (last valid day), same; absent when there is no end date | uint |
| 8 | deemed approval (silence counted as acceptance); present only when true | true |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from licensing_service.domain.cases import Procedure
from licensing_service.domain.numbers import LicenceNumber, parse_licence_number

EPOCH = date(1970, 1, 1)
PROCEDURE_CODES: dict[Procedure, int] = {
    Procedure.SITE_SUITABILITY: 1,
    Procedure.BUILDING_PERMIT: 2,
    Procedure.SHOP_STANDARD: 3,
    Procedure.SHOP_TEMPORARY: 4,
    Procedure.SHOP_NOTIFICATION: 5,
}
_PROCEDURES = {code: procedure for procedure, code in PROCEDURE_CODES.items()}


@dataclass(frozen=True, slots=True)
class Certificate:
    number: LicenceNumber
    procedure: Procedure
    holder: str
    subject: str
    centre: str
    issued_on: date
    valid_until: date | None = None
    deemed: bool = False

    def is_expired_on(self, day: date) -> bool:
        return self.valid_until is not None and day > self.valid_until


class BadContent(ValueError):
    """A signed payload that is not a certificate of ours."""


def to_cbor_map(certificate: Certificate) -> dict[int, Any]:
    claims: dict[int, Any] = {
        1: str(certificate.number),
        2: PROCEDURE_CODES[certificate.procedure],
        3: certificate.holder,
        4: certificate.subject,
        5: certificate.centre,
        6: (certificate.issued_on - EPOCH).days,
    }
    if certificate.valid_until is not None:
        claims[7] = (certificate.valid_until - EPOCH).days
    if certificate.deemed:
        claims[8] = True
    return claims


def from_cbor_map(claims: object) -> Certificate:
    if not isinstance(claims, Mapping):
        raise BadContent("the payload is not a map")
    number = parse_licence_number(_text(claims, 1))
    procedure = _PROCEDURES.get(_uint(claims, 2))
    if number is None or procedure is None:
        raise BadContent("no such number or procedure")
    valid_until = _day(_uint(claims, 7)) if 7 in claims else None
    deemed = claims.get(8, False)
    if deemed is not True and deemed is not False:
        raise BadContent("field 8 is a boolean")
    return Certificate(
        number=number,
        procedure=procedure,
        holder=_text(claims, 3),
        subject=_text(claims, 4),
        centre=_text(claims, 5),
        issued_on=_day(_uint(claims, 6)),
        valid_until=valid_until,
        deemed=deemed,
    )


def _text(claims: Mapping[Any, Any], key: int) -> str:
    value = claims.get(key)
    if not isinstance(value, str):
        raise BadContent(f"field {key} is text")
    return value


def _uint(claims: Mapping[Any, Any], key: int) -> int:
    value = claims.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadContent(f"field {key} is an unsigned integer")
    return value


def _day(days: int) -> date:
    try:
        return EPOCH + timedelta(days=days)
    except OverflowError as error:
        raise BadContent("a date out of range") from error
