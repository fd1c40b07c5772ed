"""Overdue orders are escalated to the level above by the periodic job: once per level, audited, never when closed."""

from __future__ import annotations

from datetime import timedelta

from jiuzhu.audit.models import AuditEntry
from jiuzhu.workorders import selectors
from jiuzhu.workorders import services as s
from jiuzhu.workorders.models import WorkOrder
from jiuzhu.workorders.tasks import escalate_overdue
from tests.workorders.conftest import aware


def test_an_overdue_order_is_escalated_to_the_parent_once(make_order, units, street_officer_a, approver, time_machine):
    # given a community's grid lead at 15:00, due at the end of the day
    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    order = make_order(kind="grid_lead", owner_unit=units["community_a"])
    assert order.due_at == aware("2024-03-05 23:59:59+08:00")
    # when the job runs before the limit nothing happens
    assert escalate_overdue.call_local() == 0
    # when the job runs after midnight
    time_machine.move_to(aware("2024-03-06 00:05:00+08:00"), tick=False)
    assert escalate_overdue.call_local() == 1
    # then the street above is told to supervise it (督办), once
    order.refresh_from_db()
    assert (order.escalated_to, order.escalation_level) == (units["street_a"], 1)
    assert order in selectors.supervision_list(actor=street_officer_a)
    assert order in selectors.supervision_list(actor=approver)  # the district sees its streets' escalations
    # and running again, even much later, does not escalate it twice
    time_machine.move_to(aware("2024-03-09 09:00:00+08:00"), tick=False)
    assert escalate_overdue.call_local() == 0
    order.refresh_from_db()
    assert order.escalation_level == 1
    assert AuditEntry.objects.filter(action="work_order.escalate", object_id=str(order.pk)).count() == 1
    assert order.actions.filter(action="escalated").count() == 1


def test_closed_orders_never_escalate(make_order, street_officer_a, time_machine):
    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    order = make_order(kind="grid_lead")
    s.work_order_close(actor=street_officer_a, work_order=order, feedback="已核实上报")
    time_machine.move_to(aware("2024-03-10 15:00:00+08:00"), tick=False)
    assert s.work_orders_escalate_overdue() == 0
    order.refresh_from_db()
    assert order.escalation_level == 0 and order.escalated_to is None


def test_a_departments_overdue_order_goes_to_its_district(make_order, units, approver, time_machine):
    time_machine.move_to(aware("2024-03-05 10:00:00+08:00"), tick=False)
    order = make_order(kind="emergency", owner_department=units["department"])
    time_machine.shift(timedelta(hours=25))
    assert s.work_orders_escalate_overdue() == 1
    order.refresh_from_db()
    assert order.escalated_to == units["district"]
    assert [o.pk for o in selectors.supervision_list(actor=approver)] == [order.pk]


def test_a_returned_order_escalates_again_only_at_the_new_level(make_order, units, coordinator_a, time_machine):
    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    order = make_order(kind="grid_lead", owner_unit=units["community_a"])
    time_machine.move_to(aware("2024-03-06 08:00:00+08:00"), tick=False)
    s.work_orders_escalate_overdue()
    s.work_order_return(actor=coordinator_a, work_order=WorkOrder.objects.get(pk=order.pk), reason="非本社区居民")
    # now the street owns it, still overdue: the next level up is the district
    assert s.work_orders_escalate_overdue() == 1
    order.refresh_from_db()
    assert (order.escalated_to, order.escalation_level) == (units["district"], 2)
    assert s.work_orders_escalate_overdue() == 0


def test_the_task_runs_every_five_minutes():
    from datetime import datetime

    assert escalate_overdue.task_class().validate_datetime(datetime(2024, 3, 5, 10, 5))
    assert not escalate_overdue.task_class().validate_datetime(datetime(2024, 3, 5, 10, 7))
