"""How much may still be refunded, and the check a refund request must pass.

The caller states the amount it *believes* refundable (what it was shown); when that is no
longer the current value, someone refunded in between and the request fails its
precondition (the API answers 412). Serialising concurrent requests is the service's job
(a row lock on the payment); these rules decide within one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass


class RefundRefused(ValueError):
    """A refund that can never be made as asked."""


class RefundPreconditionFailed(Exception):
    """The caller's "believed refundable" is not the current refundable amount (HTTP 412)."""

    def __init__(self, believed: int, current: int) -> None:
        super().__init__(f"refundable is {current} piasters, not {believed}")
        self.believed, self.current = believed, current


def refundable(paid: int, refunded: int) -> int:
    """Paid minus refunded so far (piasters)."""
    if paid < 0 or refunded < 0 or refunded > paid:
        raise ValueError("refunded cannot exceed paid, and neither is negative")
    return paid - refunded


@dataclass(frozen=True, slots=True)
class RefundPlan:
    amount: int  # piasters to refund now
    remaining: int  # still refundable afterwards

    @property
    def full(self) -> bool:
        """Whether this refund leaves nothing more to refund."""
        return self.remaining == 0


def plan_refund(*, paid: int, refunded: int, amount: int, believed_refundable: int) -> RefundPlan:
    """Check a refund of ``amount`` against what remains; raise, or say what remains after.

    Order of checks: the amount must be positive; the caller's belief must be current
    (:class:`RefundPreconditionFailed`); the amount may not exceed what remains.
    """
    if amount <= 0:
        raise RefundRefused("a refund is a positive amount")
    current = refundable(paid, refunded)
    if believed_refundable != current:
        raise RefundPreconditionFailed(believed_refundable, current)
    if amount > current:
        raise RefundRefused(f"only {current} piasters remain refundable")
    return RefundPlan(amount=amount, remaining=current - amount)
