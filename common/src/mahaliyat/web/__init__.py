"""Web: the app factory every service is built with, problem+json, request context."""

from mahaliyat.web.app import Session, create_service_app, get_runtime, unit_of_work
from mahaliyat.web.problems import Problem, field_error

__all__ = ["Problem", "Session", "create_service_app", "field_error", "get_runtime", "unit_of_work"]
