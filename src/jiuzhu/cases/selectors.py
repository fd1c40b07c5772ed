"""Reads of applications and cases, scoped to the actor's jurisdiction; missing and not-allowed look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiuzhu.cases.models import Application, Case
from jiuzhu.core.errors import NotFound
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import VIEW_HOUSEHOLD


def application_list(*, actor: Staff, status: str = "", query: str = "") -> QuerySet[Application]:
    """Applications accepted by a unit in the actor's jurisdiction, or of a household in it, or registered by them.
    Department members see none (their part comes to them as referrals)."""
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        return Application.objects.none()
    units = actor.jurisdiction()
    qs = Application.objects.filter(
        Q(unit__in=units) | Q(household__org_unit__in=units) | Q(created_by=actor) | Q(assisted_by=actor)
    )
    if actor.role == Staff.Role.GRID_WORKER:  # a grid worker follows the applications they helped with
        qs = Application.objects.filter(Q(created_by=actor) | Q(assisted_by=actor) | Q(household__org_unit__in=units))
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(number__icontains=query) | Q(applicant_name__icontains=query))
    return qs.distinct().select_related("unit", "household", "assisted_by")


def application_get(*, actor: Staff, id: int) -> Application:
    try:
        return application_list(actor=actor).get(pk=id)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def case_list(
    *, actor: Staff, status: str = "", step: str = "", overdue: bool = False, escalated: bool = False
) -> QuerySet[Case]:
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        return Case.objects.none()
    if actor.role == Staff.Role.GRID_WORKER:
        return Case.objects.none()
    units = actor.jurisdiction()
    qs = Case.objects.filter(Q(application__unit__in=units) | Q(household__org_unit__in=units))
    if status:
        qs = qs.filter(status=status)
    if step:
        qs = qs.filter(step=step)
    if overdue:
        now = timezone.now()
        qs = qs.filter(status=Case.Status.IN_PROGRESS).filter(Q(due_at__lt=now) | Q(step_due_at__lt=now))
    if escalated:
        qs = qs.filter(status=Case.Status.IN_PROGRESS, escalated_at__isnull=False)
    return qs.distinct().select_related("application", "application__unit", "household", "household__org_unit")


def case_get(*, actor: Staff, id: int) -> Case:
    try:
        return case_list(actor=actor).get(pk=id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def notice_list(*, unit) -> dict[str, list[Case]]:
    """A community's public notice board (57号 第十九条, 第二十四条): cases in their notice period, and the households
    approved — name, household size and amount only."""
    in_unit = Q(household__org_unit__path__startswith=unit.path)
    on_notice = Case.objects.filter(in_unit, status=Case.Status.IN_PROGRESS, step="notice")
    approved = Case.objects.filter(in_unit, status=Case.Status.APPROVED, amount__isnull=False)
    related = ("application", "household")
    return {
        "on_notice": list(on_notice.select_related(*related).order_by("notice_ends_on")),
        "approved": list(approved.select_related(*related).order_by("-decided_at")[:500]),
    }
