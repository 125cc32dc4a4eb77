from licensing_service.models import LicensingBase
from mahaliyat.migrations import run_env

run_env(LicensingBase.metadata)
