from kpi_service.models import KpiBase
from mahaliyat.migrations import run_env

run_env(KpiBase.metadata)
