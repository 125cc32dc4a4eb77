from mahaliyat.migrations import run_env
from notification_service.models import NotificationBase

run_env(NotificationBase.metadata)
