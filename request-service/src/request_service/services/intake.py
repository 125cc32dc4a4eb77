"""Filing an application on any channel: checks against the catalogue, then one transaction."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat import context
from mahaliyat.auth import Principal
from mahaliyat.clock import cairo_date
from mahaliyat.events import record
from mahaliyat.identifiers import (
    GOVERNORATE_CODES,
    InvalidIdentifier,
    parse_mobile,
    parse_national_id,
)
from mahaliyat.ids import new_id
from mahaliyat.problems import Problem, field_error
from request_service import events
from request_service.adapters import Adapters
from request_service.catalogue import CatalogueUnavailable, QuoteRejected
from request_service.domain.applicants import TokenIdentity, token_identity
from request_service.domain.catalogue import (
    Centre,
    Channel,
    ServiceDefinition,
    offer_problem,
    walk_in_channel,
)
from request_service.domain.forms import clean_form
from request_service.domain.service_workflows import workflow_from_catalogue
from request_service.domain.tracking import SHARDS, TrackingNumber, sharded_sequence
from request_service.domain.workflow import (
    CITIZEN,
    FRONT_OFFICE,
    PARTNER,
    State,
)
from request_service.models import Application, Document, StateChange
from request_service.queries import counters, filings
from request_service.schemas import SubmissionIn
from request_service.services import access, audit
from request_service.services import documents as document_service
from request_service.services.guards import catalogue_down
from request_service.uploads import StagedFile

log = logging.getLogger(__name__)

_OFFER_MESSAGES = {
    "service_inactive": "this service is not offered at the moment",
    "channel_not_offered": "this service cannot be requested on this channel",
    "not_online": "this service is not offered online",
    "centre_inactive": "this centre is not operating",
    "centre_not_offering": "this centre does not offer this service",
}


def _invalid(errors: list[dict[str, str]]) -> Problem:
    return Problem(
        422, "invalid_application", "the application is not complete or not valid", errors=errors
    )


@dataclass(frozen=True, slots=True)
class Intake:
    """Where and by whom an application is being filed."""

    channel: Channel
    governorate: str
    jurisdiction: str
    centre: Centre | None
    actor_role: str


def applicant_ref_for(
    adapters: Adapters, principal: Principal, identity: TokenIdentity, national_id: str
) -> str:
    """The keyed reference of the national ID, on every channel.

    A citizen whose token carries no national ID (an older token) is known by its
    subject: the national ID typed in cannot be trusted to be theirs.
    """
    if principal.kind == "citizen" and identity.national_id is None:
        return principal.subject
    return access.applicant_ref(adapters, national_id)


def _national_id(
    typed: str | None, identity: TokenIdentity, today: date, errors: list[dict[str, str]]
) -> str:
    """The applicant's national ID: as typed, which must be the token's when it carries one."""
    field = "applicant.national_id"
    if typed is None:
        if identity.national_id is None:
            errors.append(field_error(field, "required", "the applicant's national ID"))
            return ""
        return identity.national_id
    try:
        number = parse_national_id(typed, today).number
    except InvalidIdentifier as exc:
        errors.append(field_error(field, exc.code, exc.message_en))
        return ""
    if identity.national_id is not None and number != identity.national_id:
        errors.append(
            field_error(field, "not_your_national_id", "citizens apply under their own national ID")
        )
        return ""
    return number


def _phone(typed: str | None, identity: TokenIdentity, errors: list[dict[str, str]]) -> str:
    """The applicant's mobile number: as typed, which must be the token's when it carries one."""
    field = "applicant.phone"
    if typed is None:
        if identity.phone is None:
            errors.append(field_error(field, "required", "the applicant's mobile number"))
            return ""
        return identity.phone
    try:
        phone = parse_mobile(typed)
    except InvalidIdentifier as exc:
        errors.append(field_error(field, exc.code, exc.message_en))
        return ""
    if identity.phone is not None and phone != identity.phone:
        errors.append(
            field_error(field, "not_your_phone", "citizens apply with their own mobile number")
        )
        return ""
    return phone


async def _intake(adapters: Adapters, principal: Principal, body: SubmissionIn) -> Intake:
    if principal.kind == "citizen":
        if not principal.has_role(CITIZEN):
            raise Problem(403, "forbidden", "citizen tokens need the citizen role")
        governorate = _governorate(body.governorate)
        return Intake(Channel(body.channel or "portal"), governorate, governorate, None, CITIZEN)
    if principal.kind == "staff":
        if not body.centre_code:
            raise _invalid([field_error("centre_code", "required", "clerks file at a centre")])
        if not principal.can(FRONT_OFFICE, body.centre_code):
            raise Problem(403, "not_your_centre", "you take applications in only at your centres")
        try:
            centre = await adapters.catalogue.centre(body.centre_code)
        except CatalogueUnavailable as exc:
            raise catalogue_down(exc) from exc
        if centre is None:
            raise _invalid([field_error("centre_code", "unknown_centre", "no such centre")])
        channel = walk_in_channel(centre)
        return Intake(channel, centre.governorate, centre.code, centre, FRONT_OFFICE)
    if principal.kind in access.MACHINE_KINDS:
        if not principal.has_scope(access.SCOPE_WRITE):
            raise Problem(
                403, "insufficient_scope", f"this action needs scope {access.SCOPE_WRITE}"
            )
        governorate = _governorate(body.governorate)
        if not principal.can(PARTNER, governorate):
            raise Problem(403, "outside_jurisdiction", "your grant does not cover this governorate")
        return Intake(Channel.PARTNER_API, governorate, governorate, None, PARTNER)
    raise Problem(403, "forbidden")


def _governorate(value: str | None) -> str:
    if not value:
        raise _invalid([field_error("governorate", "required", "name the governorate")])
    if value not in GOVERNORATE_CODES:
        raise _invalid([field_error("governorate", "unknown_governorate", "no such governorate")])
    return value


async def _service(
    adapters: Adapters, body: SubmissionIn, intake: Intake, today: date
) -> ServiceDefinition:
    try:
        service = await adapters.catalogue.service(body.service_code, intake.governorate, today)
    except CatalogueUnavailable as exc:
        raise catalogue_down(exc) from exc
    if service is None:
        raise _invalid([field_error("service_code", "unknown_service", "no such service")])
    problem = offer_problem(service, intake.channel, intake.centre)
    if problem is not None:
        raise _invalid([field_error("service_code", problem, _OFFER_MESSAGES[problem])])
    return service


async def _fee(
    adapters: Adapters, service: ServiceDefinition, governorate: str, on: date, form: dict[str, Any]
) -> int:
    if not service.has_fees:
        return 0
    inputs = {name: form[name] for name in service.fee_inputs if name in form}
    try:
        quote = await adapters.catalogue.quote(service.code, governorate, on, inputs)
    except CatalogueUnavailable as exc:
        raise catalogue_down(exc) from exc
    except QuoteRejected as exc:
        raise _invalid(
            [
                field_error(
                    "form." + str(e.get("field", "")).removeprefix("inputs."),
                    str(e.get("code", "invalid")),
                    str(e.get("message", "refused by the fee schedule")),
                )
                for e in exc.errors
            ]
            or [field_error("form", "fee_inputs", "the fee cannot be computed from this form")]
        ) from exc
    return quote.total_piasters


def _workflow(service: ServiceDefinition) -> tuple[list[dict[str, Any]] | None, str | None]:
    """The service's own workflow to keep on the application, or None and why it was refused.

    A workflow that breaks the platform's rules is not used: the application follows
    the default table (the stricter one) and the refusal is logged and audited.
    """
    if not service.workflow:
        return None, None
    try:
        workflow_from_catalogue(service.workflow)
    except ValueError as exc:
        log.warning("refusing the catalogue's workflow for %s: %s", service.code, exc)
        return None, str(exc)
    return [dict(entry) for entry in service.workflow], None


async def submit(
    session: AsyncSession,
    adapters: Adapters,
    principal: Principal,
    body: SubmissionIn,
    files: Sequence[StagedFile],
) -> tuple[Application, list[Document], StateChange]:
    """Check everything, then file: tracking number, documents, timeline, audit, event."""
    now = adapters.now()
    today = cairo_date(now)
    intake = await _intake(adapters, principal, body)

    identity = token_identity(principal.claims) if principal.kind == "citizen" else TokenIdentity()
    errors: list[dict[str, str]] = []
    national_id = _national_id(body.applicant.national_id, identity, today, errors)
    phone = _phone(body.applicant.phone, identity, errors)
    service = await _service(adapters, body, intake, today)
    form, form_errors = clean_form(service.fields, body.form, today)
    errors += [
        field_error(f"form.{e.field}", e.code, e.code.replace("_", " ")) for e in form_errors
    ]
    errors += document_service.document_errors(service.documents, files)
    if errors:
        raise _invalid(errors)
    fee = await _fee(adapters, service, intake.governorate, today, form)
    calendar = await adapters.calendars.get(session, cairo_date(now))
    due_at = calendar.deadline(now, service.sla_days) if service.sla_days else None

    workflow, workflow_refused = _workflow(service)
    application_id = new_id()
    await document_service.put_files(adapters, files)  # before any lock is taken
    year = today.year % 100  # the Cairo year
    shard = random.randrange(SHARDS)  # spreads filers over the counters
    nth = await counters.next_in_shard(session, intake.governorate, year, shard)
    tracking = TrackingNumber(intake.governorate, year, sharded_sequence(shard, nth))
    application = Application(
        id=application_id,
        tracking_number=str(tracking),
        version=1,
        state=State.SUBMITTED.value,
        service_code=service.code,
        service_name_ar=service.name.ar,
        service_name_en=service.name.en,
        department_code=service.department_code,
        workflow=workflow,
        channel=intake.channel.value,
        centre_code=intake.centre.code if intake.centre else None,
        jurisdiction=intake.jurisdiction,
        governorate=intake.governorate,
        applicant_ref=applicant_ref_for(adapters, principal, identity, national_id),
        applicant_national_id=national_id,
        applicant_phone=phone,
        applicant_language=body.applicant.language or context.language.get(),
        intake_actor_id=principal.subject,
        intake_actor_role=intake.actor_role,
        form_data=form,
        sla_days=service.sla_days,
        due_at=due_at,
        paused_working_days=0,
        fee_piasters=fee,
        state_entered_at=now,
        waiting_seconds=0,
        processing_seconds=0,
        returned_seconds=0,
        submitted_at=now,
        updated_at=now,
    )
    stored = document_service.new_documents(application_id, files, by=principal.subject, at=now)
    change = StateChange(
        id=new_id(),
        application_id=application_id,
        at=now,
        from_state=None,
        to_state=State.SUBMITTED.value,
        actor_id=principal.subject,
        actor_role=intake.actor_role,
        request_id=context.request_id.get(),
    )
    entry = audit.entry(
        at=now,
        actor_id=principal.subject,
        actor_role=intake.actor_role,
        action="submitted",
        application_id=application_id,
        to_state=State.SUBMITTED.value,
        details={
            "tracking_number": application.tracking_number,
            "channel": application.channel,
            "documents": [d.sha256 for d in stored],
            **({"catalogue_workflow_refused": workflow_refused} if workflow_refused else {}),
        },
    )
    await filings.add(session, application, stored, change, entry)
    await record(session, events.submitted(application))
    return application, stored, change
