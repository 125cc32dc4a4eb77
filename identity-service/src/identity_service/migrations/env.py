from identity_service.models import IdentityBase
from mahaliyat.migrations import run_env

run_env(IdentityBase.metadata)
