"""Requesting, starting and completing a verification: authorization, the 3-working-day limit, scope, freezing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.models import AuditEntry
from jiuzhu.core.errors import NotFound
from jiuzhu.core.workdays import CalendarError
from jiuzhu.verification import selectors, services
from jiuzhu.verification.errors import VerificationError, VerificationErrorCode
from jiuzhu.verification.models import VerificationRequest
from tests.verification.conftest import china, income


def request(actor, household, *, signed=date(2024, 2, 28), purpose="application"):
    return services.verification_request(
        actor=actor, household=household, purpose=purpose, authorization_signed_on=signed
    )


def test_a_request_without_the_signed_authorization_is_refused(street_officer_a, household_a):
    with pytest.raises(VerificationError) as caught:
        request(street_officer_a, household_a, signed=None)
    assert caught.value.code == VerificationErrorCode.AUTHORIZATION_MISSING
    assert "授权书" in caught.value.message and "第九条" in caught.value.message
    assert not VerificationRequest.objects.exists()


def test_an_authorization_signed_in_the_future_is_refused(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-01 10:00"))
    with pytest.raises(VerificationError, match="晚于今天"):
        request(street_officer_a, household_a, signed=date(2024, 3, 2))


def test_the_start_limit_skips_the_weekend(street_officer_a, household_a, time_machine):
    # given a request on Friday 2024-03-01 in the afternoon
    time_machine.move_to(china("2024-03-01 15:00"))
    verification = request(street_officer_a, household_a)
    # then the county must start by the end of Wednesday (Mon 4, Tue 5, Wed 6)
    assert verification.start_due_at == china("2024-03-06 23:59:59")
    assert verification.status == VerificationRequest.Status.REQUESTED and verification.can_start()
    entry = AuditEntry.objects.get(action="verification.request")
    assert entry.actor == street_officer_a and entry.changes["authorization_signed_on"] == "2024-02-28"


def test_the_start_limit_skips_the_national_day_holiday(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2024-09-30 16:00"))
    verification = request(street_officer_a, household_a, signed=date(2024, 9, 30))
    assert verification.start_due_at == china("2024-10-10 23:59:59")


def test_a_request_in_a_year_the_calendar_does_not_know_is_refused(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2030-03-01 10:00"))
    with pytest.raises(CalendarError, match=r"calendar\.yaml"):
        request(street_officer_a, household_a, signed=date(2030, 3, 1))
    assert not VerificationRequest.objects.exists()


def test_overdue_means_not_started_by_the_limit(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-01 15:00"))
    verification = request(street_officer_a, household_a)
    time_machine.move_to(china("2024-03-06 23:00"))
    assert not verification.is_overdue()
    assert not selectors.verification_list(actor=street_officer_a, overdue=True).exists()
    time_machine.move_to(china("2024-03-07 08:30"))
    assert verification.is_overdue()
    assert list(selectors.verification_list(actor=street_officer_a, overdue=True)) == [verification]
    # a late start is allowed and remembered as late
    started = services.verification_start(actor=street_officer_a, request=verification)
    assert started.started_late() and not started.is_overdue()
    assert AuditEntry.objects.get(action="verification.start").changes["late"] is True


def test_one_open_verification_per_household(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-01 15:00"))
    first = request(street_officer_a, household_a)
    with pytest.raises(VerificationError, match="未完成的核对"):
        request(street_officer_a, household_a, purpose="review")
    services.verification_start(actor=street_officer_a, request=first)
    services.verification_complete(actor=street_officer_a, request=first)
    assert request(street_officer_a, household_a, purpose="review").purpose == "review"


def test_the_state_graph_is_followed(street_officer_a, household_a, time_machine):
    time_machine.move_to(china("2024-03-04 09:00"))
    verification = request(street_officer_a, household_a)
    with pytest.raises(VerificationError, match="请先启动核对"):
        services.verification_complete(actor=street_officer_a, request=verification)
    verification = services.verification_start(actor=street_officer_a, request=verification)
    with pytest.raises(VerificationError, match="不能启动"):
        services.verification_start(actor=street_officer_a, request=verification)
    verification = services.verification_complete(actor=street_officer_a, request=verification)
    assert verification.status == VerificationRequest.Status.COMPLETED
    with pytest.raises(VerificationError, match="不能完成"):
        services.verification_complete(actor=street_officer_a, request=verification)


def test_an_unknown_purpose_is_refused(street_officer_a, household_a):
    with pytest.raises(VerificationError, match="不认识的核对事由"):
        request(street_officer_a, household_a, purpose="whim")


@pytest.mark.parametrize("role", ["grid_worker_a", "supervisor", "liaison"])
def test_roles_without_casework_rights_cannot_request(request_fixture, role, household_a):
    actor = request_fixture(role)
    with pytest.raises(VerificationError) as caught:
        services.verification_request(
            actor=actor, household=household_a, purpose="application", authorization_signed_on=date(2024, 1, 1)
        )
    assert caught.value.http_status == 403


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue


def test_another_street_cannot_request_start_or_see(street_officer_a, street_officer_b, household_a):
    with pytest.raises(VerificationError, match="管辖范围"):
        request(street_officer_b, household_a)
    verification = request(street_officer_a, household_a)
    with pytest.raises(VerificationError, match="管辖范围"):
        services.verification_start(actor=street_officer_b, request=verification)
    with pytest.raises(NotFound):
        selectors.verification_get(actor=street_officer_b, id=verification.pk)
    with pytest.raises(NotFound):
        selectors.verification_get(actor=street_officer_b, id=987654)
    assert not selectors.verification_list(actor=street_officer_b).exists()


def test_the_district_and_the_community_see_the_streets_verifications(
    street_officer_a, household_a, approver, coordinator_a, liaison
):
    verification = request(street_officer_a, household_a)
    assert selectors.verification_get(actor=approver, id=verification.pk) == verification
    assert selectors.verification_get(actor=coordinator_a, id=verification.pk) == verification
    with pytest.raises(NotFound):  # a department liaison sees no verification at all
        selectors.verification_get(actor=liaison, id=verification.pk)


def test_completing_freezes_the_snapshot(street_officer_a, household_a, spouse, hrss, time_machine):
    # given a verification requested on Friday 14 June 2024, started on Monday and completed on Tuesday
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1))
    time_machine.move_to(china("2024-06-14 10:00"))
    verification = request(street_officer_a, household_a, signed=date(2024, 6, 13))
    time_machine.move_to(china("2024-06-17 09:00"))
    services.verification_start(actor=street_officer_a, request=verification)
    time_machine.move_to(china("2024-06-18 11:00"))
    verification = services.verification_complete(actor=street_officer_a, request=verification)
    frozen = verification.result
    assert frozen["as_of"] == "2024-06-18" and len(frozen["comparison"]["flags"]) == 1
    assert frozen["timeline"]["started_on_time"] is True and frozen["timeline"]["start_working_days"] == 1
    assert frozen["timeline"]["total_working_days"] == 2 and frozen["timeline"]["completed_by"] == "测试street_a"
    assert AuditEntry.objects.get(action="verification.complete").changes == {"as_of": "2024-06-18", "flags": 1}

    # when the department data changes afterwards and the applicant declares the pension
    pension = household_a.incomerecord_records.get(category="pension")
    pension.amount = Decimal("2500")
    pension.save()
    income(household_a, spouse, "pension", "2500", valid_from=date(2024, 5, 1))

    # then the verification still reports what was found on the day it was completed
    stored = VerificationRequest.objects.get(pk=verification.pk)
    assert stored.result == frozen
    report = selectors.verification_report(verification=stored)
    assert report["preview"] is False and "1,850.00 元/月" in report["comparison"]["flags"][0]["text"]
