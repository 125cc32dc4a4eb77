"""Refusals shared by several use cases."""

from __future__ import annotations

from mahaliyat.problems import Problem
from request_service.catalogue import CatalogueUnavailable
from request_service.models import Application
from request_service.storage import DocumentStoreError


def catalogue_down(exc: CatalogueUnavailable) -> Problem:
    return Problem(503, "catalogue_unavailable", "the service catalogue cannot be read now")


def store_down(exc: DocumentStoreError) -> Problem:
    """The document store cannot be reached: a retry later may work, nothing was filed."""
    return Problem(
        503,
        "document_store_unavailable",
        "the document store cannot be reached now; try again shortly",
        headers={"Retry-After": "5"},
    )


def check_version(application: Application, expected: int) -> None:
    """412 when the caller's If-Match names an older (or newer) version."""
    if application.version != expected:
        raise Problem(
            412,
            "version_mismatch",
            f"the application changed since you read it (now version {application.version})",
            headers={"ETag": f'"{application.version}"'},
        )
