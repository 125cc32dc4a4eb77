from mahaliyat.migrations import run_env
from request_service.models import RequestBase

run_env(RequestBase.metadata)
