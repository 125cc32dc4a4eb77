"""Pydantic field types: a bad value is a 422 naming the field with the identifier's code.

``phone: MobileNumber`` holds the E.164 form after validation; ``national_id:
NationalIdNumber`` the 14 ASCII digits. The field error's ``code`` is the stable
code (``mobile_format``, ``national_id_*``) and its message follows the request's
language. The birth date of a ``NationalIdNumber`` is only checked against the
latest date anywhere: a service that knows its local date (from its clock) checks
it again with ``parse_national_id(value, today)``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from mahaliyat import context
from mahaliyat.identifiers.errors import InvalidIdentifier
from mahaliyat.identifiers.mobile import parse_mobile
from mahaliyat.identifiers.national_id import parse_national_id


def _pydantic_error(exc: InvalidIdentifier) -> PydanticCustomError:
    message = exc.message_en if context.language.get() == "en" else exc.message_ar
    # The message is a template: braces in it would be read as placeholders.
    return PydanticCustomError(exc.code, message.replace("{", "(").replace("}", ")"))


def _mobile(value: str) -> str:
    try:
        return parse_mobile(value)
    except InvalidIdentifier as exc:
        raise _pydantic_error(exc) from None


def _national_id(value: str) -> str:
    try:
        return parse_national_id(value).number
    except InvalidIdentifier as exc:
        raise _pydantic_error(exc) from None


MobileNumber = Annotated[str, AfterValidator(_mobile)]
NationalIdNumber = Annotated[str, AfterValidator(_national_id)]
