"""Notifications service (الإشعارات): Arabic-first SMS from events, providers with failover, delivery receipts and status inquiry by SMS."""
