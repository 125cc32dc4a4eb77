"""Events identity-service publishes (docs/contracts.md, docs/identity.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from mahaliyat import context
from mahaliyat.events import CloudEvent

SOURCE = "/identity"
OTP_REQUESTED = "identity.otp.requested"


def otp_requested(
    *,
    challenge_id: uuid.UUID,
    phone: str,
    language: str,
    code_ciphertext: str,
    expires_at: datetime,
) -> CloudEvent:
    """Ask notification-service to text a one-time code; the code travels encrypted only."""
    return CloudEvent(
        source=SOURCE,
        type=OTP_REQUESTED,
        subject=str(challenge_id),
        requestid=context.request_id.get(),
        data={
            "challenge_id": str(challenge_id),
            "phone": phone,
            "language": language,
            "code_ciphertext": code_ciphertext,
            "expires_at": expires_at.isoformat(),
        },
    )
