"""SMS providers behind one interface, and the pool that orders them and fails over."""

from notification_service.providers.base import (
    OutgoingSms,
    ProviderReceipt,
    SendResult,
    SmsProvider,
)
from notification_service.providers.pool import ProviderPool

__all__ = ["OutgoingSms", "ProviderPool", "ProviderReceipt", "SendResult", "SmsProvider"]
