"""The payment pages: the street makes the month's roll and reads why each amount is what it is, the household's
page records the account and a suspension, the district confirms and downloads the bank file; another street's
roll and household are not found."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.cases import intake
from jiuzhu.cases.models import BenefitEvent, PaymentRoll


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def approved(apply, street_officer_a, walk, time_machine):
    time_machine.move_to(date(2024, 9, 2))
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = walk(application.cases.get())
    time_machine.move_to(date(2024, 9, 28))
    return case


def test_from_roll_to_bank_file_on_the_pages(approved, street_officer_a, approver, units):
    street = client_for(street_officer_a)
    household = approved.household
    response = street.post("/payments/", {"street": units["street_a"].pk, "programme": "dibao", "month": "2024-10"})
    roll = PaymentRoll.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/{roll.pk}/"
    page = street.get(f"/payments/{roll.pk}/").content.decode()
    assert approved.decision_number in page and str(approved.amount) in page and "未登记" in page
    # the district cannot confirm while the household has no account
    district = client_for(approver)
    district.post(f"/payments/{roll.pk}/confirm/")
    roll.refresh_from_db()
    assert roll.status == "draft"
    # the street records the account on the household's page and makes the roll again
    head = household.head()
    street.post(
        f"/households/{household.pk}/payments/",
        {"account": "1", "holder": head.pk, "bank": "富滇银行", "account_number": "6231000012345678901"},
    )
    page = street.get(f"/households/{household.pk}/payments/").content.decode()
    assert "****8901" in page and "6231000012345678901" not in page and head.id_number not in page
    street.post(f"/payments/{roll.pk}/regenerate/")
    district.post(f"/payments/{roll.pk}/confirm/")
    roll.refresh_from_db()
    assert roll.status == "confirmed"
    download = district.post(f"/payments/{roll.pk}/export/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert "6231000012345678901" in download.content.decode("gbk")


def test_a_suspension_is_recorded_with_its_reason_and_shows_on_the_next_roll(approved, street_officer_a, units):
    street = client_for(street_officer_a)
    household = approved.household
    response = street.post(
        f"/households/{household.pk}/payments/",
        {"change": "1", "programme": "dibao", "kind": "suspend", "month": "2024-10", "reason": "外出务工联系不上"},
    )
    assert response.status_code == 302 and BenefitEvent.objects.get().reason == "外出务工联系不上"
    street.post("/payments/", {"street": units["street_a"].pk, "programme": "dibao", "month": "2024-10"})
    page = street.get(f"/payments/{PaymentRoll.objects.get().pk}/").content.decode()
    assert "暂停发放：外出务工联系不上" in page


def test_a_reason_is_required_and_what_was_typed_stays(approved, street_officer_a):
    response = client_for(street_officer_a).post(
        f"/households/{approved.household.pk}/payments/",
        {"change": "1", "programme": "dibao", "kind": "suspend", "month": "2024-10", "reason": ""},
    )
    assert response.status_code == 400 and not BenefitEvent.objects.exists()


def test_another_streets_roll_and_household_are_not_found(approved, street_officer_a, street_officer_b, units):
    client_for(street_officer_a).post(
        "/payments/", {"street": units["street_a"].pk, "programme": "dibao", "month": "2024-10"}
    )
    roll = PaymentRoll.objects.get()
    other = client_for(street_officer_b)
    assert other.get(f"/payments/{roll.pk}/").status_code == 404
    assert other.post(f"/payments/{roll.pk}/export/").status_code == 404
    assert other.get(f"/households/{approved.household.pk}/payments/").status_code == 404
    assert f'data-roll="{roll.pk}"' not in other.get("/payments/").content.decode()
