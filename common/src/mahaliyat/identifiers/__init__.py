"""Egyptian identifiers: national IDs, mobile numbers, governorate codes (no service's rules).

Every service reads them through here, so a number one service accepts every other
accepts too (tests/common/test_identifiers_everywhere.py). Parsers raise
:class:`InvalidIdentifier` whose ``code`` is one of :data:`CODES`.
"""

from mahaliyat.identifiers.errors import InvalidIdentifier
from mahaliyat.identifiers.governorates import (
    BORN_ABROAD,
    GOVERNORATE_CODES,
    GOVERNORATES,
    NATIONAL_ID_GOVERNORATE_CODES,
    Governorate,
)
from mahaliyat.identifiers.mobile import (
    MOBILE_PREFIXES,
    is_mobile,
    mask_mobile,
    national_form,
    parse_mobile,
    same_mobile,
)
from mahaliyat.identifiers.national_id import (
    NationalId,
    Sex,
    latest_date_anywhere,
    parse_national_id,
)
from mahaliyat.identifiers.types import MobileNumber, NationalIdNumber

# Every code InvalidIdentifier carries (docs/contracts.md, "Problem codes" → "Identifiers").
CODES = frozenset(
    {
        "national_id_format",
        "national_id_century",
        "national_id_birth_date",
        "national_id_governorate",
        "mobile_format",
    }
)

__all__ = [
    "BORN_ABROAD",
    "CODES",
    "GOVERNORATES",
    "GOVERNORATE_CODES",
    "MOBILE_PREFIXES",
    "NATIONAL_ID_GOVERNORATE_CODES",
    "Governorate",
    "InvalidIdentifier",
    "MobileNumber",
    "NationalId",
    "NationalIdNumber",
    "Sex",
    "is_mobile",
    "latest_date_anywhere",
    "mask_mobile",
    "national_form",
    "parse_mobile",
    "parse_national_id",
    "same_mobile",
]
