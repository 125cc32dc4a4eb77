"""Managing templates: every change is a new version; old ones are kept.

A change adds a version; the latest *active* version of a key and language is
the one used, so deactivating the latest falls back to the one before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import Principal
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem, field_error
from notification_service.adapters import Adapters
from notification_service.domain.encoding import MessageTooLong, checked_layout
from notification_service.domain.templates import (
    MissingValues,
    TemplateError,
    placeholders,
    render,
)
from notification_service.models import SmsTemplate
from notification_service.queries import templates
from notification_service.schemas import Preview, Template, TemplateBody
from notification_service.seed.templates import DEFAULT_TEMPLATES, OTP_KEY
from notification_service.services.access import caller


def validate_body(key: str, body: str) -> tuple[str, ...]:
    """The body's placeholders; refuses bad syntax and an OTP template without ``{code}``."""
    names = placeholders(body)
    if key.startswith(OTP_KEY) and "code" not in names:
        raise TemplateError("an OTP template must contain {code}")
    if not body.strip():
        raise TemplateError("the template is empty")
    return names


def shown(row: SmsTemplate) -> Template:
    return Template.of(row, placeholders(row.body))


async def in_use(session: AsyncSession) -> list[Template]:
    return [shown(row) for row in await templates.latest_per_key(session)]


async def versions(session: AsyncSession, key: str) -> list[Template]:
    rows = await templates.versions(session, key)
    if not rows:
        raise Problem(404, "not_found")
    return [shown(row) for row in rows]


async def put(
    session: AsyncSession,
    adapters: Adapters,
    *,
    key: str,
    language: str,
    body: str,
    description: str | None,
    author: str,
    now: datetime,
) -> tuple[SmsTemplate, bool]:
    """Make ``body`` the template in use; a new version unless it already is. (row, created)"""
    validate_body(key, body)
    latest = await templates.latest(session, key, language)
    if (
        latest is not None
        and latest.active
        and latest.body == body
        and latest.description == description
    ):
        return latest, False
    row = SmsTemplate(
        id=new_id(),
        key=key,
        language=language,
        version=(latest.version + 1) if latest is not None else 1,
        body=body,
        description=description,
        active=True,
        created_at=now,
        created_by=author,
    )
    await templates.add(session, row)
    adapters.templates.invalidate_after_commit(session)
    return row, True


async def put_by_admin(
    session: AsyncSession,
    adapters: Adapters,
    admin: Principal,
    *,
    key: str,
    language: str,
    request: TemplateBody,
) -> tuple[int, Any]:
    """(status, body): 201 with a new version, 200 when it already is the text. The endpoint
    makes it once per ``Idempotency-Key``."""
    now = adapters.now()
    try:
        row, created = await put(
            session,
            adapters,
            key=key,
            language=language,
            body=request.body,
            description=request.description,
            author=caller(admin),
            now=now,
        )
    except TemplateError as exc:
        raise Problem(
            422, "invalid_template", errors=[field_error("body", "invalid_template", str(exc))]
        ) from exc
    status = 201 if created else 200
    body = shown(row).model_dump(mode="json")
    return status, body


async def activate(
    session: AsyncSession,
    adapters: Adapters,
    *,
    key: str,
    language: str,
    version: int,
    active: bool,
) -> Template:
    row = await templates.version(session, key, language, version)
    if row is None:
        raise Problem(404, "not_found")
    if row.active != active:
        row.active = active
        await templates.flush(session)
        adapters.templates.invalidate_after_commit(session)
    return shown(row)


async def preview(
    session: AsyncSession,
    adapters: Adapters,
    *,
    key: str,
    language: str,
    values: Mapping[str, str],
) -> Preview:
    """The template in use rendered with ``values``: text, encoding and segments."""
    adapters.templates.invalidate()
    template = await adapters.templates.find(session, [key], language)
    if template is None or template.language != language:
        raise Problem(404, "not_found")
    try:
        validate_body(key, template.body)
        text = render(template.body, values)
        layout = checked_layout(text, adapters.settings.sms_max_segments)
    except MissingValues as exc:
        raise Problem(
            422,
            "missing_values",
            errors=[
                field_error(f"values.{n}", "missing", "the template needs it") for n in exc.names
            ],
        ) from exc
    except (TemplateError, MessageTooLong) as exc:
        raise Problem(
            422, "unsendable", str(exc), errors=[field_error("values", "invalid", str(exc))]
        ) from exc
    return Preview(
        version=template.version,
        body=text,
        encoding=layout.encoding,
        segments=layout.segments,
        length=layout.units,
        parts=list(layout.parts),
    )


async def seed_defaults(
    session: AsyncSession,
    adapters: Adapters,
    now: datetime,
    defaults: Iterable[tuple[str, str, str]] | None = None,
) -> int:
    """Version 1 of every default whose key and language have no version yet."""
    wanted = list(
        defaults
        if defaults is not None
        else (
            (key, language, body)
            for key, texts in DEFAULT_TEMPLATES.items()
            for language, body in texts.items()
        )
    )
    existing = await templates.keys_and_languages(session)
    rows = [
        {
            "id": new_id(),
            "key": key,
            "language": language,
            "version": 1,
            "body": body,
            "description": "default",
            "active": True,
            "created_at": now,
            "created_by": "seed",
        }
        for key, language, body in wanted
        if (key, language) not in existing
    ]
    if not rows:
        return 0
    await templates.insert_missing(session, rows)
    adapters.templates.invalidate_after_commit(session)
    return len(rows)
