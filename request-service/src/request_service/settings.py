"""Requests service settings: ``MAHALIYAT_REQUEST_*``, then the shared ``MAHALIYAT_*``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator

from mahaliyat.settings import ServiceSettings


class RequestSettings(ServiceSettings):
    service_name: ClassVar[str] = "request"

    # catalog-service's read API (docs/contracts.md); the gateway or the service itself.
    catalog_url: str = ""  # "" = public_base_url (the gateway, or the embedded platform)
    catalog_cache_seconds: float = 300.0

    # Documents: local files under documents_dir (default <var_dir>/documents) or S3-compatible.
    document_store: Literal["local", "s3"] = "local"
    documents_dir: Path | None = None
    s3_endpoint: str = ""  # e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = "documents/"
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    max_document_bytes: int = Field(default=10 * 1024 * 1024, ge=1)
    max_documents: int = Field(default=20, ge=1)
    # All of an application's documents together (the gateway's body limit is set above it,
    # so this service answers with a problem naming the documents rather than a bare 413).
    max_total_document_bytes: int = Field(default=40 * 1024 * 1024, ge=1)

    # Pseudonymous applicant reference for applications filed for a citizen by a clerk or partner.
    # Empty is accepted in development and test only (the kernel refuses placeholders elsewhere).
    applicant_ref_key: SecretStr = SecretStr("")

    # Public status inquiry: attempts per client IP per minute (per replica; the gateway limits too).
    status_inquiry_per_minute: int = 10
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    # SLA watch: how often breached applications are looked for; "nearing" window.
    escalation_enabled: bool = True
    escalation_interval_seconds: float = 60.0
    sla_nearing_hours: int = 48
    # Working-day calendar: Egypt's holidays (the holidays package) seeded for this many years
    # before and after the current one; the holidays table (kept by admins) overrides them.
    holiday_seed_years_before: int = Field(default=1, ge=0, le=50)
    holiday_seed_years_after: int = Field(default=2, ge=0, le=50)

    # Audit sealer: how often committed audit entries are linked into the hash chain, how
    # many per transaction, and after how long verification flags an entry still unsealed.
    audit_sealer_enabled: bool = True
    audit_seal_interval_seconds: float = Field(default=0.5, gt=0)
    audit_seal_batch: int = Field(default=500, ge=1)
    audit_seal_stale_seconds: float = Field(default=300.0, gt=0)
    # How often the chain head is published (request.audit_checkpoint), when it has moved.
    audit_checkpoint_interval_seconds: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _document_store(self) -> RequestSettings:
        if self.documents_dir is None:
            self.documents_dir = self.var_dir / "documents"
        if self.document_store == "s3" and not (
            self.s3_endpoint and self.s3_bucket and self.s3_access_key and self.s3_secret_key
        ):
            raise ValueError("document_store=s3 needs s3_endpoint, s3_bucket and both S3 keys")
        return self

    @property
    def document_root(self) -> Path:
        assert self.documents_dir is not None
        return self.documents_dir
