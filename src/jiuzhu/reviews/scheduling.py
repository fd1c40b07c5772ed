"""Review schedules (动态复核) and their work orders.

* `schedules_sync` keeps one ReviewSchedule per household and kind in line with what colours.yaml asks for now;
* `review_orders_open` opens one ReviewRecord and one review work order per household, kind and period (the period
  is the due date) for every schedule that is due — running it twice opens nothing new;
* `review_closings_collect` reads the review work orders (by origin "review" and the record's id) and counts a
  review as done on the day its work order was closed; the next one is due `every_months` after that day.

The work orders are the workorders app's (owner: the household's community; deadline: that app's rule for
kind "review"). Nothing here listens to signals: the nightly task reads the work orders' state.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit
from jiuzhu.registry.choices import ColorClass, ProgrammeStatusValue
from jiuzhu.registry.models import Household, ProgrammeStatus
from jiuzhu.reviews.classify import Outcome
from jiuzhu.reviews.models import ReviewKind, ReviewRecord, ReviewSchedule

log = logging.getLogger(__name__)
ORIGIN = "review"
CHUNK = 500
RECEIVING = (ProgrammeStatusValue.ACTIVE, ProgrammeStatusValue.GRADUAL_EXIT)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def community_of(unit: OrgUnit) -> OrgUnit:
    """The community a grid belongs to (a community, street or district is its own owner)."""
    if unit.level != OrgUnit.Level.GRID:
        return unit
    return unit.ancestors().filter(level=OrgUnit.Level.COMMUNITY).last() or unit


def _anchors(household_ids: list[int], today: date) -> dict[int, date]:
    """Where a household's first review is counted from: the earliest start of a programme it receives now."""
    found: dict[int, date] = {}
    rows = ProgrammeStatus.objects.filter(household_id__in=household_ids, status__in=RECEIVING, since__lte=today)
    for household_id, since, until in rows.values_list("household_id", "since", "until"):
        if until is None or until >= today:
            found[household_id] = min(found.get(household_id, since), since)
    return found


def schedules_sync(outcomes: list[Outcome], *, today: date) -> int:
    """Create, change or deactivate schedules to match the outcomes; returns how many rows changed.

    A new schedule is due `every_months` after the anchor (the start of the programme), but not before today.
    A changed interval moves the next due date (from the last review, or the anchor) unless a review of that kind
    is open: the open one is finished first.
    """
    decided = [o for o in outcomes if not o.skipped]
    ids = [o.household.pk for o in decided]
    existing: dict[int, dict[str, ReviewSchedule]] = defaultdict(dict)
    for s in ReviewSchedule.objects.filter(household_id__in=ids):
        existing[s.household_id][s.kind] = s
    open_kinds = set(
        ReviewRecord.objects.filter(household_id__in=ids, status=ReviewRecord.Status.OPEN).values_list(
            "household_id", "kind"
        )
    )
    anchors = _anchors(ids, today)
    changed = 0
    for outcome in decided:
        hid = outcome.household.pk
        mine = existing[hid]
        for kind, need in outcome.needs.items():
            schedule = mine.get(kind)
            if schedule is None:
                anchor = anchors.get(hid, today)
                ReviewSchedule.objects.create(
                    household_id=hid,
                    kind=kind,
                    every_months=need.every_months,
                    basis=need.basis,
                    reference=need.reference,
                    anchor_on=anchor,
                    next_due_on=max(today, add_months(anchor, need.every_months)),
                )
                changed += 1
                continue
            if (schedule.every_months, schedule.basis, schedule.reference, schedule.active) == (
                need.every_months,
                need.basis,
                need.reference,
                True,
            ):
                continue
            moved = schedule.every_months != need.every_months or not schedule.active
            schedule.every_months, schedule.basis, schedule.reference = need.every_months, need.basis, need.reference
            if not schedule.active and schedule.last_done_on is None:
                schedule.anchor_on = anchors.get(hid, today)
            schedule.active = True
            if moved and (hid, kind) not in open_kinds:
                start = schedule.last_done_on or schedule.anchor_on
                schedule.next_due_on = max(today, add_months(start, schedule.every_months))
            schedule.save()
            changed += 1
        for kind, schedule in mine.items():
            if kind not in outcome.needs and schedule.active:
                schedule.active = False
                schedule.save(update_fields=["active", "updated_at"])
                changed += 1
    return changed


# --- The workorders app: the only two places this module touches it ------------------------------------------


def _create_order(**fields):
    from jiuzhu.workorders.services import work_order_create

    return work_order_create(**fields)


def _closed_orders(record_ids: list[int]) -> list[tuple[int, object]]:
    """(origin_id, closed_at) of the closed review work orders of these records."""
    from jiuzhu.workorders.models import WorkOrder

    rows = WorkOrder.objects.filter(origin=ORIGIN, origin_id__in=record_ids, status="closed")
    return list(rows.values_list("origin_id", "closed_at"))


