"""Daily settlement files, and matching them against our succeeded attempts.

**The generic format** (:data:`GENERIC`): CSV, UTF-8 (a BOM is allowed), comma-separated,
a header row, then one row per settled payment::

    provider_reference,merchant_reference,amount,currency,paid_at
    963455678,01J...,123.45,EGP,2026-11-24T12:03:00+02:00

* ``provider_reference``: the provider's transaction id (required, unique in the file);
* ``merchant_reference``: our attempt's reference (may be empty);
* ``amount``: **Egyptian pounds with exactly two decimals** (``123.45``, ``5.00``);
* ``currency``: ISO 4217, ``EGP``;
* ``paid_at``: ISO 8601; without an offset it is Cairo local time.

Other columns are ignored. Providers' own files are read through a :class:`Profile`
naming their columns: :data:`FAWRY_LIKE` (``FawryRefNumber``, ``MerchantRefNumber``,
``PaymentAmount`` in pounds, ``Currency``, ``PaymentTime``) and :data:`PAYMOB_LIKE`
(``transaction_id``, ``merchant_order_id``, ``amount_cents`` in piasters, ``currency``,
``created_at``).

Parsing is strict: any bad row refuses the whole file, and every problem is reported with
its row number (the header is row 1, as a spreadsheet shows it) and column.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from mahaliyat.clock import CAIRO

FIELDS = ("provider_reference", "merchant_reference", "amount", "currency", "paid_at")
_POUNDS = re.compile(r"^\d+\.\d{2}$")
_PIASTERS = re.compile(r"^\d+$")


class AmountUnit(StrEnum):
    POUNDS = "pounds"  # "123.45", exactly two decimals
    PIASTERS = "piasters"  # "12345"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    columns: Mapping[str, str]  # our field → the file's header
    amount_unit: AmountUnit = AmountUnit.POUNDS


GENERIC = Profile("generic", {name: name for name in FIELDS})
FAWRY_LIKE = Profile(
    "fawry",
    {
        "provider_reference": "FawryRefNumber",
        "merchant_reference": "MerchantRefNumber",
        "amount": "PaymentAmount",
        "currency": "Currency",
        "paid_at": "PaymentTime",
    },
)
PAYMOB_LIKE = Profile(
    "paymob",
    {
        "provider_reference": "transaction_id",
        "merchant_reference": "merchant_order_id",
        "amount": "amount_cents",
        "currency": "currency",
        "paid_at": "created_at",
    },
    AmountUnit.PIASTERS,
)
PROFILES: dict[str, Profile] = {p.name: p for p in (GENERIC, FAWRY_LIKE, PAYMOB_LIKE)}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str  # the file's header name
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


class SettlementFileError(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class SettlementRow:
    row: int
    provider_reference: str
    merchant_reference: str | None
    amount: int  # piasters
    currency: str
    paid_at: datetime  # aware


def _amount(text: str, unit: AmountUnit) -> int:
    if unit is AmountUnit.PIASTERS:
        if not _PIASTERS.match(text):
            raise ValueError("whole piasters expected, e.g. 12345")
        return int(text)
    if not _POUNDS.match(text):
        raise ValueError("pounds with two decimals expected, e.g. 123.45")
    pounds, piasters = text.split(".")
    return int(pounds) * 100 + int(piasters)


def _moment(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    return value if value.tzinfo is not None else value.replace(tzinfo=CAIRO)


def _parse_row(
    number: int,
    cells: list[str],
    index: Mapping[str, int],
    profile: Profile,
    seen: Mapping[str, int],
) -> tuple[SettlementRow | None, list[RowError]]:
    errors: list[RowError] = []

    def cell(name: str) -> str:
        return cells[index[name]].strip()

    def bad(name: str, message: str) -> None:
        errors.append(RowError(number, profile.columns[name], message))

    reference = cell("provider_reference")
    if not reference:
        bad("provider_reference", "required")
    elif reference in seen:
        bad("provider_reference", f"repeats row {seen[reference]}")
    amount = 0
    try:
        amount = _amount(cell("amount"), profile.amount_unit)
    except ValueError as exc:
        bad("amount", str(exc))
    currency = cell("currency").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        bad("currency", "a three-letter currency code expected")
    paid_at = datetime.min
    try:
        paid_at = _moment(cell("paid_at"))
    except ValueError:
        bad("paid_at", "an ISO 8601 date and time expected")
    if errors:
        return None, errors
    row = SettlementRow(
        number, reference, cell("merchant_reference") or None, amount, currency, paid_at
    )
    return row, []


def parse_settlement(text: str, profile: Profile = GENERIC) -> list[SettlementRow]:
    """The rows of a settlement file, or :class:`SettlementFileError` listing every problem."""
    reader = csv.reader(_lines(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise SettlementFileError([RowError(1, "", "the file is empty")])
    header = [name.strip() for name in header]
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for ours, theirs in profile.columns.items():
        if theirs not in header:
            errors.append(RowError(1, theirs, "missing column"))
        else:
            index[ours] = header.index(theirs)
    if errors:
        raise SettlementFileError(errors)

    rows: list[SettlementRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(header):
            errors.append(RowError(number, "", f"{len(cells)} cells, the header has {len(header)}"))
            continue

        parsed, row_errors = _parse_row(number, cells, index, profile, seen)
        if parsed is None:
            errors.extend(row_errors)
            continue
        reference = parsed.provider_reference
        seen[reference] = number
        rows.append(parsed)
    if errors:
        raise SettlementFileError(errors)
    return rows


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OurPayment:
    """One of our succeeded attempts, as reconciliation sees it."""

    provider_reference: str | None
    merchant_reference: str
    amount: int  # piasters
    currency: str
    succeeded_at: datetime  # aware


class MatchKind(StrEnum):
    MATCHED = "matched"
    MISSING_OURS = "missing_on_our_side"  # in their file, no succeeded attempt of ours
    MISSING_THEIRS = "missing_on_their_side"  # ours succeeded, not in their file
    AMOUNT_DIFFERS = "amount_differs"  # both, but the amount or currency differs


@dataclass(frozen=True, slots=True)
class Match:
    kind: MatchKind
    ours: OurPayment | None
    theirs: SettlementRow | None


@dataclass(frozen=True, slots=True)
class Reconciliation:
    matches: tuple[Match, ...] = field(default=())

    def of(self, kind: MatchKind) -> list[Match]:
        return [m for m in self.matches if m.kind is kind]

    @property
    def clean(self) -> bool:
        return all(m.kind is MatchKind.MATCHED for m in self.matches)


def reconcile(ours: Iterable[OurPayment], theirs: Iterable[SettlementRow]) -> Reconciliation:
    """Match by provider reference, else by our merchant reference; each side used once."""
    pending = list(theirs)
    by_provider = {row.provider_reference: row for row in pending}
    by_merchant = {row.merchant_reference: row for row in pending if row.merchant_reference}
    used: set[int] = set()
    matches: list[Match] = []
    for payment in ours:
        row = by_provider.get(payment.provider_reference or "")
        if row is None or row.row in used:
            row = by_merchant.get(payment.merchant_reference)
        if row is None or row.row in used:
            matches.append(Match(MatchKind.MISSING_THEIRS, payment, None))
            continue
        used.add(row.row)
        same = row.amount == payment.amount and row.currency == payment.currency
        matches.append(Match(MatchKind.MATCHED if same else MatchKind.AMOUNT_DIFFERS, payment, row))
    matches.extend(Match(MatchKind.MISSING_OURS, None, r) for r in pending if r.row not in used)
    return Reconciliation(tuple(matches))


EXPORT_COLUMNS = (
    "result",
    "provider_reference",
    "merchant_reference",
    "our_amount",
    "their_amount",
    "currency",
    "file_row",
)


def export_csv(result: Reconciliation) -> str:
    """The reconciliation as CSV (amounts in pounds with two decimals), one line a match."""

    def pounds(piasters: int | None) -> str:
        return "" if piasters is None else f"{piasters // 100}.{piasters % 100:02d}"

    out = _Text()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for m in result.matches:
        writer.writerow(
            (
                m.kind.value,
                (m.theirs.provider_reference if m.theirs else None)
                or (m.ours.provider_reference if m.ours else "")
                or "",
                (m.ours.merchant_reference if m.ours else None)
                or (m.theirs.merchant_reference if m.theirs else "")
                or "",
                pounds(m.ours.amount if m.ours else None),
                pounds(m.theirs.amount if m.theirs else None),
                (m.ours.currency if m.ours else m.theirs.currency if m.theirs else ""),
                m.theirs.row if m.theirs else "",
            )
        )
    return "".join(out.parts)


def _lines(text: str) -> list[str]:
    """Lines with their ends, split only where CSV ends a record (a field may hold others)."""
    return [line + "\n" for line in text.split("\n")] if text else []


class _Text:
    """Where csv.writer writes: kept in memory, no file involved (domain/ does no I/O)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)


AddWorkingDays = Callable[[date, int], date]
"""``add(day, n)``: the working day ``n`` working days after ``day`` (the kernel calendar)."""


def unsettled(
    ours: Iterable[OurPayment],
    settled_references: Iterable[str],
    *,
    today: date,
    working_days: int,
    add_working_days: AddWorkingDays,
) -> list[OurPayment]:
    """Successes not yet in any settlement file more than ``working_days`` Cairo working days
    after the day they succeeded: listed from the day after
    ``add_working_days(succeeded_on, working_days)``. ``settled_references`` holds provider
    and merchant references seen in settlement files."""
    settled = set(settled_references)
    late: list[OurPayment] = []
    for payment in ours:
        if payment.merchant_reference in settled or (
            payment.provider_reference and payment.provider_reference in settled
        ):
            continue
        due = add_working_days(payment.succeeded_at.astimezone(CAIRO).date(), working_days)
        if today > due:
            late.append(payment)
    return late
