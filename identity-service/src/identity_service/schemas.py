"""Request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)


class OtpRequest(Body):
    national_id: str = Field(examples=["29001012101234"], description="14 digits; ٠-٩ accepted")
    phone: str = Field(examples=["01012345678"], description="Egyptian mobile; +20/0020 accepted")


class OtpChallengeOut(BaseModel):
    challenge_id: uuid.UUID
    expires_at: datetime
    code_length: int = 6


class OtpVerify(Body):
    challenge_id: uuid.UUID
    code: str = Field(examples=["123456"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 -- the OAuth2 token type, not a secret
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_in: int | None = None
    scope: str | None = None


class StaffLogin(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class PasswordChange(Body):
    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)


class Logout(Body):
    refresh_token: str | None = None


class GrantIn(Body):
    role: str = Field(examples=["kpi_viewer"])
    jurisdiction: str = Field(examples=["21"])


class GrantOut(BaseModel):
    role: str
    jurisdiction: str


class Me(BaseModel):
    subject: str
    kind: str
    grants: list[GrantOut]
    scope: str
    session_id: str | None = None


class StaffCreate(Body):
    username: str = Field(examples=["giza.kpi"])
    full_name_ar: str = Field(min_length=1, max_length=200)
    full_name_en: str | None = Field(default=None, max_length=200)
    password: str | None = Field(
        default=None, description="Leave out to have one generated and returned once"
    )
    grants: list[GrantIn] = Field(default_factory=list, max_length=100)


class GrantsSet(Body):
    grants: list[GrantIn] = Field(max_length=100)


class StaffOut(BaseModel):
    id: uuid.UUID
    username: str
    full_name_ar: str
    full_name_en: str | None
    grants: list[GrantOut]
    created_at: datetime
    last_login_at: datetime | None
    password_changed_at: datetime
    disabled: bool
    locked_until: datetime | None


class StaffCreated(StaffOut):
    initial_password: str | None = Field(
        default=None, description="Only when generated; shown this once"
    )


class StaffPassword(BaseModel):
    id: uuid.UUID
    username: str
    new_password: str = Field(description="Shown this once")


class StaffPage(BaseModel):
    items: list[StaffOut]
    total: int


class PartnerCreate(Body):
    name: str = Field(min_length=1, max_length=200, examples=["Ministry of Housing portal"])
    scopes: list[str] = Field(max_length=50, examples=[["catalog:read", "requests:read"]])
    jurisdiction: str | None = Field(default=None, examples=["EG"])
    kind: Literal["partner", "service"] = Field(
        default="partner",
        description="service: one of the platform's own services (may hold requests:status)",
    )


class PartnerUpdate(Body):
    scopes: list[str] | None = Field(default=None, max_length=50)
    jurisdiction: str | None = None


class PartnerOut(BaseModel):
    id: uuid.UUID
    client_id: str
    name: str
    scopes: list[str]
    jurisdiction: str
    kind: Literal["partner", "service"]
    created_at: datetime
    secret_rotated_at: datetime
    disabled: bool


class PartnerWithSecret(PartnerOut):
    client_secret: str = Field(description="Shown this once; stored only as a hash")


class PartnerPage(BaseModel):
    items: list[PartnerOut]
    total: int


class CitizenPhoneBind(Body):
    national_id: str = Field(examples=["29001012101234"], description="14 digits; ٠-٩ accepted")
    phone: str = Field(
        examples=["01012345678"], description="the number the citizen showed in person"
    )
    reason: str = Field(
        min_length=3,
        max_length=500,
        examples=["Phone squatted; ID card checked at centre 21-03-F01, ticket 4711"],
        description="why, and how the holder was identified; kept in the audit trail",
    )


class CitizenOut(BaseModel):
    id: uuid.UUID = Field(description="the token subject; unchanged by a rebind")
    national_id: str
    phone: str
    created_at: datetime
    last_login_at: datetime | None


class CitizenPhoneBound(CitizenOut):
    created: bool = Field(description="the national ID had no account: it is now bound")
    changed: bool
    sessions_ended: int


class AuditEntryOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]
    request_id: str | None
    client_ip: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_before: uuid.UUID | None
