from mahaliyat.migrations import run_env
from payment_service.models import PaymentBase

run_env(PaymentBase.metadata)
