"""Accept, feed back, close; return to the unit above; reassign below or to another department; refusals audited."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.audit.models import AuditEntry
from jiuzhu.org.services import department_create
from jiuzhu.workorders import attachments
from jiuzhu.workorders import services as s
from jiuzhu.workorders.deadlines import DeadlineRule
from jiuzhu.workorders.errors import WorkOrderError
from jiuzhu.workorders.models import WorkOrder, WorkOrderAction
from tests.factories import make_staff


def png(name: str = "现场.png", size: tuple[int, int] = (4, 4)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def steps(order: WorkOrder) -> list[str]:
    return list(order.actions.values_list("action", flat=True))


def test_a_street_accepts_feeds_back_and_closes(make_order, street_officer_a, tmp_path):
    order = make_order()
    assert order.status == WorkOrder.Status.OPEN and order.locality == "national"
    order = s.work_order_accept(actor=street_officer_a, work_order=order)
    assert (order.status, order.assignee) == (WorkOrder.Status.IN_PROGRESS, street_officer_a)
    entry = s.work_order_feedback(actor=street_officer_a, work_order=order, note="已电话联系家属", photos_in=[png()])
    photo = entry.attachments.get()
    assert photo.content_type == "image/png" and (attachments.root() / photo.path).is_file()
    assert attachments.root().is_relative_to(tmp_path)  # under DATA_DIR/media/workorders, never a static folder
    order = s.work_order_close(actor=street_officer_a, work_order=order, feedback="已入户核实，协助申请临时救助")
    assert order.status == WorkOrder.Status.CLOSED and order.closed_on_time()
    assert steps(order) == ["created", "accepted", "feedback", "closed"]
    assert AuditEntry.objects.filter(action="work_order.close", object_id=str(order.pk)).exists()


def test_closing_needs_feedback_and_a_photo_where_the_kind_asks_for_one(make_order, street_officer_a):
    order = make_order()
    with pytest.raises(WorkOrderError, match="办结须填写办理情况反馈"):
        s.work_order_close(actor=street_officer_a, work_order=order, feedback="  ")
    strict = make_order(deadline=DeadlineRule("当日", "测试", "same_day", photo_required=True))
    with pytest.raises(WorkOrderError, match="须上传至少一张现场照片"):
        s.work_order_close(actor=street_officer_a, work_order=strict, feedback="已核实")
    s.work_order_feedback(actor=street_officer_a, work_order=strict, note="", photos_in=[png()])
    assert s.work_order_close(actor=street_officer_a, work_order=strict, feedback="已核实").is_closed
    with pytest.raises(WorkOrderError, match="已办结，不能再办结"):
        s.work_order_close(actor=street_officer_a, work_order=strict, feedback="再次")


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", b"this is not an image at all"), ("shell.png", b"<?php echo 1; ?>"), ("doc.pdf", b"%PDF-1.4\n")],
)
def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(make_order, street_officer_a, name, content):
    order = make_order()
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(WorkOrderError, match="不是可识别的图片"):
        s.work_order_feedback(actor=street_officer_a, work_order=order, note="照片", photos_in=[upload])
    assert not order.attachments.exists() and not order.actions.filter(action="feedback").exists()
    assert not attachments.root().exists() or not any(attachments.root().rglob("*.*"))


def test_a_photo_too_large_is_refused(make_order, street_officer_a, monkeypatch):
    smaller = dataclasses.replace(attachments._photos, max_mb=0)
    monkeypatch.setattr(attachments, "checked_image", smaller.checked_image)
    with pytest.raises(WorkOrderError, match="超过 0 MB"):
        s.work_order_feedback(actor=street_officer_a, work_order=make_order(), note="", photos_in=[png()])


def test_a_community_returns_an_order_to_its_street_with_the_reason(make_order, units, coordinator_a):
    order = make_order(owner_unit=units["community_a"])
    s.work_order_accept(actor=coordinator_a, work_order=order)
    with pytest.raises(WorkOrderError, match="退回须写明原因"):
        s.work_order_return(actor=coordinator_a, work_order=order, reason="")
    order = s.work_order_return(actor=coordinator_a, work_order=order, reason="该户已搬离本社区，现居鼓楼街道")
    assert (order.owner_unit, order.status, order.assignee) == (units["street_a"], WorkOrder.Status.OPEN, None)
    back = order.actions.get(action=WorkOrderAction.Action.RETURNED)
    assert (back.from_label, back.to_label, back.actor) == ("拓东社区", "拓东街道", coordinator_a)
    assert AuditEntry.objects.get(action="work_order.return").reason.startswith("该户已搬离")


def test_the_district_cannot_return_further_up(make_order, units, approver):
    order = make_order(owner_unit=units["district"])
    with pytest.raises(WorkOrderError, match="已是最上级"):
        s.work_order_return(actor=approver, work_order=order, reason="不是我们的事")


def test_a_street_reassigns_to_a_community_and_the_due_time_stays(make_order, units, street_officer_a, coordinator_a):
    order = make_order()
    due = order.due_at
    order = s.work_order_reassign(actor=street_officer_a, work_order=order, to_unit=units["community_a"], note="请入户")
    assert (order.owner_unit, order.due_at) == (units["community_a"], due)
    # the community now handles it
    assert s.work_order_accept(actor=coordinator_a, work_order=order).status == WorkOrder.Status.IN_PROGRESS
    # the street cannot send it sideways to another street, nor to a unit above
    with pytest.raises(WorkOrderError, match="只能转派给本单位的下级单位"):
        s.work_order_reassign(actor=street_officer_a, work_order=order, to_unit=units["street_b"])
    with pytest.raises(WorkOrderError, match="只能转派给本单位的下级单位"):
        s.work_order_reassign(actor=coordinator_a, work_order=order, to_unit=units["street_a"])


def test_orders_go_on_to_another_department(make_order, units, liaison, approver):
    housing = department_create(actor=None, code="housing", name="住房和城乡建设局", district=units["district"])
    order = make_order(owner_department=units["department"], kind="department_feedback")
    order = s.work_order_reassign(actor=liaison, work_order=order, to_department=housing, note="属住房救助")
    assert order.owner_department == housing and order.owner_unit is None
    # and a department returns an order to the district
    housing_liaison = make_staff("housing", "department_liaison", units["district"], department=housing)
    order = s.work_order_return(actor=housing_liaison, work_order=order, reason="不属于住房救助范围")
    assert (order.owner_unit, order.owner_department) == (units["district"], None)


def test_assigning_a_grid_worker_lets_them_handle_it(make_order, units, coordinator_a, grid_worker_a, street_officer_b):
    order = make_order(owner_unit=units["community_a"])
    s.work_order_assign(actor=coordinator_a, work_order=order, assignee=grid_worker_a)
    assert s.work_order_accept(actor=grid_worker_a, work_order=order).assignee == grid_worker_a
    with pytest.raises(WorkOrderError, match="不在该工单的责任单位"):
        s.work_order_assign(actor=coordinator_a, work_order=order, assignee=street_officer_b)


@pytest.mark.parametrize("who", ["supervisor", "liaison", "street_officer_b", "grid_worker_a"])
def test_a_transition_by_a_role_without_the_right_is_refused_and_audited(request, make_order, who):
    actor = request.getfixturevalue(who)
    order = make_order()  # owned by street A
    for verb, call in [
        ("accept", lambda: s.work_order_accept(actor=actor, work_order=order)),
        ("close", lambda: s.work_order_close(actor=actor, work_order=order, feedback="已办")),
        ("reassign", lambda: s.work_order_reassign(actor=actor, work_order=order, to_unit=order.owner_unit)),
    ]:
        with pytest.raises(WorkOrderError) as caught:
            call()
        assert caught.value.code == "not_allowed" and "无权" in caught.value.message
        entry = AuditEntry.objects.get(action=f"work_order.{verb}.refused", object_id=str(order.pk))
        assert entry.actor == actor
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.OPEN and steps(order) == ["created"]


def test_the_system_may_close_an_order_when_its_cause_is_ruled_out(make_order):
    order = s.work_order_close(actor=None, work_order=make_order(), feedback="预警已排除：数据录入错误")
    assert order.is_closed and order.closed_by is None


def test_creating_checks_the_owner_and_the_senders_scope(
    units, street_officer_a, grid_worker_a, supervisor, household_b
):
    from jiuzhu.workorders.services import work_order_create

    base = {"kind": "grid_lead", "title": "独居老人", "description": "走访发现", "locality": "national"}
    with pytest.raises(WorkOrderError, match="有且只有一个"):
        work_order_create(actor=None, owner_unit=units["street_a"], owner_department=units["department"], **base)
    with pytest.raises(WorkOrderError, match="不认识的工单类型"):
        work_order_create(actor=None, owner_unit=units["street_a"], **base | {"kind": "gossip"})
    # a grid worker reports up to their community
    lead = work_order_create(actor=grid_worker_a, owner_unit=units["community_a"], **base)
    assert lead.created_by == grid_worker_a
    # a street cannot send work to another street, nor about another street's household
    with pytest.raises(WorkOrderError, match="不在您可以派单的范围内"):
        work_order_create(actor=street_officer_a, owner_unit=units["street_b"], **base)
    with pytest.raises(WorkOrderError, match="不在您的管辖范围内"):
        work_order_create(actor=street_officer_a, owner_unit=units["street_a"], household=household_b, **base)
    with pytest.raises(WorkOrderError):
        work_order_create(actor=supervisor, owner_unit=units["street_a"], **base)
