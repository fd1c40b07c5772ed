"""Intake (一门受理, R6.1): register an application at a window, online or on a family's behalf; tell everything missing
at once; accept it where the family may apply and open one case per programme (一次申请、分类审核) and one referral per
department's part (一件事联办)."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.cases import notify
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.materials import MaterialsStatus, materials_status
from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.workflows import config
from jiuzhu.core.id_number import IdNumberError, parse_id_number
from jiuzhu.core.parsing import fold_width
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import ACCEPT_APPLICATION, APPLY_ON_BEHALF
from jiuzhu.policy.localities import home_locality, pack_for_division
from jiuzhu.policy.packs import load_pack
from jiuzhu.registry.models import Household, Person

PHONE = re.compile(r"^1\d{10}$", re.ASCII)
ASSISTED_CHANNELS = (Application.Channel.ASSISTED, Application.Channel.GRID)


def street_of(unit: OrgUnit) -> OrgUnit:
    """The street (or town) a unit lies in; a district stays itself."""
    for ancestor in unit.ancestors():
        if ancestor.level == OrgUnit.Level.STREET:
            return ancestor
    return unit


def locality_of(unit: OrgUnit) -> str:
    """The pack that decides for the street: the platform's configured locality, else the street's division's."""
    return home_locality() if settings.JIUZHU_LOCALITY else pack_for_division(unit.division_code)


def _status(application: Application) -> MaterialsStatus:
    return materials_status(
        locality=application.locality,
        programmes=list(application.programmes),
        household=application.household,
        authorization_signed_on=application.authorization_signed_on,
        provided=list(application.materials_provided),
    )


def phone_on_file(household: Household | None) -> str:
    """The phone to text about an application when none was given: the head's, else the household's."""
    if household is None:
        return ""
    head = household.head()
    return (head.phone if head and head.phone else "") or household.phone or ""


def applicant_of(household: Household | None, name: str, id_number: str) -> Person | None:
    """The member of the household who applies: by ID number when given, else by name."""
    if household is None:
        return None
    members = [m.person for m in household.current_memberships()]
    if id_number:
        found = next((p for p in members if p.id_number == id_number.strip().upper()), None)
        if found is not None:
            return found
    return next((p for p in members if p.name == name.strip()), None)


def materials_of(application: Application) -> MaterialsStatus:
    return _status(application)


def _check_programmes(locality: str, programmes: list[str]) -> list[str]:
    if not programmes:
        raise CaseError(E.NO_PROGRAMME)
    pack, handling = load_pack(locality), config(locality)
    ordered = []
    for code in programmes:
        if code not in pack.programmes:
            raise CaseError(E.UNKNOWN_PROGRAMME, locality=pack.name, programme=code)
        if handling.workflow_for(code) is None and code not in handling.referrals:
            raise CaseError(E.NO_WORKFLOW, programme=pack.programmes[code].name)
        if code not in ordered:
            ordered.append(code)
    return ordered


def _refuse(actor: Staff | None, what: str, obj=None) -> CaseError:
    """A refusal by role; `_atomic` audits it once the service's transaction has rolled back."""
    error = CaseError(E.NOT_ALLOWED, what=what)
    error.refused = (actor, what, obj)
    return error


def _atomic(service):
    """The service in one transaction; a refusal by role is audited after that transaction is rolled back, so the
    attempt stays on record (an audit row written inside it would be rolled back with it)."""
    inner = transaction.atomic(service)

    @functools.wraps(service)
    def run(*args, **kwargs):
        try:
            return inner(*args, **kwargs)
        except CaseError as exc:
            if refused := getattr(exc, "refused", None):
                actor, what, obj = refused
                with transaction.atomic():
                    audit.record(actor=actor, action="case.refused", obj=obj, changes={"what": what})
            raise

    return run


