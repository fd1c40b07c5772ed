"""Writes of work orders (工单). Each runs in one transaction and writes its action-log row and audit entry there.

A refusal by role or scope is audited (`work_order.<verb>.refused`) before the transaction starts, so the record of
the attempt survives the refusal; the caller sees a WorkOrderError with a Chinese message.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.registry.models import Household, Person
from jiuzhu.workorders import attachments as photos
from jiuzhu.workorders.deadlines import DeadlineRule, resolve_locality, rule_for
from jiuzhu.workorders.errors import WorkOrderError
from jiuzhu.workorders.errors import WorkOrderErrorCode as E
from jiuzhu.workorders.models import WorkOrder, WorkOrderAction, WorkOrderAttachment

Action = WorkOrderAction.Action


def _log(order: WorkOrder, action: str, actor: Staff | None, *, note: str = "", src: str = "", to: str = ""):
    return WorkOrderAction.objects.create(
        work_order=order,
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", "")) if actor else "系统",
        at=timezone.now(),
        note=note,
        from_label=src[:200],
        to_label=to[:200],
    )


def _refuse(actor: Staff | None, order: WorkOrder, verb: str) -> WorkOrderError:
    audit.record(actor=actor, action=f"work_order.{verb}.refused", obj=order, changes={"status": order.status})
    return WorkOrderError(E.NOT_ALLOWED)


def _fresh(order: WorkOrder) -> WorkOrder:
    """The order as it is now: rights are judged on the current owner and assignee, not a caller's stale copy."""
    return WorkOrder.objects.select_related("owner_unit", "owner_department__district").get(pk=order.pk)


def _locked(order: WorkOrder) -> WorkOrder:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins (owner_unit / owner_department)
    qs = WorkOrder.objects.select_for_update(of=("self",))
    return qs.select_related("owner_unit", "owner_department__district").get(pk=order.pk)


def _open(order: WorkOrder, action: str) -> None:
    if order.is_closed:
        raise WorkOrderError(E.CLOSED, action=action)


def _top(unit: OrgUnit) -> int:
    return int(unit.path.strip("/").split("/")[0])


def _check_create_scope(actor: Staff, owner_unit, owner_department, household) -> None:
    """Anyone who works here (not the read-only supervisor) may send an order within their own district's tree:
    down to a unit below, up to their own unit's superiors (a grid worker's lead to the community), or to a
    department of the district. A department's members may send to units and departments of their district."""
    if actor.is_read_only or not actor.is_active:
        raise WorkOrderError(E.NOT_ALLOWED)
    target_unit = owner_unit or owner_department.district
    if _top(target_unit) != _top(actor.org_unit):
        raise WorkOrderError(E.OUT_OF_SCOPE, target=str(owner_unit or owner_department))
    related = owner_unit is None or actor.org_unit.contains(owner_unit) or owner_unit.contains(actor.org_unit)
    if not actor.is_department_member and not related:
        raise WorkOrderError(E.OUT_OF_SCOPE, target=str(owner_unit))
    if household is not None:
        from jiuzhu.registry.selectors import household_list

        if not household_list(actor=actor).filter(pk=household.pk).exists():
            raise WorkOrderError(E.HOUSEHOLD_OUT_OF_SCOPE)


