"""Reads of monitoring, scoped to the actor. Missing and not-allowed look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiuzhu.core.errors import NotFound
from jiuzhu.monitoring.models import Alert, ScreeningRun
from jiuzhu.org.models import Staff


def alert_list(*, actor: Staff, status: str = "", scenario: str = "") -> QuerySet[Alert]:
    """Alerts about households in the actor's jurisdiction or routed to a unit in it (or, for a department's
    liaison, routed to their department). Alerts about persons not on file are the district's."""
    from jiuzhu.workorders.models import WorkOrder

    if not actor.is_active or not actor.has_perm("registry.view_household"):
        return Alert.objects.none()
    orders = WorkOrder.objects.filter(origin="alert")
    if actor.is_department_member:
        routed = orders.filter(owner_department_id=actor.department_id)
        qs = Alert.objects.filter(pk__in=routed.values("origin_id"))
    else:
        routed = orders.filter(owner_unit__path__startswith=actor.org_unit.path)
        qs = Alert.objects.filter(
            Q(household__org_unit__path__startswith=actor.org_unit.path) | Q(pk__in=routed.values("origin_id"))
        )
    if status == "open":
        qs = qs.filter(status__in=Alert.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if scenario:
        qs = qs.filter(scenario=scenario)
    return qs.select_related("household", "person").order_by("-raised_at")


def alert_get(*, actor: Staff, id: int) -> Alert:
    try:
        return alert_list(actor=actor).get(pk=id)
    except Alert.DoesNotExist:
        raise NotFound from None


def screening_run_list(*, actor: Staff) -> QuerySet[ScreeningRun]:
    if actor.is_department_member or not actor.has_perm("registry.view_household"):
        return ScreeningRun.objects.none()
    return ScreeningRun.objects.all()


def screening_run_get(*, actor: Staff, id: int) -> ScreeningRun:
    try:
        return screening_run_list(actor=actor).get(pk=id)
    except ScreeningRun.DoesNotExist:
        raise NotFound from None