@_atomic
def application_create(
    *,
    actor: Staff | None,
    unit: OrgUnit,
    channel: str,
    applicant_name: str,
    programmes: list[str],
    phone: str = "",
    household: Household | None = None,
    applicant: Person | None = None,
    applicant_id_number: str = "",
    situation: str = "",
    materials_provided: list[str] | tuple[str, ...] = (),
    authorisation: str = "",
    authorization_signed_on: date | None = None,
    declared: dict | None = None,
    conflict_of_interest: bool = False,
    conflict_note: str = "",
    emergency: bool = False,
    based_on: str = "hukou",
) -> Application:
    """Register an application (登记). Kept as a draft with the one-time notice while materials are missing —
    never refused for that — and submitted when complete. `actor` None is the citizen applying online."""
    if actor is not None and not actor.has_perm(APPLY_ON_BEHALF):
        raise _refuse(actor, "登记救助申请")
    if actor is not None and not actor.org_unit.contains(unit) and not unit.contains(actor.org_unit):
        raise CaseError(E.OUT_OF_JURISDICTION)
    if household is not None and actor is not None and not actor.org_unit.contains(household.org_unit):
        raise CaseError(E.OUT_OF_JURISDICTION)
    applicant_name = (applicant_name or "").strip()
    if not applicant_name:
        raise CaseError(E.NAME_REQUIRED)
    phone = fold_width(phone or "").strip()
    if phone and not PHONE.match(phone):
        raise CaseError(E.PHONE_INVALID, phone=phone)
    if applicant_id_number:
        try:
            applicant_id_number = parse_id_number(applicant_id_number).number
        except IdNumberError as exc:
            raise CaseError(E.ID_INVALID, reason=exc.message) from None
    online = channel == Application.Channel.ONLINE
    if channel not in Application.Channel.values or online != (actor is None):
        raise CaseError(E.CHANNEL_INVALID, channel=channel)
    if based_on not in dict(Application._meta.get_field("based_on").choices):
        raise CaseError(E.BASED_ON_INVALID, based_on=based_on)
    if channel in ASSISTED_CHANNELS and not authorisation.strip():
        raise CaseError(E.AUTHORISATION_REQUIRED)
    street = street_of(unit)
    locality = locality_of(street)
    programmes = _check_programmes(locality, list(programmes))
    now = timezone.now()
    application = Application.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:24]}",  # unique until the number from the pk replaces it (≤ 32 chars)
        household=household,
        applicant=applicant,
        applicant_name=applicant_name[:50],
        applicant_id_number=applicant_id_number,
        phone=phone,
        unit=street,
        locality=locality,
        channel=channel,
        assisted_by=actor if channel in ASSISTED_CHANNELS else None,
        authorisation=authorisation.strip()[:300],
        based_on=based_on,
        situation=situation.strip(),
        programmes=programmes,
        materials_provided=list(materials_provided),
        declared=declared or {},
        authorization_signed_on=authorization_signed_on,
        conflict_of_interest=conflict_of_interest,
        conflict_note=conflict_note.strip()[:200],
        emergency=emergency,
        created_by=actor if actor is not None else None,
        created_at=now,
    )
    application.number = f"SQ{china_date(now):%Y%m%d}{application.pk:06d}"
    status = _status(application)
    application.materials_missing = status.missing
    if status.complete or actor is None:
        # Online: the request is in; what to bring is told at once and checked by the window at acceptance.
        application.status, application.submitted_at = Application.Status.SUBMITTED, now
    application.save()
    audit.record(
        actor=actor,
        action="application.create",
        obj=application,
        changes={
            "channel": channel,
            "programmes": programmes,
            "status": application.status,
            "missing": status.missing,
            "conflict_of_interest": conflict_of_interest,
        },
    )
    notify.application_registered(application)
    return application