@transaction.atomic
def work_order_create(
    *,
    actor: Staff | None,
    kind: str,
    title: str,
    description: str,
    household: Household | None = None,
    person: Person | None = None,
    owner_unit: OrgUnit | None = None,
    owner_department: Department | None = None,
    origin: str = "",
    origin_id: int | None = None,
    deadline: DeadlineRule | None = None,
    locality: str | None = None,
    opened_at: datetime | None = None,
) -> WorkOrder:
    """Open a work order (派单). `actor` None is the system (an automatic alert, the nightly screening).

    The due time is `deadline` (e.g. a warning scenario's own limit) or else the locality's rule for the kind in
    deadlines.yaml; for a review of a household with a colour, that colour's variant where one is configured.
    A working-day limit in a year the calendar does not know raises CalendarError (a Chinese message).
    """
    if kind not in WorkOrder.Kind.values:
        raise WorkOrderError(E.UNKNOWN_KIND, kind=kind)
    if (owner_unit is None) == (owner_department is None):
        raise WorkOrderError(E.ONE_OWNER)
    title = (title or "").strip()
    if not title:
        raise WorkOrderError(E.TITLE_REQUIRED)
    if actor is not None:
        _check_create_scope(actor, owner_unit, owner_department, household)
    if household is None and person is not None and (membership := person.current_membership()):
        household = membership.household
    folder = resolve_locality(locality)
    variant = household.color_class if (household is not None and kind == WorkOrder.Kind.REVIEW) else None
    kind_rule = rule_for(kind, locality=folder, variant=variant)
    rule = deadline or kind_rule
    opened_at = opened_at or timezone.now()
    order = WorkOrder.objects.create(
        kind=kind,
        title=title[:200],
        description=description or "",
        household=household,
        person=person,
        owner_unit=owner_unit,
        owner_department=owner_department,
        opened_at=opened_at,
        due_at=rule.due(opened_at),
        deadline_label=rule.label[:100],
        deadline_reference=rule.reference[:300],
        photo_required=kind_rule.photo_required or rule.photo_required,
        created_by=actor if actor is not None and actor.pk else None,
        origin=origin or "",
        origin_id=origin_id,
        locality=folder,
    )
    _log(order, Action.CREATED, actor, note=rule.label, to=order.owner_name)
    audit.record(
        actor=actor,
        action="work_order.create",
        obj=order,
        changes={
            "kind": kind,
            "owner": order.owner_name,
            "due_at": order.due_at.isoformat(),
            "deadline": rule.label,
            "reference": rule.reference,
            "origin": f"{origin}:{origin_id}" if origin else "",
        },
    )
    return order


def work_order_assign(*, actor: Staff, work_order: WorkOrder, assignee: Staff) -> WorkOrder:
    """Name the person who handles it (指派经办人): someone of the owner unit (or below) or of the department."""
    work_order = _fresh(work_order)
    if not work_order.can_assign(actor):
        raise _refuse(actor, work_order, "assign")
    return _assign(actor, work_order, assignee)


@transaction.atomic
def _assign(actor: Staff, work_order: WorkOrder, assignee: Staff) -> WorkOrder:
    order = _locked(work_order)
    _open(order, "指派")
    if order.owner_department_id:
        fits = assignee.department_id == order.owner_department_id
    else:
        fits = not assignee.is_department_member and order.owner_unit.contains(assignee.org_unit)
    if not fits or not assignee.is_active or assignee.is_read_only:
        raise WorkOrderError(E.ASSIGNEE_OUT_OF_UNIT, name=assignee.full_name)
    before = order.assignee.full_name if order.assignee_id else ""
    order.assignee = assignee
    order.save(update_fields=["assignee"])
    _log(order, Action.ASSIGNED, actor, src=before, to=assignee.full_name)
    audit.record(actor=actor, action="work_order.assign", obj=order, changes={"assignee": assignee.username})
    return order


def work_order_accept(*, actor: Staff, work_order: WorkOrder) -> WorkOrder:
    """Take it on (接收): open → in progress; the one who accepts becomes the assignee when none was named."""
    work_order = _fresh(work_order)
    if not work_order.is_handler(actor):
        raise _refuse(actor, work_order, "accept")
    return _accept(actor, work_order)


@transaction.atomic
def _accept(actor: Staff, work_order: WorkOrder) -> WorkOrder:
    order = _locked(work_order)
    if not order.can_accept(actor):
        raise WorkOrderError(E.CANNOT_ACCEPT, status=order.get_status_display())
    order.status = WorkOrder.Status.IN_PROGRESS
    order.assignee = order.assignee or actor
    order.save(update_fields=["status", "assignee"])
    _log(order, Action.ACCEPTED, actor, src=WorkOrder.Status.OPEN.label, to=WorkOrder.Status.IN_PROGRESS.label)
    audit.record(actor=actor, action="work_order.accept", obj=order)
    return order


