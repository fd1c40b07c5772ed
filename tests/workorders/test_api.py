"""工单 over /api/v1/workorders: scoped like the pages, personal data masked, feedback and closing."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.fixture
def client_for():
    def make(actor):
        client = Client()
        client.force_login(actor)
        return client

    return make


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_list_and_detail_with_masked_identity(make_order, household_a, street_officer_a, street_officer_b, client_for):
    head = household_a.head()
    order = make_order(household=household_a, person=head)
    body = client_for(street_officer_a).get("/api/v1/workorders?status=open&kind=alert").json()
    assert body["count"] == 1 and body["items"][0]["id"] == order.pk
    item = body["items"][0]
    assert item["kind_label"] == "预警核查" and item["owner"] == "拓东街道" and item["countdown"].startswith("剩余")
    assert item["person_id_number"] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert head.id_number not in json.dumps(body)
    detail = client_for(street_officer_a).get(f"/api/v1/workorders/{order.pk}").json()
    assert [a["action"] for a in detail["actions"]] == ["created"]
    assert client_for(street_officer_b).get("/api/v1/workorders").json()["count"] == 0
    assert client_for(street_officer_b).get(f"/api/v1/workorders/{order.pk}").status_code == 404


def test_feedback_and_close(make_order, street_officer_a, client_for):
    order = make_order()
    client = client_for(street_officer_a)
    response = post(client, f"/api/v1/workorders/{order.pk}/feedback", {"note": "已联系社区"})
    assert response.status_code == 200 and response.json()["actions"][-1]["note"] == "已联系社区"
    response = post(client, f"/api/v1/workorders/{order.pk}/close", {"feedback": ""})
    assert response.status_code == 400 and "办结须填写" in response.json()["detail"]
    response = post(client, f"/api/v1/workorders/{order.pk}/close", {"feedback": "已入户核实"})
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_the_supervisor_reads_but_cannot_close(make_order, supervisor, client_for):
    order = make_order()
    client = client_for(supervisor)
    assert client.get(f"/api/v1/workorders/{order.pk}").status_code == 200
    response = post(client, f"/api/v1/workorders/{order.pk}/close", {"feedback": "督查关闭"})
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