def _describe(schedule: ReviewSchedule, due_on: date) -> tuple[str, str]:
    household = schedule.household
    head = household.head()
    colour = ColorClass(household.color_class).label if household.color_class else "未分类"
    kind = ReviewKind(schedule.kind).label
    title = f"{kind}：{household.number} {head.name if head else ''}（{colour}）"
    description = "\n".join(
        [
            f"复核类型：{kind}（每{schedule.every_months}个月一次）",
            f"应复核日期：{due_on.isoformat()}",
            f"安排依据：{schedule.basis}",
            f"文件依据：{schedule.reference}" if schedule.reference else "",
            f"上次完成：{schedule.last_done_on.isoformat() if schedule.last_done_on else '平台上尚无记录'}",
            "办结后平台按办结日期计为已复核，下次复核自办结之日起算。",
        ]
    )
    return title, "\n".join(line for line in description.splitlines() if line)


def review_orders_open(*, today: date | None = None, locality: str | None = None) -> dict[str, int]:
    """Open a review (record + work order) for every active schedule due by today without an open review.

    Idempotent: a record exists at most once per household, kind and due date, and at most one is open per kind.
    A work order that cannot be made (say, a year the working-day calendar does not know) leaves nothing behind
    for that household; it is counted in `failed` and tried again the next night.
    """
    today = today or china_date(timezone.now())
    open_review = ReviewRecord.objects.filter(
        household=OuterRef("household"), kind=OuterRef("kind"), status=ReviewRecord.Status.OPEN
    )
    due = (
        ReviewSchedule.objects.filter(active=True, next_due_on__lte=today)
        .exclude(Exists(open_review))
        .select_related("household", "household__org_unit")
        .order_by("next_due_on", "pk")
    )
    counts = {"opened": 0, "failed": 0}
    for schedule in due.iterator(chunk_size=CHUNK):
        try:
            with transaction.atomic():
                record, created = ReviewRecord.objects.get_or_create(
                    household=schedule.household,
                    kind=schedule.kind,
                    due_on=schedule.next_due_on,
                    defaults={"schedule": schedule, "opened_at": timezone.now()},
                )
                if not created:
                    continue
                title, description = _describe(schedule, schedule.next_due_on)
                order = _create_order(
                    actor=None,
                    kind="review",
                    title=title,
                    description=description,
                    household=schedule.household,
                    owner_unit=community_of(schedule.household.org_unit),
                    origin=ORIGIN,
                    origin_id=record.pk,
                    locality=locality,
                )
                record.work_order_id = order.pk
                record.save(update_fields=["work_order_id"])
                audit.record(
                    actor=None,
                    action="review.open",
                    obj=record,
                    changes={"kind": schedule.kind, "due_on": schedule.next_due_on.isoformat(), "work_order": order.pk},
                )
        except JiuzhuError as exc:
            counts["failed"] += 1
            log.warning("review of household %s not opened: %s", schedule.household.number, exc.message)
            continue
        counts["opened"] += 1
    return counts


def record_complete(*, record: ReviewRecord, done_on: date, via: str, actor=None) -> ReviewRecord:
    """Count an open review as done on `done_on`; the schedule's next due date moves from that day."""
    record.status, record.done_on, record.done_via = ReviewRecord.Status.DONE, done_on, via
    record.save(update_fields=["status", "done_on", "done_via"])
    schedule = ReviewSchedule.objects.select_for_update().get(pk=record.schedule_id)
    _schedule_done(schedule, done_on)
    audit.record(
        actor=actor,
        action="review.done",
        obj=record,
        changes={"done_on": done_on.isoformat(), "via": via, "next_due_on": schedule.next_due_on.isoformat()},
    )
    return record


def _schedule_done(schedule: ReviewSchedule, done_on: date) -> None:
    if schedule.last_done_on is None or done_on > schedule.last_done_on:
        schedule.last_done_on = done_on
    schedule.next_due_on = add_months(schedule.last_done_on, schedule.every_months)
    schedule.save(update_fields=["last_done_on", "next_due_on", "updated_at"])


def review_closings_collect() -> int:
    """Mark done every open review whose work order has been closed, on the day it was closed (China time)."""
    done = 0
    open_ids = list(
        ReviewRecord.objects.filter(status=ReviewRecord.Status.OPEN, work_order_id__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for start in range(0, len(open_ids), CHUNK):
        chunk = open_ids[start : start + CHUNK]
        for origin_id, closed_at in _closed_orders(chunk):
            with transaction.atomic():
                record = ReviewRecord.objects.select_for_update().get(pk=int(origin_id))
                if not record.can_complete():
                    continue
                record_complete(
                    record=record, done_on=china_date(closed_at or timezone.now()), via=ReviewRecord.Via.WORK_ORDER
                )
                done += 1
    return done


def schedule_revisit_done(*, household: Household, visited_on: date, actor) -> None:
    """A coordinator's revisit record counts as the household's revisit of its period."""
    record = (
        ReviewRecord.objects.select_for_update()
        .filter(household=household, kind=ReviewKind.REVISIT, status=ReviewRecord.Status.OPEN)
        .first()
    )
    if record is not None:
        record_complete(record=record, done_on=visited_on, via=ReviewRecord.Via.REVISIT, actor=actor)
        return
    schedule = ReviewSchedule.objects.select_for_update().filter(household=household, kind=ReviewKind.REVISIT).first()
    if schedule is not None:
        _schedule_done(schedule, visited_on)