@_atomic
def application_update_materials(
    *,
    actor: Staff,
    application: Application,
    materials_provided: list[str],
    authorization_signed_on: date | None = None,
) -> Application:
    """Record materials brought later (补齐材料); a draft with nothing missing any more is submitted."""
    if not actor.has_perm(APPLY_ON_BEHALF):
        raise _refuse(actor, "补齐申请材料", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (Application.Status.DRAFT, Application.Status.SUBMITTED):
        raise CaseError(E.NOT_DRAFT, status=application.get_status_display(), action="补齐材料")
    application.materials_provided = sorted(set(application.materials_provided) | set(materials_provided))
    if authorization_signed_on is not None:
        application.authorization_signed_on = authorization_signed_on
    status = _status(application)
    application.materials_missing = status.missing
    if status.complete and application.status == Application.Status.DRAFT:
        application.status, application.submitted_at = Application.Status.SUBMITTED, timezone.now()
    application.save()
    audit.record(
        actor=actor,
        action="application.materials",
        obj=application,
        changes={"provided": materials_provided, "missing": status.missing, "status": application.status},
    )
    return application


def _place_allowed(application: Application, household: Household) -> None:
    """57号 第四、五条: apply where the household is registered (户籍地); where it lives (居住地) only where the
    locality allows it; emergency temporary aid wherever the emergency happened (2023 意见)."""
    street = application.unit
    hukou = household.hukou_division_code
    if hukou and hukou.startswith(street.division_code):
        return
    if not hukou and street.contains(household.org_unit):
        return  # the file records no 户籍地 apart from where the household is served
    if config(application.locality).residence_applications and street.contains(household.org_unit):
        return
    if application.emergency and set(application.programmes) <= {"temporary_aid"}:
        return
    place = "户籍地" if not config(application.locality).residence_applications else "户籍地和居住地"
    raise CaseError(E.WRONG_PLACE, place=place, unit=street.name, rule="民发〔2021〕57号 第四、五条及本地规定")


@_atomic
def application_accept(*, actor: Staff, application: Application, household: Household | None = None) -> Application:
    """Accept it (受理): materials complete, a household on file, the right place. Opens a case for each programme the
    civil-affairs workflows decide and a referral for each part another department handles."""
    from jiuzhu.cases.referrals import referral_create
    from jiuzhu.cases.steps import case_open

    if not actor.has_perm(ACCEPT_APPLICATION):
        raise _refuse(actor, "受理救助申请", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not actor.org_unit.contains(application.unit) and not application.unit.contains(actor.org_unit):
        raise CaseError(E.OUT_OF_JURISDICTION)
    if application.status != Application.Status.SUBMITTED and application.status != Application.Status.DRAFT:
        raise CaseError(E.NOT_DRAFT, status=application.get_status_display(), action="受理")
    household = household or application.household
    if household is None:
        raise CaseError(E.HOUSEHOLD_REQUIRED)
    if not actor.org_unit.contains(household.org_unit):
        raise CaseError(E.OUT_OF_JURISDICTION)
    application.household = household
    if application.applicant is None and application.applicant_id_number:
        application.applicant = Person.objects.filter(id_number=application.applicant_id_number).first()
    status = _status(application)
    if not status.complete:
        application.materials_missing = status.missing
        application.save(update_fields=["household", "applicant", "materials_missing"])
        raise CaseError(E.MATERIALS_MISSING, missing="、".join(status.missing))
    _place_allowed(application, household)
    now = timezone.now()
    application.status, application.accepted_at, application.accepted_by = Application.Status.ACCEPTED, now, actor
    application.materials_missing = []
    application.save()
    handling = config(application.locality)
    pack = load_pack(application.locality)
    for code in application.programmes:
        if (workflow := handling.workflow_for(code)) is not None:
            case_open(
                actor=actor, application=application, programme=code, name=pack.programmes[code].name, workflow=workflow
            )
        else:
            spec = handling.referrals[code]
            referral_create(
                actor=actor,
                household=household,
                department_code=spec.department,
                need=spec.need,
                programme=code,
                application=application,
                origin="application",
                origin_id=application.pk,
            )
    audit.record(
        actor=actor,
        action="application.accept",
        obj=application,
        changes={"household": household.number, "programmes": application.programmes},
    )
    notify.application_accepted(application)
    return application


@_atomic
def application_withdraw(*, actor: Staff | None, application: Application, reason: str) -> Application:
    """The applicant withdraws (撤回); every open case ends with it."""
    if actor is not None and not actor.has_perm(APPLY_ON_BEHALF):
        raise _refuse(actor, "撤回救助申请", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_open:
        raise CaseError(E.NOT_DRAFT, status=application.get_status_display(), action="撤回")
    if not (reason or "").strip():
        raise CaseError(E.REASON_REQUIRED)
    now = timezone.now()
    application.status, application.closed_at = Application.Status.WITHDRAWN, now
    application.save(update_fields=["status", "closed_at"])
    for case in application.cases.filter(status=Case.Status.IN_PROGRESS):
        case.status, case.step = Case.Status.WITHDRAWN, ""
        case.save(update_fields=["status", "step"])
    audit.record(actor=actor, action="application.withdraw", obj=application, reason=reason)
    return application


def application_close_if_done(application: Application) -> None:
    if (
        application.status == Application.Status.ACCEPTED
        and not application.cases.filter(status=Case.Status.IN_PROGRESS).exists()
    ):
        application.status, application.closed_at = Application.Status.CLOSED, timezone.now()
        application.save(update_fields=["status", "closed_at"])
