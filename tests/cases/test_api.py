"""Applications and cases over /api/v1/cases: register, accept, walk the steps and decide with the same rules as
the pages; a role without the right is refused (403) and nothing moves; another street's objects are not found;
phones and ID numbers are masked."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from jiuzhu.cases import intake
from jiuzhu.cases.models import Application, Case
from tests.cases.conftest import DIBAO_MATERIALS


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def registered(street_officer_a, poor_household, units):
    def make(**extra):
        body = {
            "unit_id": units["street_a"].pk,
            "household_id": poor_household.pk,
            "applicant_name": "王福贵",
            "phone": "13900001111",
            "programmes": ["dibao"],
            "materials_provided": DIBAO_MATERIALS,
            "authorization_signed_on": "2024-09-02",
        } | extra
        return post(client_for(street_officer_a), "/api/v1/cases/applications", body)

    return make


def test_register_accept_walk_and_decide(
    registered, street_officer_a, coordinator_a, coordinator_a2, approver, walk, time_machine
):
    time_machine.move_to(date(2024, 9, 2))
    response = registered()
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["phone"] == "139****1111"
    window = client_for(street_officer_a)
    accepted = post(window, f"/api/v1/cases/applications/{body['id']}/accept").json()
    (case,) = accepted["cases"]
    assert case["step"] == "investigation" and case["step_due_label"] == "受理后3个工作日内启动调查"
    assert case["required_steps"][0] == "investigation" and case["required_steps"][-1] == "approval"
    community = client_for(coordinator_a)
    moved = post(
        community,
        f"/api/v1/cases/cases/{case['id']}/actions/investigate",
        {"investigators": [coordinator_a.pk, coordinator_a2.pk], "findings": "家中陈设简陋"},
    )
    assert moved.status_code == 200 and moved.json()["step"] == "verification"
    walk(Case.objects.get(pk=case["id"]), until="approval")
    decided = post(
        client_for(approver), f"/api/v1/cases/cases/{case['id']}/actions/decide", {"approve": True, "opinion": "同意"}
    ).json()
    assert decided["status"] == "approved" and decided["payment_from"] == "2024-10-01" and decided["decision_number"]
    assert [a["action"] for a in decided["actions"]][-1] == "approve"
    # a second decision is refused with the reason
    again = post(
        client_for(approver), f"/api/v1/cases/cases/{case['id']}/actions/decide", {"approve": False, "opinion": "x"}
    )
    assert again.status_code == 400 and "不能重复决定" in again.json()["detail"]


def test_an_incomplete_application_is_a_draft_listing_what_is_missing(registered):
    body = registered(materials_provided=[]).json()
    assert body["status"] == "draft" and "低保申请书" in body["materials_missing"]


def test_bad_input_is_refused_in_chinese(registered):
    response = registered(phone="12345", programmes=["dibao"])
    assert response.status_code == 400 and "手机号" in response.json()["detail"]
    assert registered(programmes=[]).status_code == 400
    assert "委托或授权" in registered(channel="assisted").json()["detail"]
    assert not Application.objects.exists()


def test_a_role_without_the_right_is_refused_and_nothing_moves(apply, street_officer_a, coordinator_a, time_machine):
    time_machine.move_to(date(2024, 9, 2))
    application = apply()
    refused = post(client_for(coordinator_a), f"/api/v1/cases/applications/{application.pk}/accept")
    assert refused.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted" and not Case.objects.exists()


def test_another_streets_objects_are_not_found_and_lists_are_scoped(apply, street_officer_a, street_officer_b):
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = application.cases.get()
    other = client_for(street_officer_b)
    assert other.get(f"/api/v1/cases/applications/{application.pk}").status_code == 404
    assert other.get(f"/api/v1/cases/cases/{case.pk}").status_code == 404
    assert other.get("/api/v1/cases/applications").json()["count"] == 0
    mine = client_for(street_officer_a).get("/api/v1/cases/cases?step=investigation").json()
    assert [c["id"] for c in mine["items"]] == [case.pk]


def test_a_withdrawal_needs_its_reason(apply, street_officer_a):
    application = apply()
    window = client_for(street_officer_a)
    assert post(window, f"/api/v1/cases/applications/{application.pk}/withdraw", {"reason": " "}).status_code == 400
    done = post(window, f"/api/v1/cases/applications/{application.pk}/withdraw", {"reason": "申请人已找到工作"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
