"""The pages: list with countdowns and filters, detail with its forms, 督办, photos served only to who may see them,
and the workbench counts."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.workorders.conftest import aware
from tests.workorders.test_workflow import png


def logged_in(actor) -> Client:
    client = Client()
    client.force_login(actor)
    return client


def test_the_list_shows_countdowns_and_filters(make_order, street_officer_a, time_machine):
    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    make_order(title="当日线索", kind="grid_lead")
    time_machine.move_to(aware("2024-03-04 15:00:00+08:00"), tick=False)
    make_order(title="昨日线索", kind="grid_lead")
    time_machine.move_to(aware("2024-03-05 20:00:00+08:00"), tick=False)
    client = logged_in(street_officer_a)
    page = client.get(reverse("workorders:list")).content.decode()
    assert "剩余4小时" in page and "已超期21小时" in page
    overdue = client.get(reverse("workorders:list") + "?overdue=1").content.decode()
    assert "昨日线索" in overdue and "当日线索" not in overdue
    # htmx asks for the rows only
    rows = client.get(reverse("workorders:list") + "?kind=grid_lead", HTTP_HX_REQUEST="true").content.decode()
    assert rows.lstrip().startswith('<div id="work-orders">') and "<html" not in rows
    time_machine.move_to(aware("2024-03-09 20:00:00+08:00"), tick=False)
    assert "已超期5天" in logged_in(street_officer_a).get(reverse("workorders:list")).content.decode()


def test_detail_feedback_with_photo_and_close(make_order, household_a, street_officer_a, street_officer_b):
    order = make_order(household=household_a, description="自付医疗费用 45000 元")
    client = logged_in(street_officer_a)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "自付医疗费用 45000 元" in page and reverse("web:household_detail", args=[household_a.pk]) in page
    assert client.post(reverse("workorders:accept", args=[order.pk])).status_code == 302
    response = client.post(reverse("workorders:feedback", args=[order.pk]), {"note": "已入户", "photos": [png()]})
    assert response.status_code == 302
    photo = order.attachments.get()
    url = reverse("workorders:attachment", args=[order.pk, photo.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert logged_in(street_officer_b).get(url).status_code == 404
    # a text file dressed as a photo is refused on the page with the reason
    fake = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    bad = client.post(reverse("workorders:feedback", args=[order.pk]), {"note": "x", "photos": [fake]})
    assert bad.status_code == 400 and "不是可识别的图片" in bad.content.decode()
    refused = client.post(reverse("workorders:close", args=[order.pk]), {"feedback": ""})
    assert refused.status_code == 400
    assert client.post(reverse("workorders:close", args=[order.pk]), {"feedback": "已协助申请"}).status_code == 302
    order.refresh_from_db()
    assert order.is_closed and order.feedback == "已协助申请"


def test_a_refused_transition_on_the_page_says_why(make_order, supervisor):
    order = make_order()
    client = logged_in(supervisor)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'id="close-form"' not in page and "不能办理" in page
    response = client.post(reverse("workorders:close", args=[order.pk]), {"feedback": "督查"})
    assert response.status_code == 403 and "无权" in response.content.decode()
    response = client.post(reverse("workorders:reassign", args=[order.pk]), {"target": "unit:1"})
    assert response.status_code == 403


def test_supervision_and_workbench_counts(make_order, units, street_officer_a, liaison, time_machine):
    from jiuzhu.workorders.services import work_orders_escalate_overdue

    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    order = make_order(title="社区超期线索", kind="grid_lead", owner_unit=units["community_a"])
    make_order(title="部门事项", owner_department=units["department"])
    time_machine.move_to(aware("2024-03-06 09:00:00+08:00"), tick=False)
    work_orders_escalate_overdue()
    client = logged_in(street_officer_a)
    assert "社区超期线索" in client.get(reverse("workorders:supervision")).content.decode()
    bench = client.get(reverse("web:workbench")).content.decode()
    assert 'id="work-orders-open"' in bench and 'id="work-orders-escalated"' in bench
    detail = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert "已升级至拓东街道督办" in detail
    # a liaison's workbench counts only their department's order
    bench = logged_in(liaison).get(reverse("web:workbench")).content.decode()
    assert 'id="work-orders-open"' in bench and 'id="work-orders-escalated"' not in bench


def test_return_and_reassign_on_the_page(make_order, units, street_officer_a, coordinator_a):
    order = make_order()
    client = logged_in(street_officer_a)
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert f'value="unit:{units["community_a"].pk}"' in page and f'value="unit:{units["street_b"].pk}"' not in page
    response = client.post(
        reverse("workorders:reassign", args=[order.pk]), {"target": f"unit:{units['community_a'].pk}"}
    )
    assert response.status_code == 302
    coordinator = logged_in(coordinator_a)
    response = coordinator.post(reverse("workorders:return", args=[order.pk]), {"reason": "非本社区居民"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.owner_unit == units["street_a"]
