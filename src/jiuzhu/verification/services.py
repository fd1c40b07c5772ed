"""Writes of verifications (家庭经济状况核对). Each runs in one transaction, checks the actor's right and scope,
and writes its audit entry in the same transaction."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.core.workdays import add_working_days, china_date
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD
from jiuzhu.registry.models import Household
from jiuzhu.verification.errors import VerificationError
from jiuzhu.verification.errors import VerificationErrorCode as E
from jiuzhu.verification.models import START_WITHIN_WORKING_DAYS, VerificationRequest
from jiuzhu.verification.portrait import household_portrait
from jiuzhu.verification.selectors import open_verification
from jiuzhu.verification.timeline import timeline


def _require(actor: Staff, household: Household) -> None:
    if not actor.is_active or not actor.has_perm(CHANGE_HOUSEHOLD):
        raise VerificationError(E.NOT_ALLOWED)
    if actor.is_department_member or not actor.org_unit.contains(household.org_unit):
        raise VerificationError(E.OUT_OF_JURISDICTION)


@transaction.atomic
def verification_request(
    *, actor: Staff, household: Household, purpose: str, authorization_signed_on: date | None
) -> VerificationRequest:
    """The street asks for the household's finances to be checked (提请核对). The start limit is 3 working days.

    Refused without the applicant's signed authorization (民发〔2021〕57号 第九条), for a household with nobody on
    its file, and while the household has a verification that is not completed.
    """
    _require(actor, household)
    if purpose not in VerificationRequest.Purpose.values:
        raise VerificationError(E.UNKNOWN_PURPOSE, purpose=purpose)
    if authorization_signed_on is None:
        raise VerificationError(E.AUTHORIZATION_MISSING)
    now = timezone.now()
    if authorization_signed_on > china_date(now):
        raise VerificationError(E.AUTHORIZATION_IN_FUTURE, day=authorization_signed_on.isoformat())
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not household.current_memberships().exists():
        raise VerificationError(E.NO_MEMBERS)
    if (existing := open_verification(household=household)) is not None:
        raise VerificationError(E.ALREADY_OPEN, day=china_date(existing.requested_at).isoformat())
    verification = VerificationRequest(
        household=household,
        purpose=purpose,
        requested_by=actor,
        requested_at=now,
        authorization_signed_on=authorization_signed_on,
        start_due_at=add_working_days(now, START_WITHIN_WORKING_DAYS),
    )
    try:
        with transaction.atomic():
            verification.save()
    except IntegrityError:  # another clerk's request for the same household got in first
        raise VerificationError(E.ALREADY_OPEN, day=china_date(now).isoformat()) from None
    audit.record(
        actor=actor,
        action="verification.request",
        obj=verification,
        changes={
            "purpose": purpose,
            "authorization_signed_on": authorization_signed_on.isoformat(),
            "start_due_at": verification.start_due_at.isoformat(),
        },
    )
    return verification


def _locked(request: VerificationRequest) -> VerificationRequest:
    return VerificationRequest.objects.select_for_update().select_related("household").get(pk=request.pk)


@transaction.atomic
def verification_start(*, actor: Staff, request: VerificationRequest) -> VerificationRequest:
    """Start the information check (启动信息核对). Late starts are allowed and recorded as late."""
    _require(actor, request.household)
    verification = _locked(request)
    if not verification.can_start():
        raise VerificationError(E.CANNOT_START, status=verification.get_status_display())
    verification.status = VerificationRequest.Status.STARTED
    verification.started_at = timezone.now()
    verification.started_by = actor
    verification.save(update_fields=["status", "started_at", "started_by"])
    audit.record(
        actor=actor,
        action="verification.start",
        obj=verification,
        changes={"started_at": verification.started_at.isoformat(), "late": verification.started_late()},
    )
    return verification


@transaction.atomic
def verification_complete(*, actor: Staff, request: VerificationRequest) -> VerificationRequest:
    """Complete the check: build the portrait and the comparison as of today and freeze them in `result`.

    The frozen result is what every later report shows, whatever happens to the evidence afterwards.
    """
    _require(actor, request.household)
    verification = _locked(request)
    if not verification.can_complete():
        raise VerificationError(E.CANNOT_COMPLETE, status=verification.get_status_display())
    now = timezone.now()
    verification.status = VerificationRequest.Status.COMPLETED
    verification.completed_at = now
    verification.completed_by = actor
    portrait = household_portrait(verification.household, as_of=china_date(now))
    verification.result = portrait | {"frozen_at": now.isoformat(), "timeline": timeline(verification)}
    verification.save(update_fields=["status", "completed_at", "completed_by", "result"])
    audit.record(
        actor=actor,
        action="verification.complete",
        obj=verification,
        changes={"as_of": portrait["as_of"], "flags": len(portrait["comparison"]["flags"])},
    )
    return verification


def verification_report_record(*, actor: Staff, request: VerificationRequest, printed: bool = False) -> None:
    """Reading or printing a verification report is a sensitive read (查阅留痕)."""
    audit.record(actor=actor, action="verification.print" if printed else "verification.view", obj=request)
