"""Refusals shared by several use cases."""

from __future__ import annotations

from mahaliyat.problems import Problem
from request_service.catalogue import CatalogueUnavailable
from request_service.models import Application


def catalogue_down(exc: CatalogueUnavailable) -> Problem:
    return Problem(503, "catalogue_unavailable", "the service catalogue cannot be read now")


def check_version(application: Application, expected: int) -> None:
    """412 when the caller's If-Match names an older (or newer) version."""
    if application.version != expected:
        raise Problem(
            412,
            "version_mismatch",
            f"the application changed since you read it (now version {application.version})",
            headers={"ETag": f'"{application.version}"'},
        )
