"""Who sees which work orders: missing and forbidden look the same."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jiuzhu.core.errors import NotFound
from jiuzhu.workorders import selectors
from jiuzhu.workorders import services as s
from tests.factories import make_staff


@pytest.fixture
def orders(make_order, units):
    return {
        "street_a": make_order(title="拓东街道的工单"),
        "street_b": make_order(title="鼓楼街道的工单", owner_unit=units["street_b"]),
        "grid_a": make_order(title="拓东网格的工单", owner_unit=units["grid_a"]),
        "department": make_order(title="人社局的工单", owner_department=units["department"]),
    }


def visible(actor) -> set[str]:
    return set(selectors.work_order_list(actor=actor).values_list("title", flat=True))


def test_street_a_cannot_see_street_bs_order(orders, street_officer_a):
    assert visible(street_officer_a) == {"拓东街道的工单", "拓东网格的工单"}
    with pytest.raises(NotFound):
        selectors.work_order_get(actor=street_officer_a, id=orders["street_b"].pk)
    with pytest.raises(NotFound):
        selectors.work_order_get(actor=street_officer_a, id=987654)  # missing looks the same


def test_a_liaison_sees_only_their_departments_orders(orders, liaison, units):
    assert visible(liaison) == {"人社局的工单"}
    # a social organisation of the same department sees the same, and nothing of the streets
    social = make_staff("social", "social_organisation", units["district"], department=units["department"])
    assert visible(social) == {"人社局的工单"}
    with pytest.raises(NotFound):
        selectors.work_order_get(actor=liaison, id=orders["street_a"].pk)


def test_a_grid_worker_sees_their_grid_and_what_is_assigned_to_them(orders, grid_worker_a, street_officer_a):
    assert visible(grid_worker_a) == {"拓东网格的工单"}
    s.work_order_assign(actor=street_officer_a, work_order=orders["street_a"], assignee=grid_worker_a)
    assert visible(grid_worker_a) == {"拓东网格的工单", "拓东街道的工单"}


def test_the_district_and_the_supervisor_see_everything_in_scope(orders, approver, supervisor):
    everything = {o.title for o in orders.values()}
    assert visible(approver) == everything
    assert visible(supervisor) == everything
    assert not orders["street_a"].can_close(supervisor)


def test_an_order_escalated_to_a_street_is_visible_there(make_order, units, street_officer_b):
    # an order owned by a community is always the street's; one escalated from elsewhere shows by escalated_to
    order = make_order(owner_unit=units["district"])
    order.escalated_to = units["street_b"]
    order.save()
    assert order in selectors.work_order_list(actor=street_officer_b)


def test_every_page_of_another_streets_order_is_not_found(orders, street_officer_a):
    client = Client()
    client.force_login(street_officer_a)
    foreign = orders["street_b"]
    for name in ("detail", "accept", "assign", "feedback", "close", "return", "reassign"):
        url = reverse(f"workorders:{name}", args=[foreign.pk])
        for method in ("get", "post"):
            assert getattr(client, method)(url).status_code in (404, 405), (method, url)
    photo_url = reverse("workorders:attachment", args=[foreign.pk, 1])
    assert client.get(photo_url).status_code == 404
    for path in (f"/api/v1/workorders/{foreign.pk}", f"/api/v1/workorders/{foreign.pk}/close"):
        response = (
            client.post(path, "{}", content_type="application/json") if path.endswith("close") else client.get(path)
        )
        assert response.status_code == 404
