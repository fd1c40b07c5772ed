"""POST /api/v1/verifications and GET /api/v1/verifications/{id}: the same services and selectors as the pages."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.org.services import api_client_create
from tests.verification.conftest import income


@pytest.fixture
def bearer(street_officer_a):
    _, token = api_client_create(actor=None, name="街道核对终端", staff=street_officer_a)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_a_request_without_authorization_is_refused(client, bearer, household_a):
    response = post(client, "/api/v1/verifications", {"household_id": household_a.pk}, bearer)
    assert response.status_code == 400
    assert response.json()["code"] == "authorization_missing" and "授权书" in response.json()["detail"]


def test_the_round_trip(client, bearer, household_a, spouse, hrss):
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1))
    # when a verification is requested on Friday 14 June 2024
    response = post(
        client,
        "/api/v1/verifications",
        {"household_id": household_a.pk, "purpose": "application", "authorization_signed_on": "2024-06-13"},
        bearer,
    )
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "requested" and created["result"] is None and created["overdue"] is False
    assert created["start_due_at"].startswith("2024-06-19T23:59:59")
    vid = created["id"]
    # then it can be followed, started and completed, and the result comes with it
    assert client.get(f"/api/v1/verifications/{vid}", **bearer).json()["status"] == "requested"
    assert post(client, f"/api/v1/verifications/{vid}/start", {}, bearer).json()["status"] == "started"
    assert post(client, f"/api/v1/verifications/{vid}/start", {}, bearer).status_code == 400
    assert post(client, f"/api/v1/verifications/{vid}/complete", {}, bearer).json()["status"] == "completed"
    body = client.get(f"/api/v1/verifications/{vid}", **bearer).json()
    assert body["status"] == "completed" and body["completed_by"] == "测试street_a"
    assert [f["kind"] for f in body["result"]["comparison"]["flags"]] == ["income_undeclared"]
    assert spouse.id_number not in str(body)


def test_another_streets_household_and_verification_are_not_found(client, bearer, household_b, street_officer_b):
    response = post(
        client,
        "/api/v1/verifications",
        {"household_id": household_b.pk, "authorization_signed_on": "2024-06-13"},
        bearer,
    )
    assert response.status_code == 404
    from jiuzhu.verification.services import verification_request

    theirs = verification_request(
        actor=street_officer_b, household=household_b, purpose="review", authorization_signed_on=date(2024, 6, 13)
    )
    assert client.get(f"/api/v1/verifications/{theirs.pk}", **bearer).status_code == 404
    assert client.get("/api/v1/verifications/987654", **bearer).json() == {"detail": "未找到该记录"}


def test_a_read_only_token_cannot_request(client, supervisor, household_a):
    _, token = api_client_create(actor=None, name="督查", staff=supervisor)
    response = post(
        client,
        "/api/v1/verifications",
        {"household_id": household_a.pk, "authorization_signed_on": "2024-06-13"},
        {"HTTP_AUTHORIZATION": f"Bearer {token}"},
    )
    assert response.status_code == 403
