"""The printed documents: each names what the citizen must know, in Chinese, with the CJK font; each print is on
record; nothing prints outside the reader's jurisdiction or before there is something to print."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import intake
from tests.policy.test_pages import _inflated


@pytest.fixture
def window(street_officer_a):
    client = Client()
    client.force_login(street_officer_a)
    return client


@pytest.fixture
def decided(apply, street_officer_a, walk, time_machine):
    def make(approve: bool):
        time_machine.move_to(date(2024, 9, 2))
        application = intake.application_accept(actor=street_officer_a, application=apply())
        return walk(application.cases.get(), approve=approve)

    return make


def test_the_decision_letter_states_amount_start_basis_and_appeal(window, decided):
    case = decided(True)
    page = window.get(f"/cases/{case.pk}/decision.pdf?preview=1").content.decode()
    assert case.decision_number in page and f"每月 {case.amount} 元" in page and "2024年10月" in page
    assert "民发〔2021〕57号" in page and "60日内依法申请行政复议" in page
    pdf = window.get(f"/cases/{case.pk}/decision.pdf")
    assert pdf["Content-Type"] == "application/pdf" and b"NotoSansCJK" in _inflated(pdf.content)
    assert AuditEntry.objects.filter(action="case.print", changes__document="decision").count() == 2
    # a refused case has no decision letter: the link leads to its refusal letter
    assert window.get(f"/cases/{decided(False).pk}/decision.pdf").status_code == 302


def test_the_refusal_letter_gives_the_failed_conditions_as_reasons(window, decided):
    case = decided(False)
    page = window.get(f"/cases/{case.pk}/refusal.pdf?preview=1").content.decode()
    assert case.reasons and all(reason in page for reason in case.reasons)
    assert "不予批准" in page and "行政诉讼" in page


def test_the_notice_card_shows_no_id_number_or_family_phone(window, decided):
    case = decided(True)
    page = window.get(f"/cases/{case.pk}/notice-card.pdf?preview=1").content.decode()
    head = case.household.head()
    assert "民政兜底保障对象公示卡" in page and head.name in page and case.programme_name in page
    assert head.id_number not in page and "13900001111" not in page


def test_nothing_prints_before_the_decision_or_outside_the_jurisdiction(
    window, apply, street_officer_a, street_officer_b
):
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = application.cases.get()
    assert window.get(f"/cases/{case.pk}/decision.pdf").status_code == 404
    assert window.get(f"/cases/{case.pk}/notice-card.pdf").status_code == 404
    other = Client()
    other.force_login(street_officer_b)
    assert other.get(f"/applications/{application.pk}/notice.pdf").status_code == 404