def work_order_feedback(*, actor: Staff, work_order: WorkOrder, note: str, photos_in=()) -> WorkOrderAction:
    """Report progress (反馈): a note and/or photos. Photos are checked to be images before anything is kept."""
    work_order = _fresh(work_order)
    if not work_order.can_feedback(actor):
        raise _refuse(actor, work_order, "feedback")
    checked = [(upload, *photos.checked_image(upload)) for upload in photos_in]
    note = (note or "").strip()
    if not note and not checked:
        raise WorkOrderError(E.NOTE_REQUIRED)
    written: list[str] = []
    try:
        return _feedback(actor, work_order, note, checked, written)
    except BaseException:
        for relative in written:  # nothing half-kept: the photos go with the rolled-back rows
            photos.remove(relative)
        raise


@transaction.atomic
def _feedback(actor, work_order, note, checked, written) -> WorkOrderAction:
    order = _locked(work_order)
    _open(order, "反馈")
    entry = _log(order, Action.FEEDBACK, actor, note=note)
    for upload, data, content_type, extension in checked:
        relative = photos.store(order.pk, data, extension)
        written.append(relative)
        WorkOrderAttachment.objects.create(
            work_order=order,
            action=entry,
            path=relative,
            original_name=(getattr(upload, "name", "") or "照片")[:200],
            content_type=content_type,
            size=len(data),
            uploaded_by=actor,
            uploaded_at=entry.at,
        )
    audit.record(
        actor=actor, action="work_order.feedback", obj=order, changes={"note": note[:200], "photos": len(checked)}
    )
    return entry


def work_order_close(*, actor: Staff | None, work_order: WorkOrder, feedback: str) -> WorkOrder:
    """Close it with the handler's feedback (办结). `actor` None is the system (e.g. its alert was ruled out)."""
    work_order = _fresh(work_order)
    if actor is not None and not work_order.can_close(actor) and not work_order.is_closed:
        raise _refuse(actor, work_order, "close")
    return _close(actor, work_order, feedback)


@transaction.atomic
def _close(actor, work_order, feedback) -> WorkOrder:
    order = _locked(work_order)
    _open(order, "办结")
    feedback = (feedback or "").strip()
    if not feedback:
        raise WorkOrderError(E.FEEDBACK_REQUIRED)
    if order.photo_required and actor is not None and not order.attachments.exists():
        raise WorkOrderError(E.PHOTO_REQUIRED, kind=order.get_kind_display())
    order.status = WorkOrder.Status.CLOSED
    order.closed_at = timezone.now()
    order.closed_by = actor if actor is not None and actor.pk else None
    order.feedback = feedback
    order.save(update_fields=["status", "closed_at", "closed_by", "feedback"])
    _log(order, Action.CLOSED, actor, note=feedback, to=WorkOrder.Status.CLOSED.label)
    audit.record(
        actor=actor,
        action="work_order.close",
        obj=order,
        changes={"on_time": order.closed_on_time(), "feedback": feedback[:200]},
    )
    return order


def work_order_return(*, actor: Staff, work_order: WorkOrder, reason: str) -> WorkOrder:
    """Send it back to the unit above (退回), with the reason: e.g. the family does not live in this community."""
    work_order = _fresh(work_order)
    if not work_order.can_return(actor):
        if work_order.is_handler(actor) and work_order.level_above() is None:
            raise WorkOrderError(E.NO_UNIT_ABOVE, unit=work_order.owner_name)
        raise _refuse(actor, work_order, "return")
    return _return(actor, work_order, reason)


