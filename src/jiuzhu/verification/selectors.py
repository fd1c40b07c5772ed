"""Reads of verifications, scoped to the actor's jurisdiction. Missing and not-allowed look the same (NotFound)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import VIEW_HOUSEHOLD
from jiuzhu.verification.models import VerificationRequest


def verification_list(
    *, actor: Staff, status: str = "", overdue: bool = False, household=None
) -> QuerySet[VerificationRequest]:
    """Verifications of households in the actor's jurisdiction. Department liaisons see none: a verification puts
    every department's data about a family side by side, which is the civil-affairs office's work, not theirs."""
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        return VerificationRequest.objects.none()
    qs = VerificationRequest.objects.filter(household__org_unit__in=actor.jurisdiction())
    if household is not None:
        qs = qs.filter(household=household)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=VerificationRequest.Status.REQUESTED, start_due_at__lt=timezone.now())
    return qs.select_related("household", "household__org_unit", "requested_by", "started_by", "completed_by")


def verification_get(*, actor: Staff, id: int) -> VerificationRequest:
    try:
        return verification_list(actor=actor).get(pk=id)
    except (VerificationRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def open_verification(*, household) -> VerificationRequest | None:
    """The household's verification that is not completed yet, if any (at most one)."""
    return (
        VerificationRequest.objects.filter(household=household)
        .exclude(status=VerificationRequest.Status.COMPLETED)
        .first()
    )


def verification_report(*, verification: VerificationRequest) -> dict:
    """What the report shows: the frozen result of a completed verification, or for one not completed yet a
    preview computed from the file as it is now (marked as such; it changes with the evidence)."""
    if verification.is_completed:
        return verification.result | {"preview": False}
    from jiuzhu.core.workdays import china_date
    from jiuzhu.verification.portrait import household_portrait
    from jiuzhu.verification.timeline import timeline

    portrait = household_portrait(verification.household, as_of=china_date(timezone.now()))
    return portrait | {"timeline": timeline(verification), "preview": True}
