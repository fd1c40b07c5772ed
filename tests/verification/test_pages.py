"""The pages a street officer uses: the list with its countdown, a household's request form, the request page with
its buttons, and the report in HTML and PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.verification import services
from jiuzhu.verification.models import VerificationRequest
from tests.verification.conftest import china, income


@pytest.fixture
def officer(street_officer_a):
    client = Client()
    client.force_login(street_officer_a)
    return client


def make(actor, household, **extra) -> VerificationRequest:
    return services.verification_request(
        actor=actor, household=household, purpose="application", authorization_signed_on=date(2024, 6, 13), **extra
    )


def completed(actor, household) -> VerificationRequest:
    verification = make(actor, household)
    services.verification_start(actor=actor, request=verification)
    return services.verification_complete(actor=actor, request=verification)


def test_the_household_file_links_to_its_verifications(officer, household_a):
    page = officer.get(f"/households/{household_a.pk}/").content.decode()
    assert f"/households/{household_a.pk}/verifications/" in page


def test_a_request_without_authorization_is_refused_on_the_page(officer, household_a):
    url = f"/households/{household_a.pk}/verifications/"
    assert "提请核对" in officer.get(url).content.decode()
    response = officer.post(url, {"purpose": "application", "authorization_signed_on": ""})
    assert response.status_code == 400 and "授权书" in response.content.decode()
    assert not VerificationRequest.objects.exists()


def test_a_request_from_the_page_shows_its_limit(officer, household_a):
    response = officer.post(
        f"/households/{household_a.pk}/verifications/",
        {"purpose": "application", "authorization_signed_on": "2024年6月13日"},
        follow=True,
    )
    verification = VerificationRequest.objects.get()
    assert response.redirect_chain[-1][0] == f"/verifications/{verification.pk}/"
    page = response.content.decode()
    # Friday 14 June 2024 → Mon 17, Tue 18, Wed 19
    assert "2024-06-19 23:59" in page and 'id="start"' in page


def test_the_list_counts_down_and_highlights_the_overdue(officer, street_officer_a, household_a, time_machine):
    make(street_officer_a, household_a)
    time_machine.move_to(china("2024-06-17 09:00"))
    officer.force_login(street_officer_a)  # a session lasts two idle hours; days have passed
    page = officer.get("/verifications/").content.decode()
    assert "剩 2 个工作日" in page and 'class="overdue"' not in page
    time_machine.move_to(china("2024-06-21 09:00"))
    officer.force_login(street_officer_a)
    page = officer.get("/verifications/").content.decode()
    assert 'class="overdue"' in page and "逾期未启动，已超 2 个工作日" in page
    assert household_a.number in officer.get("/verifications/?overdue=1").content.decode()


def test_start_and_complete_buttons(officer, street_officer_a, household_a):
    verification = make(street_officer_a, household_a)
    assert officer.get(f"/verifications/{verification.pk}/start/").status_code == 405
    officer.post(f"/verifications/{verification.pk}/start/")
    page = officer.get(f"/verifications/{verification.pk}/").content.decode()
    assert 'id="complete"' in page and "按时启动" in page
    response = officer.post(f"/verifications/{verification.pk}/complete/", follow=True)
    assert "结果已固定" in response.content.decode()
    assert VerificationRequest.objects.get().status == "completed"
    # a second click says why nothing happens
    response = officer.post(f"/verifications/{verification.pk}/complete/", follow=True)
    assert "不能完成" in response.content.decode()


def test_a_read_only_role_sees_no_buttons(street_officer_a, household_a, supervisor):
    verification = make(street_officer_a, household_a)
    client = Client()
    client.force_login(supervisor)
    page = client.get(f"/verifications/{verification.pk}/").content.decode()
    assert 'id="start"' not in page
    client.post(f"/verifications/{verification.pk}/start/")
    assert VerificationRequest.objects.get().status == "requested"


def test_the_report_shows_masked_ids_and_the_flags(officer, street_officer_a, household_a, spouse, hrss):
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1))
    verification = completed(street_officer_a, household_a)
    page = officer.get(f"/verifications/{verification.pk}/report/").content.decode()
    for member in (household_a.head(), spouse):
        masked = member.id_number[:6] + "********" + member.id_number[-4:]
        assert masked in page and member.id_number not in page
    assert "王芳 2024年5月起领取离退休金/养老金 1,850.00 元/月，申报中未填写" in page
    assert "核对人员（签字）" in page and "审核人员（签字）" in page
    assert "B-2024-06#7" in page  # the department's batch and row
    assert AuditEntry.objects.filter(action="verification.view", object_id=str(verification.pk)).exists()


def test_the_report_of_an_unfinished_verification_is_a_marked_preview(officer, street_officer_a, household_a):
    verification = make(street_officer_a, household_a)
    assert "预览" in officer.get(f"/verifications/{verification.pk}/report/").content.decode()
    response = officer.get(f"/verifications/{verification.pk}/report.pdf")
    assert response.status_code == 302 and response["Location"] == f"/verifications/{verification.pk}/"


def _inflated(pdf: bytes) -> bytes:
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"".join(out)


def test_the_report_prints_as_a_chinese_pdf(officer, street_officer_a, household_a, spouse, hrss):
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1))
    verification = completed(street_officer_a, household_a)
    response = officer.get(f"/verifications/{verification.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    content = _inflated(response.content)
    assert b"NotoSansCJK" in content  # the Chinese font is embedded, not boxes
    assert b"Traceback" not in content and b"TemplateSyntaxError" not in content
    assert AuditEntry.objects.filter(action="verification.print", object_id=str(verification.pk)).exists()


def test_the_report_of_a_completed_verification_does_not_follow_later_changes(
    officer, street_officer_a, household_a, spouse, hrss
):
    pension = income(
        household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1)
    )
    verification = completed(street_officer_a, household_a)
    pension.delete()
    page = officer.get(f"/verifications/{verification.pk}/report/").content.decode()
    assert "1,850.00 元/月，申报中未填写" in page


def test_another_streets_verification_is_not_found(street_officer_a, street_officer_b, household_a):
    verification = make(street_officer_a, household_a)
    client = Client()
    client.force_login(street_officer_b)
    for suffix in ("", "start/", "complete/", "report/", "report.pdf"):
        for method in (client.get, client.post):
            assert method(f"/verifications/{verification.pk}/{suffix}").status_code in (404, 405)
    assert client.post(f"/households/{household_a.pk}/verifications/").status_code == 404
    assert household_a.number not in client.get("/verifications/").content.decode()
    assert VerificationRequest.objects.get().status == "requested"


def test_english_labels_come_from_the_catalogue(officer, street_officer_a, household_a):
    verification = make(street_officer_a, household_a)
    officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = officer.get(f"/verifications/{verification.pk}/").content.decode()
    assert "Start the check" in page and "启动核对" not in page
