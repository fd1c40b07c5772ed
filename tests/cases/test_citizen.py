"""The citizen applies online (网上申请) on a phone: a code texted to the number is the only log-in; the application
is kept only with both consents; the citizen follows it with its steps and limits; another phone sees nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import intake
from jiuzhu.cases.models import Application
from jiuzhu.core import sms

PHONE = "13912345678"


pytestmark = pytest.mark.django_db


class CitizenClient(Client):
    """A phone's browser. Codes are texted once their transaction commits: each request's commit callbacks run."""

    def __init__(self, capture, **kwargs):
        super().__init__(**kwargs)
        self.capture = capture

    def request(self, **request):
        with self.capture(execute=True):
            return super().request(**request)


@pytest.fixture
def client(django_capture_on_commit_callbacks):
    return CitizenClient(django_capture_on_commit_callbacks)


def log_in(client: CitizenClient, phone: str = PHONE) -> None:
    client.post("/public/apply/login/", {"phone": phone, "action": "send"})
    code = re.search(r"验证码为(\d{6})", sms.outbox[-1]["text"]).group(1)
    response = client.post("/public/apply/login/", {"phone": phone, "code": code, "action": "verify"})
    assert response.status_code == 302


def application_form(street, **extra) -> dict:
    return {
        "street": street.pk,
        "based_on": "hukou",
        "applicant_name": "李秀英",
        "applicant_id_number": "110101195001011239",
        "address": "拓东路12号",
        "programmes": ["dibao"],
        "situation": "丈夫住院，没有收入",
        "m0-name": "张强",
        "m0-relation": "spouse",
        "consent_personal": "on",
        "consent_verification": "on",
    } | extra


@pytest.fixture
def street(units):
    return units["street_a"]


def test_the_pages_need_a_code_texted_to_the_phone(client, street):
    assert client.get("/public/apply/new/").status_code == 302
    client.post("/public/apply/login/", {"phone": "１３９１２３４５６７８", "action": "send"})  # full-width digits
    assert sms.outbox[-1]["phone"] == PHONE and "验证码" in sms.outbox[-1]["text"]
    wrong = client.post("/public/apply/login/", {"phone": PHONE, "code": "000000", "action": "verify"})
    assert wrong.status_code == 400 and "还可以再试" in wrong.content.decode()
    log_in(client)
    assert client.get("/public/apply/new/").status_code == 200
    assert AuditEntry.objects.filter(action="citizen.login").exists()


def test_a_code_is_sent_at_most_once_a_minute(client):
    client.post("/public/apply/login/", {"phone": PHONE, "action": "send"})
    again = client.post("/public/apply/login/", {"phone": PHONE, "action": "send"})
    assert again.status_code == 400 and "分钟" in again.content.decode() and len(sms.outbox) == 1


def test_nothing_is_kept_without_both_consents(client, street):
    log_in(client)
    response = client.post("/public/apply/new/", application_form(street, consent_verification=""))
    assert response.status_code == 400 and not Application.objects.exists()


def test_the_citizen_applies_and_follows_the_matter_the_window_accepts(client, street, street_officer_a, household_a):
    log_in(client)
    response = client.post("/public/apply/new/", application_form(street))
    application = Application.objects.get()
    assert response.status_code == 302 and application.channel == "online" and application.phone == PHONE
    assert application.declared["members"][0]["name"] == "张强"
    page = client.get(response["Location"]).content.decode()
    assert application.number in page and "最低生活保障" in page and "户口簿" in page  # what to bring
    # the window links the family on file and accepts; the citizen then sees the case's current step
    intake.application_update_materials(
        actor=street_officer_a,
        application=application,
        materials_provided=["低保申请书", "家庭成员收入情况声明"],
        authorization_signed_on=date(2024, 9, 2),
    )
    intake.application_accept(actor=street_officer_a, application=application, household=household_a)
    page = client.get(f"/public/apply/{application.number}/").content.decode()
    assert "入户调查" in page and "受理" in page
    assert "110101195001011239" not in page  # the ID number is not shown back in full


def test_another_phone_sees_nothing_of_it(client, street):
    log_in(client)
    client.post("/public/apply/new/", application_form(street))
    number = Application.objects.get().number
    other = CitizenClient(client.capture, REMOTE_ADDR="10.0.0.2")  # another phone: its own network address
    log_in(other, "13800000000")
    assert other.get(f"/public/apply/{number}/").status_code == 404
    assert number not in other.get("/public/apply/mine/").content.decode()
