"""/api/v1/leads: a partner system (12345) sends leads with its bearer token; lists and reads are scoped."""

from __future__ import annotations

import pytest

from jiuzhu.org.services import api_client_create
from tests.factories import new_id_number
from tests.leads.conftest import china

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(street_officer_a):
    _, token = api_client_create(actor=None, name="12345 热线系统", staff=street_officer_a)
    return token


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def payload(**extra) -> dict:
    return {
        "channel": "hotline_12345",
        "reference": "GD20240308001",
        "received_at": "2024-03-08T10:30:00+08:00",
        "situation": "sudden_illness",
        "description": "来电反映邻居独居，突发重病住院无人照料",
        "reporter_name": "周女士",
        "reporter_phone": "13812340000",
        "reporter_relation": "resident",
        "subject_name": "孙立",
        "subject_id_number": new_id_number(),
        "subject_address": "拓东路 20 号",
    } | extra


def test_a_partner_system_creates_a_lead_with_its_token(client, token, units, time_machine):
    time_machine.move_to(china("2024-03-08 10:31"))
    # when the hotline system posts a lead with its bearer token
    response = client.post("/api/v1/leads", payload(), content_type="application/json", **bearer(token))
    # then it is the street's work order, due the next working day, with the numbers masked
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner_unit"] == units["street_a"].name and body["work_order_id"]
    assert body["due_at"].startswith("2024-03-11T23:59:59")
    assert body["reporter_phone"] == "138****0000" and "*" in body["subject_id_number"]
    # and the same reference again is refused with the reason
    again = client.post("/api/v1/leads", payload(), content_type="application/json", **bearer(token))
    assert again.status_code == 400 and again.json()["code"] == "duplicate_reference"
    # and the list and detail answer it
    assert [row["id"] for row in client.get("/api/v1/leads", **bearer(token)).json()] == [body["id"]]
    assert client.get(f"/api/v1/leads/{body['id']}", **bearer(token)).json()["work_order_status"] == "open"


def test_without_a_token_nothing_is_created(client):
    assert client.post("/api/v1/leads", payload(), content_type="application/json").status_code in (401, 403)


def test_an_invalid_id_number_is_refused_in_chinese(client, token):
    number = new_id_number()
    response = client.post(
        "/api/v1/leads", payload(subject_id_number=number[:-1] + "Y"), content_type="application/json", **bearer(token)
    )
    assert response.status_code == 400 and "身份证号" in response.json()["detail"]


def test_another_streets_lead_is_not_found(client, token, street_officer_b, units):
    _, other = api_client_create(actor=None, name="鼓楼街道终端", staff=street_officer_b)
    created = client.post("/api/v1/leads", payload(), content_type="application/json", **bearer(other)).json()
    assert client.get(f"/api/v1/leads/{created['id']}", **bearer(token)).status_code == 404
    assert client.get("/api/v1/leads", **bearer(token)).json() == []