@transaction.atomic
def _return(actor, work_order, reason) -> WorkOrder:
    order = _locked(work_order)
    _open(order, "退回")
    reason = (reason or "").strip()
    if not reason:
        raise WorkOrderError(E.REASON_REQUIRED)
    above = order.level_above()
    before = order.owner_name
    order.owner_unit, order.owner_department = above, None
    order.status, order.assignee = WorkOrder.Status.OPEN, None
    order.save(update_fields=["owner_unit", "owner_department", "status", "assignee"])
    _log(order, Action.RETURNED, actor, note=reason, src=before, to=above.name)
    audit.record(
        actor=actor, action="work_order.return", obj=order, changes={"from": before, "to": above.name}, reason=reason
    )
    return order


def work_order_reassign(
    *,
    actor: Staff,
    work_order: WorkOrder,
    to_unit: OrgUnit | None = None,
    to_department: Department | None = None,
    note: str = "",
) -> WorkOrder:
    """Send it on (转派): to a unit below the owner unit (the street assigns a community), or to another
    department of the district. The due time stays what it was."""
    work_order = _fresh(work_order)
    if not work_order.can_reassign(actor):
        raise _refuse(actor, work_order, "reassign")
    return _reassign(actor, work_order, to_unit, to_department, note)


@transaction.atomic
def _reassign(actor, work_order, to_unit, to_department, note) -> WorkOrder:
    order = _locked(work_order)
    _open(order, "转派")
    if (to_unit is None) == (to_department is None):
        raise WorkOrderError(E.REASSIGN_TARGET)
    if to_unit is not None:
        ok = order.owner_unit_id and to_unit.pk != order.owner_unit_id and order.owner_unit.contains(to_unit)
        ok = ok and actor.org_unit.contains(to_unit)
    else:
        district = order.owner_department.district if order.owner_department_id else None
        if district is None:  # from a unit: a department of the unit's own district
            district = OrgUnit.objects.get(pk=_top(order.owner_unit))
        ok = to_department.pk != order.owner_department_id and to_department.district_id == district.pk
    if not ok:
        raise WorkOrderError(E.REASSIGN_TARGET)
    before = order.owner_name
    order.owner_unit, order.owner_department = to_unit, to_department
    order.status, order.assignee = WorkOrder.Status.OPEN, None
    order.save(update_fields=["owner_unit", "owner_department", "status", "assignee"])
    _log(order, Action.REASSIGNED, actor, note=(note or "").strip(), src=before, to=order.owner_name)
    audit.record(actor=actor, action="work_order.reassign", obj=order, changes={"from": before, "to": order.owner_name})
    return order


def work_orders_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue order not closed to the level above its owner (督办), once per level: an order already
    escalated to that unit is left alone. Returns how many were escalated. Run every 5 minutes (tasks.py)."""
    now = now or timezone.now()
    count = 0
    overdue = (
        WorkOrder.objects.exclude(status=WorkOrder.Status.CLOSED)
        .filter(due_at__lt=now)
        .select_related("owner_unit__parent", "owner_department__district")
        .order_by("due_at", "pk")
    )
    for order in overdue.iterator(chunk_size=500):
        above = order.level_above()
        if above is None or above.pk == order.escalated_to_id:
            continue
        count += _escalate(order, now)
    return count


@transaction.atomic
def _escalate(work_order: WorkOrder, now: datetime) -> int:
    order = _locked(work_order)
    above = order.level_above()
    if order.is_closed or above is None or above.pk == order.escalated_to_id or order.due_at >= now:
        return 0  # someone closed or moved it meanwhile
    order.escalated_to, order.escalated_at = above, now
    order.escalation_level += 1
    order.save(update_fields=["escalated_to", "escalated_at", "escalation_level"])
    late = now - order.due_at
    _log(
        order, Action.ESCALATED, None, note=f"超过办理期限，升级至{above.name}督办", src=order.owner_name, to=above.name
    )
    audit.record(
        actor=None,
        action="work_order.escalate",
        obj=order,
        changes={"to": above.name, "level": order.escalation_level, "overdue_hours": int(late.total_seconds() // 3600)},
    )
    return 1
