"""Web: the app factory every service is built with, problem+json, request context."""

from mahaliyat.problems import Problem, field_error
from mahaliyat.web.app import Session, create_service_app, get_runtime, unit_of_work

__all__ = ["Problem", "Session", "create_service_app", "field_error", "get_runtime", "unit_of_work"]
