"""Reads of work orders, scoped to the actor. Missing and not-allowed look the same (NotFound)."""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiuzhu.core.errors import NotFound
from jiuzhu.org.models import Staff
from jiuzhu.workorders.models import WorkOrder, WorkOrderAttachment


def _scope(actor: Staff) -> Q | None:
    """Which orders the actor may see, or None for none at all.

    * a department's liaison or social organisation: their department's orders only;
    * a grid worker: their grid's orders and those assigned to them;
    * everyone else (the supervisor too, read-only): orders owned by or escalated to a unit in their jurisdiction,
      and the orders of the departments of a district in their jurisdiction.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    if actor.is_department_member:
        return Q(owner_department_id=actor.department_id) if actor.department_id else None
    if actor.role == Staff.Role.GRID_WORKER:
        return Q(owner_unit_id=actor.org_unit_id) | Q(assignee_id=actor.pk)
    path = actor.org_unit.path
    return (
        Q(owner_unit__path__startswith=path)
        | Q(escalated_to__path__startswith=path)
        | Q(owner_department__district__path__startswith=path)
    )


def work_order_list(
    *, actor: Staff, status: str = "", kind: str = "", overdue: bool = False, household=None
) -> QuerySet[WorkOrder]:
    """Work orders the actor may see, newest first; filters by status ("open" also matches in progress with
    `status="active"`), kind and overdue (not closed after the due time)."""
    scope = _scope(actor)
    if scope is None:
        return WorkOrder.objects.none()
    qs = WorkOrder.objects.filter(scope)
    if status == "active":
        qs = qs.exclude(status=WorkOrder.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue:
        qs = qs.exclude(status=WorkOrder.Status.CLOSED).filter(due_at__lt=timezone.now())
    if household is not None:
        qs = qs.filter(household=household)
    return qs.select_related(
        "household",
        "person",
        "owner_unit",
        "owner_department",
        "assignee",
        "escalated_to",
        "owner_department__district",
    )


def work_order_get(*, actor: Staff, id: int) -> WorkOrder:
    try:
        return work_order_list(actor=actor).get(pk=id)
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def supervision_list(*, actor: Staff) -> QuerySet[WorkOrder]:
    """督办: overdue orders not closed that were escalated to a unit in the actor's jurisdiction."""
    if actor is None or not actor.is_active or actor.is_department_member or actor.role == Staff.Role.GRID_WORKER:
        return WorkOrder.objects.none()
    return (
        work_order_list(actor=actor)
        .exclude(status=WorkOrder.Status.CLOSED)
        .filter(escalated_to__path__startswith=actor.org_unit.path)
        .order_by("due_at", "pk")
    )


def attachment_get(*, actor: Staff, work_order_id: int, id: int) -> WorkOrderAttachment:
    order = work_order_get(actor=actor, id=work_order_id)
    try:
        return order.attachments.get(pk=id)
    except (WorkOrderAttachment.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def counts(*, actor: Staff) -> dict[str, int]:
    """For the workbench: orders not closed, of them overdue, and (for units) escalated to the actor's scope."""
    active = work_order_list(actor=actor).exclude(status=WorkOrder.Status.CLOSED)
    return {
        "open": active.count(),
        "overdue": active.filter(due_at__lt=timezone.now()).count(),
        "escalated": supervision_list(actor=actor).count(),
    }


def countdown(order: WorkOrder, now: datetime | None = None) -> dict:
    """For lists: {"state": "due" | "overdue" | "on_time" | "late", "hours": int, "days": int, "text": "剩余5小时"}."""
    now = now or timezone.now()
    if order.is_closed:
        if order.closed_on_time():
            return {"state": "on_time", "text": "按期办结"}
        days = math.ceil((order.closed_at - order.due_at).total_seconds() / 86400)
        return {"state": "late", "days": days, "text": f"逾期{days}天办结"}
    seconds = (order.due_at - now).total_seconds()
    if seconds >= 0:
        hours = math.ceil(seconds / 3600)
        if hours <= 48:
            return {"state": "due", "hours": hours, "text": f"剩余{hours}小时"}
        return {"state": "due", "days": hours // 24, "text": f"剩余{hours // 24}天"}
    late = -seconds
    if late < 86400:
        hours = math.ceil(late / 3600)
        return {"state": "overdue", "hours": hours, "text": f"已超期{hours}小时"}
    days = math.ceil(late / 86400)
    return {"state": "overdue", "days": days, "text": f"已超期{days}天"}


def reassign_targets(*, actor: Staff, work_order: WorkOrder) -> list[tuple[str, str]]:
    """Where the actor may send the order on: units below its owner unit (within the actor's jurisdiction), then
    the other departments of its district. Values are "unit:<id>" and "department:<id>"."""
    from jiuzhu.org.models import Department

    if not work_order.can_reassign(actor):
        return []
    choices: list[tuple[str, str]] = []
    if work_order.owner_unit_id:
        below = (
            work_order.owner_unit.subtree()
            .exclude(pk=work_order.owner_unit_id)
            .filter(path__startswith=actor.org_unit.path, is_active=True)
            .order_by("path")
        )
        choices += [(f"unit:{u.pk}", u.name) for u in below[:200]]
        district_id = int(work_order.owner_unit.path.strip("/").split("/")[0])
    else:
        district_id = work_order.owner_department.district_id
    departments = Department.objects.filter(district_id=district_id).exclude(pk=work_order.owner_department_id)
    choices += [(f"department:{d.pk}", d.name) for d in departments.order_by("code")]
    return choices


def assignee_choices(*, actor: Staff, work_order: WorkOrder) -> list[Staff]:
    if not work_order.can_assign(actor):
        return []
    if work_order.owner_department_id:
        qs = Staff.objects.filter(department_id=work_order.owner_department_id)
    else:
        qs = Staff.objects.filter(org_unit__path__startswith=work_order.owner_unit.path).exclude(
            role__in=[Staff.Role.DEPARTMENT_LIAISON, Staff.Role.SOCIAL_ORGANISATION]
        )
    return list(qs.filter(is_active=True).exclude(role=Staff.Role.SUPERVISOR).order_by("full_name")[:200])
