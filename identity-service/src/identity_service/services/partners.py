"""Partner systems: OAuth2 client credentials with scopes; the admin manages the clients."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.geography import NATION, jurisdiction_problem
from identity_service.domain.roles import PARTNER, RoleGrant
from identity_service.domain.scopes import SERVICE_ONLY_SCOPES, format_scope, parse_scope
from identity_service.errors import FieldProblem, OAuthError, invalid_fields
from identity_service.models import PartnerClient
from identity_service.queries import partners as clients
from identity_service.services.audit import Caller, audit
from identity_service.tokens import AccessToken
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem


def _bad_client() -> OAuthError:
    return OAuthError(
        "invalid_client",
        "client authentication failed",
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="mahaliyat", charset="UTF-8"'},
    )


async def authenticate(
    session: AsyncSession, adapters: Adapters, client_id: str, secret: str, caller: Caller
) -> PartnerClient:
    """The active client with this id and secret; unknown, disabled and wrong answer alike."""
    now = adapters.clock()
    client = await clients.by_client_id(session, client_id)
    if client is None:
        await adapters.hashing.verify_decoy(secret)
    elif await adapters.hashing.verify(client.secret_hash, secret) and client.disabled_at is None:
        return client
    await audit(
        session,
        caller,
        "partner.authentication_failed",
        at=now,
        target=f"partner:{client_id[:64]}",
        reason="unknown_client"
        if client is None
        else ("disabled" if client.disabled_at else "wrong_secret"),
    )
    raise _bad_client()


def client_credentials_token(
    adapters: Adapters, client: PartnerClient, requested: str | None
) -> AccessToken:
    allowed = parse_scope(client.scopes)
    wanted = allowed if requested is None else parse_scope(requested)
    if not wanted <= allowed:
        raise OAuthError(
            "invalid_scope",
            "not allowed for this client: " + format_scope(wanted - allowed),
        )
    return adapters.minter.mint(
        subject=client.client_id,
        kind="service" if client.kind == "service" else "partner",
        grants=(RoleGrant(PARTNER, client.jurisdiction),),
        scope=format_scope(wanted),
        ttl_seconds=adapters.settings.partner_token_ttl_seconds,
        extra={"client_id": client.client_id},
    )


def _check(
    adapters: Adapters, scopes: Iterable[str], jurisdiction: str, kind: str = "partner"
) -> list[str]:
    """The scopes, sorted, once they and the jurisdiction are known to be valid."""
    scopes = set(scopes)
    errors: list[FieldProblem] = []
    allowed = set(adapters.settings.partner_scopes)
    if kind == "service":
        allowed |= set(SERVICE_ONLY_SCOPES)
    unknown = sorted(set(scopes) - allowed)
    if unknown:
        errors.append(
            (
                "scopes",
                "unknown_scope",
                "نطاقات غير معروفة: " + " ".join(unknown),
                "Unknown scopes: " + " ".join(unknown),
            )
        )
    if not scopes:
        errors.append(
            ("scopes", "no_scopes", "حدد نطاقًا واحدًا على الأقل.", "Give at least one scope.")
        )
    if (problem := jurisdiction_problem(jurisdiction)) is not None:
        errors.append(
            (
                "jurisdiction",
                problem,
                "كود نطاق الاختصاص غير صالح.",
                "Not a valid jurisdiction code.",
            )
        )
    if errors:
        raise invalid_fields(*errors)
    return sorted(scopes)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


async def create_client(
    session: AsyncSession,
    adapters: Adapters,
    *,
    name: str,
    scopes: Sequence[str],
    jurisdiction: str | None,
    caller: Caller,
    kind: str = "partner",
) -> tuple[PartnerClient, str]:
    """The client and its secret, which is shown this once and stored only as a hash."""
    now = adapters.clock()
    jurisdiction = jurisdiction or NATION
    valid = _check(adapters, scopes, jurisdiction, kind)
    secret = _new_secret()
    client = PartnerClient(
        id=new_id(),
        client_id="mp-" + secrets.token_hex(8),
        name=name,
        secret_hash=await adapters.hashing.hash(secret),
        scopes=" ".join(valid),
        jurisdiction=jurisdiction,
        kind=kind,
        created_at=now,
        secret_rotated_at=now,
    )
    await clients.add(session, client)
    await audit(
        session,
        caller,
        "partner.created",
        at=now,
        target=f"partner:{client.client_id}",
        name=name,
        scopes=valid,
        jurisdiction=jurisdiction,
        kind=kind,
    )
    return client, secret


async def get_client(session: AsyncSession, client_uuid: uuid.UUID) -> PartnerClient:
    client = await clients.get(session, client_uuid)
    if client is None:
        raise Problem(404, "not_found")
    return client


async def list_clients(
    session: AsyncSession, *, limit: int, offset: int
) -> tuple[Sequence[PartnerClient], int]:
    return await clients.page(session, limit=limit, offset=offset)


async def rotate_secret(
    session: AsyncSession, adapters: Adapters, client_uuid: uuid.UUID, caller: Caller
) -> tuple[PartnerClient, str]:
    """A new secret, shown once; the old one stops working at once."""
    now = adapters.clock()
    client = await get_client(session, client_uuid)
    secret = _new_secret()
    client.secret_hash = await adapters.hashing.hash(secret)
    client.secret_rotated_at = now
    await audit(
        session, caller, "partner.secret_rotated", at=now, target=f"partner:{client.client_id}"
    )
    return client, secret


async def update_client(
    session: AsyncSession,
    adapters: Adapters,
    client_uuid: uuid.UUID,
    *,
    scopes: Sequence[str] | None,
    jurisdiction: str | None,
    caller: Caller,
) -> PartnerClient:
    now = adapters.clock()
    client = await get_client(session, client_uuid)
    new_scopes = _check(
        adapters,
        parse_scope(client.scopes) if scopes is None else scopes,
        jurisdiction or client.jurisdiction,
        client.kind,
    )
    before = {"scopes": client.scopes.split(), "jurisdiction": client.jurisdiction}
    client.scopes = " ".join(new_scopes)
    client.jurisdiction = jurisdiction or client.jurisdiction
    await audit(
        session,
        caller,
        "partner.updated",
        at=now,
        target=f"partner:{client.client_id}",
        before=before,
        after={"scopes": new_scopes, "jurisdiction": client.jurisdiction},
    )
    return client


async def set_disabled(
    session: AsyncSession,
    adapters: Adapters,
    client_uuid: uuid.UUID,
    disabled: bool,
    caller: Caller,
) -> PartnerClient:
    now = adapters.clock()
    client = await get_client(session, client_uuid)
    if disabled and client.disabled_at is None:
        client.disabled_at = now
        await audit(
            session, caller, "partner.disabled", at=now, target=f"partner:{client.client_id}"
        )
    elif not disabled and client.disabled_at is not None:
        client.disabled_at = None
        await audit(
            session, caller, "partner.enabled", at=now, target=f"partner:{client.client_id}"
        )
    return client
