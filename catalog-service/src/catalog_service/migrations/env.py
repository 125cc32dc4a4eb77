from catalog_service.models import CatalogBase
from mahaliyat.migrations import run_env

run_env(CatalogBase.metadata)
