"""Double-entry journals: every money movement is a set of lines summing to zero.

A line's ``amount`` is signed piasters: positive is a debit, negative a credit. A
:class:`Journal` refuses to exist unbalanced, empty, with a zero line, or with one account
twice.

Accounts (``code`` is what storage keeps; ``str(account)`` is the same):

==================  ==========================================  ===========================
kind                code                                        what it holds
==================  ==========================================  ===========================
provider clearing   ``clearing:<provider>``                     owed to us by a provider
                                                                until its settlement arrives
till cash           ``till:<centre>``                           cash in a centre's tills
cash over/short     ``over_short:<centre>``                     till differences at close
refunds payable     ``refunds_payable``                         refunds approved, not paid
revenue             ``revenue:<service>:<centre>:<governorate>`` what the state earned
==================  ==========================================  ===========================

Revenue is credited when a payment succeeds and debited when a refund is approved, so the
revenue of a centre on a day is its payments minus its refunds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    PROVIDER_CLEARING = "clearing"
    TILL_CASH = "till"
    CASH_OVER_SHORT = "over_short"
    REFUNDS_PAYABLE = "refunds_payable"
    REVENUE = "revenue"


_PARTS = {
    AccountKind.PROVIDER_CLEARING: 1,
    AccountKind.TILL_CASH: 1,
    AccountKind.CASH_OVER_SHORT: 1,
    AccountKind.REFUNDS_PAYABLE: 0,
    AccountKind.REVENUE: 3,
}


@dataclass(frozen=True, slots=True, order=True)
class Account:
    kind: AccountKind
    parts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.parts) != _PARTS[self.kind]:
            raise ValueError(f"a {self.kind} account has {_PARTS[self.kind]} parts")
        if any(not part or ":" in part for part in self.parts):
            raise ValueError("account parts are non-empty and hold no ':'")

    @property
    def code(self) -> str:
        return ":".join((self.kind.value, *self.parts))

    def __str__(self) -> str:
        return self.code

    @classmethod
    def parse(cls, code: str) -> Account:
        kind, *parts = code.split(":")
        return cls(AccountKind(kind), tuple(parts))


def provider_clearing(provider: str) -> Account:
    return Account(AccountKind.PROVIDER_CLEARING, (provider,))


def till_cash(centre: str) -> Account:
    return Account(AccountKind.TILL_CASH, (centre,))


def cash_over_short(centre: str) -> Account:
    return Account(AccountKind.CASH_OVER_SHORT, (centre,))


REFUNDS_PAYABLE = Account(AccountKind.REFUNDS_PAYABLE)


def revenue(service: str, centre: str, governorate: str) -> Account:
    return Account(AccountKind.REVENUE, (service, centre, governorate))


class UnbalancedJournal(ValueError):
    """Lines that do not make a journal."""


@dataclass(frozen=True, slots=True)
class Line:
    account: Account
    amount: int  # piasters: > 0 debit, < 0 credit

    @property
    def debit(self) -> int:
        return max(self.amount, 0)

    @property
    def credit(self) -> int:
        return max(-self.amount, 0)


@dataclass(frozen=True, slots=True)
class Journal:
    memo: str
    lines: tuple[Line, ...]

    def __post_init__(self) -> None:
        if len(self.lines) < 2:
            raise UnbalancedJournal("a journal has at least two lines")
        if any(not isinstance(line.amount, int) or line.amount == 0 for line in self.lines):
            raise UnbalancedJournal("every line moves a non-zero integer amount")
        if len({line.account for line in self.lines}) != len(self.lines):
            raise UnbalancedJournal("an account appears once in a journal")
        total = sum(line.amount for line in self.lines)
        if total != 0:
            raise UnbalancedJournal(f"debits and credits differ by {total} piasters")

    @property
    def total(self) -> int:
        """The sum of the debits (equal to the sum of the credits)."""
        return sum(line.debit for line in self.lines)

    def amount_on(self, account: Account) -> int:
        return sum(line.amount for line in self.lines if line.account == account)


def balances(journals: Iterable[Journal]) -> dict[Account, int]:
    """Each account's signed balance (debit positive) over ``journals``."""
    result: dict[Account, int] = {}
    for journal in journals:
        for line in journal.lines:
            result[line.account] = result.get(line.account, 0) + line.amount
    return result


class Method(StrEnum):
    """How a citizen paid."""

    CARD = "card"  # hosted checkout
    WALLET = "wallet"  # mobile wallet, hosted checkout
    OUTLET = "outlet"  # cash at an outlet against a reference code
    COUNTER_CASH = "counter_cash"  # cash at a centre's counter, into a clerk's till
    COUNTER_POS = "counter_pos"  # a card on the counter's POS terminal


def debit_account_for(method: Method, *, provider: str, centre: str) -> Account:
    """Where the money of a successful payment sits until settled."""
    if method is Method.COUNTER_CASH:
        return till_cash(centre)
    return provider_clearing(provider)


def payment_succeeded(
    *,
    amount: int,
    method: Method,
    provider: str,
    service: str,
    centre: str,
    governorate: str,
    memo: str,
) -> Journal:
    """Dr clearing of the provider (or the centre's till for counter cash), Cr revenue."""
    if amount <= 0:
        raise UnbalancedJournal("a payment moves a positive amount")
    return Journal(
        memo,
        (
            Line(debit_account_for(method, provider=provider, centre=centre), amount),
            Line(revenue(service, centre, governorate), -amount),
        ),
    )


def refund_approved(
    *, amount: int, service: str, centre: str, governorate: str, memo: str
) -> Journal:
    """Dr revenue, Cr refunds payable: the state owes the citizen the money back."""
    if amount <= 0:
        raise UnbalancedJournal("a refund moves a positive amount")
    return Journal(
        memo, (Line(revenue(service, centre, governorate), amount), Line(REFUNDS_PAYABLE, -amount))
    )


def refund_paid(*, amount: int, paid_from: Account, memo: str) -> Journal:
    """Dr refunds payable, Cr where the money left: a provider's clearing (card, wallet), a
    till (cash at the counter) or a bank clearing account (``provider_clearing("bank")``)."""
    if amount <= 0:
        raise UnbalancedJournal("a refund moves a positive amount")
    return Journal(memo, (Line(REFUNDS_PAYABLE, amount), Line(paid_from, -amount)))


def till_difference(*, centre: str, expected: int, counted: int, memo: str) -> Journal | None:
    """The journal of a till closed with ``counted`` cash against ``expected``; None if equal.

    Over (counted > expected): Dr till cash, Cr cash over/short. Short: the reverse.
    """
    difference = counted - expected
    if difference == 0:
        return None
    return Journal(
        memo, (Line(till_cash(centre), difference), Line(cash_over_short(centre), -difference))
    )
