"""Demo staff accounts and a demo partner client, created once, in development and test only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from identity_service.adapters import Adapters
from identity_service.domain.roles import RoleGrant
from identity_service.models import PartnerClient, StaffGrant, StaffUser
from identity_service.services.audit import Caller, audit
from mahaliyat.ids import new_id

log = logging.getLogger(__name__)

SYSTEM = Caller("system:seed", None)


@dataclass(frozen=True, slots=True)
class DemoStaff:
    username: str
    name_ar: str
    name_en: str
    grants: tuple[RoleGrant, ...]


DEMO_STAFF = (
    DemoStaff("admin", "مسؤول المنصة", "Platform administrator", (RoleGrant("platform_admin", "EG"),)),
    DemoStaff(
        "giza.front",
        "موظف الواجهة - مركز بالجيزة",
        "Front office, a Giza centre",
        (RoleGrant("front_office", "21-03-F01"),),
    ),
    DemoStaff(
        "giza.back",
        "موظف المكتب الخلفي - الجيزة",
        "Back office, Giza",
        (RoleGrant("back_office", "21"), RoleGrant("inspector", "21-03")),
    ),
    DemoStaff(
        "giza.kpi",
        "متابعة مؤشرات الأداء - الجيزة",
        "KPI viewer, Giza governorate",
        (RoleGrant("kpi_viewer", "21"),),
    ),
    DemoStaff(
        "nation.kpi",
        "متابعة مؤشرات الأداء - على مستوى الجمهورية",
        "KPI viewer, nationwide",
        (RoleGrant("kpi_viewer", "EG"),),
    ),
    DemoStaff(
        "catalog.admin",
        "مسؤول دليل الخدمات",
        "Catalogue administrator",
        (RoleGrant("catalog_admin", "EG"),),
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DemoPartner:
    client_id: str
    name: str
    scopes: tuple[str, ...] = ()  # () = every partner scope
    secret: str | None = None  # None = the demo password
    kind: str = "partner"


DEMO_PARTNERS = (
    DemoPartner("demo-portal", "Demo portal back end"),
    # notification-service's development credentials (its settings' defaults), so that SMS
    # status inquiries work in the embedded platform without configuration.
    DemoPartner(
        "notification-service",
        "Notification service (SMS status inquiry)",
        ("requests:status",),
        "dev-notification-client-secret",
        "service",
    ),
)


async def seed_demo(session: AsyncSession, adapters: Adapters) -> list[str]:
    """Create the demo accounts that are missing; returns what was created."""
    if session.get_bind().dialect.name == "postgresql":
        # Replicas start together: one seeds, the others wait and then find it done.
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('identity.seed_demo'))"))
    now = adapters.clock()
    password = adapters.settings.demo_password.get_secret_value()
    existing = set(
        await session.scalars(
            select(StaffUser.username).where(
                StaffUser.username.in_([d.username for d in DEMO_STAFF])
            )
        )
    )
    created = []
    for demo in DEMO_STAFF:
        if demo.username in existing:
            continue
        user = StaffUser(
            id=new_id(),
            username=demo.username,
            full_name_ar=demo.name_ar,
            full_name_en=demo.name_en,
            password_hash=await adapters.hashing.hash(password),
            created_at=now,
            password_changed_at=now,
            grants=[
                StaffGrant(id=new_id(), role=g.role, jurisdiction=g.jurisdiction, created_at=now)
                for g in demo.grants
            ],
        )
        session.add(user)
        await session.flush()
        await audit(session, SYSTEM, "staff.created", at=now, target=f"staff:{user.id}", demo=True)
        created.append(demo.username)
    for demo_client in DEMO_PARTNERS:
        found = await session.scalar(
            select(PartnerClient.id).where(PartnerClient.client_id == demo_client.client_id)
        )
        if found is not None:
            continue
        session.add(
            PartnerClient(
                id=new_id(),
                client_id=demo_client.client_id,
                name=demo_client.name,
                secret_hash=await adapters.hashing.hash(demo_client.secret or password),
                scopes=" ".join(sorted(demo_client.scopes or adapters.settings.partner_scopes)),
                jurisdiction="EG",
                kind=demo_client.kind,
                created_at=now,
                secret_rotated_at=now,
            )
        )
        await audit(
            session,
            SYSTEM,
            "partner.created",
            at=now,
            target=f"partner:{demo_client.client_id}",
            demo=True,
        )
        created.append(f"partner client {demo_client.client_id}")
    if created:
        # Development only: the one time this password is shown, besides docs/identity.md.
        log.warning(
            "demo identities created (%s); their password is %r",
            ", ".join(created),
            password,
        )
    return created
