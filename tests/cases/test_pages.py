"""The staff pages of applications and cases, through the Django test client: the window registers, the one-time
notice lists what is missing, the street accepts, each step's form moves the case, the district decides, letters
print; nobody sees or moves what lies outside their jurisdiction."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import intake
from jiuzhu.cases.models import Application, Case


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def window(street_officer_a):
    return client_for(street_officer_a)


def test_an_incomplete_application_is_kept_as_a_draft_with_everything_missing_listed(window, poor_household, units):
    # given the window registers 低保 for a family that brought only the application form
    response = window.post(
        "/applications/new/",
        {
            "household": poor_household.pk,
            "street": units["street_a"].pk,
            "based_on": "hukou",
            "channel": "window",
            "applicant_name": "王福贵",
            "phone": "13900001111",
            "programmes": ["dibao"],
            "materials": ["低保申请书"],
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and application.status == "draft"
    # then its page tells at once what is missing, and not what the platform holds
    page = window.get(f"/applications/{application.pk}/").content.decode()
    assert "家庭成员收入情况声明" in page and "家庭经济状况核对授权书" in page
    assert "平台已掌握" in page and "户口簿、居民身份证" in page.split('id="missing"')[0] + page.split("</ol>")[1]
    # and its one-time notice prints as a PDF, audited
    pdf = window.get(f"/applications/{application.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="application.print_notice").exists()


def test_a_form_error_keeps_what_was_typed(window, poor_household, units):
    response = window.post(
        "/applications/new/",
        {
            "household": poor_household.pk,
            "street": units["street_a"].pk,
            "based_on": "hukou",
            "channel": "assisted",
            "applicant_name": "王福贵",
            "programmes": ["dibao"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "委托或授权" in page and 'value="王福贵"' in page
    assert not Application.objects.exists()


def test_the_window_accepts_and_the_case_page_shows_the_step_and_its_limits(window, apply, time_machine):
    time_machine.move_to(date(2024, 9, 2))
    application = apply()
    response = window.post(f"/applications/{application.pk}/accept/")
    assert response.status_code == 302
    case = Case.objects.get()
    page = window.get(f"/cases/{case.pk}/").content.decode()
    assert "入户调查" in page and "受理后3个工作日内启动调查" in page and "民发〔2021〕57号 第十五条" in page
    assert "自受理之日起30个工作日内完成" in page and case.due_at.strftime("%Y-%m-%d") in page


def test_steps_move_through_their_forms_and_the_district_decides(
    window, apply, street_officer_a, coordinator_a, coordinator_a2, approver, walk, time_machine
):
    time_machine.move_to(date(2024, 9, 2))
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = application.cases.get()
    # the community records the investigation with two investigators
    community = client_for(coordinator_a)
    community.post(
        f"/cases/{case.pk}/act/investigate/",
        {"investigators": [coordinator_a.pk, coordinator_a2.pk], "findings": "家中陈设简陋，户主失业"},
    )
    case.refresh_from_db()
    assert case.step == "verification"
    # a grid worker cannot review: refused, audited, nothing moves
    case = walk(case, until="review")
    denied = client_for(coordinator_a).post(f"/cases/{case.pk}/act/review/", {"recommend": "approve", "opinion": "x"})
    assert denied.status_code == 403 and "审核" in denied.content.decode()
    case.refresh_from_db()
    assert case.step == "review" and AuditEntry.objects.filter(action="case.refused").exists()
    window.post(f"/cases/{case.pk}/act/review/", {"recommend": "approve", "opinion": "符合条件"})
    case = walk(Case.objects.get(pk=case.pk), until="approval")
    # the district approves on the page; the payment starts next month and the letter prints
    district = client_for(approver)
    district.post(f"/cases/{case.pk}/act/decide/", {"decision": "approve", "opinion": "同意"})
    case.refresh_from_db()
    assert case.status == "approved" and case.payment_from == date(2024, 10, 1)
    page = district.get(f"/cases/{case.pk}/").content.decode()
    assert case.decision_number in page and "2024年10月" in page
    letter = district.get(f"/cases/{case.pk}/decision.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")


def test_pages_outside_the_jurisdiction_are_not_found(apply, street_officer_a, street_officer_b):
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = application.cases.get()
    other = client_for(street_officer_b)
    assert other.get(f"/applications/{application.pk}/").status_code == 404
    assert other.get(f"/cases/{case.pk}/").status_code == 404
    assert other.post(f"/cases/{case.pk}/act/start/").status_code == 404
    assert other.get(f"/cases/{case.pk}/decision.pdf").status_code == 404


def test_the_notice_board_shows_name_size_and_amount_only(window, apply, street_officer_a, walk, units, time_machine):
    time_machine.move_to(date(2024, 9, 2))
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = walk(application.cases.get(), until="notice")
    page = window.get(f"/notices/?unit={units['community_a'].pk}").content.decode()
    board = page.split('id="on-notice"')[1].split("</table>")[0]
    assert "王福贵" in board and str(case.proposed_amount) in board
    head = case.household.head()
    assert head.id_number not in page and head.id_number[-4:] not in board and "139" not in board


def test_an_alert_is_referred_to_a_department_from_its_page(window, poor_household, departments):
    from django.utils import timezone

    from jiuzhu.cases.models import Referral
    from jiuzhu.monitoring.models import Alert

    alert = Alert.objects.create(
        scenario="large_medical",
        scenario_name="大额医疗支出",
        locality="national",
        severity="high",
        person=poor_household.head(),
        household=poor_household,
        subject_key=f"p{poor_household.head().pk}",
        first_event_on=date(2024, 9, 1),
        last_event_on=date(2024, 9, 1),
        first_received_at=timezone.now(),
    )
    page = window.get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="refer-form"' in page and "医疗保障局" in page
    medical = departments["medical_insurance"]
    window.post(f"/alerts/{alert.pk}/refer/", {"department": medical.pk, "need": "医疗救助", "note": ""})
    referral = Referral.objects.get()
    assert (
        referral.department == medical
        and referral.origin == "alert"
        and referral.work_order.owner_department == medical
    )
    assert "医疗救助" in window.get(f"/alerts/{alert.pk}/").content.decode().split('id="referrals"')[1]
