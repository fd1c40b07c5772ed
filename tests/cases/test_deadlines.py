"""Legal deadlines of a case in working days, with the State Council's holidays and make-up days, and the periodic
escalation of what is overdue — all by travelling in time."""

from __future__ import annotations

from datetime import datetime

import pytest

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import steps
from jiuzhu.cases.decisions import case_decide
from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Case
from jiuzhu.cases.tasks import escalate_overdue_cases
from jiuzhu.core.workdays import working_days_between
from jiuzhu.verification.services import verification_complete, verification_start
from tests.cases.conftest import china
from tests.factories import make_household


@pytest.fixture
def before_national_day(time_machine):
    """Friday 27 September 2024, before the National Day holiday (1–7 October; Sunday 29 September and Saturday
    12 October are make-up working days)."""
    time_machine.move_to(china("2024-09-27 10:00"), tick=False)
    return time_machine


def test_thirty_working_days_skip_the_national_day_holiday_and_count_make_up_days(open_case, before_national_day):
    # when a 低保 application is accepted on Friday 27 September 2024
    case = open_case()
    # then the whole procedure is due on Wednesday 13 November (57号 第二十二条): the holiday week does not count,
    # the make-up Sunday 29 September and Saturday 12 October do
    assert case.due_at == china("2024-11-13 23:59:59")
    assert case.due_label == "自受理之日起30个工作日内完成" and "第二十二条" in case.due_reference
    assert working_days_between(china("2024-09-27 10:00"), case.due_at) == 30
    # and the investigation must start within 3 working days: 29 September, 30 September, 8 October
    assert (case.step, case.step_due_at) == ("investigation", china("2024-10-08 23:59:59"))
    assert case.step_due_label == "受理后3个工作日内启动调查"


def test_starting_the_investigation_meets_its_start_limit(open_case, coordinator_a, before_national_day):
    started, idle = open_case(), open_case()
    # when the investigation of one case starts on 8 October, the last day, and nobody touches the other
    before_national_day.move_to(china("2024-10-08 16:00"), tick=False)
    started = steps.case_investigation_start(actor=coordinator_a, case=started)
    assert started.step_due_at is None and started.actions.filter(action="start").exists()
    # then the next morning only the idle one is escalated
    before_national_day.move_to(china("2024-10-09 08:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 1
    started.refresh_from_db()
    idle.refresh_from_db()
    assert started.escalation_level == 0 and not started.is_overdue()
    assert idle.escalation_level == 1 and idle.is_overdue()


DELEGATED = """
workflows:
  dibao:
    label: 最低生活保障审核确认（权限下放街道）
    reference: 测试用
    programmes: [dibao, dibao_single, marginal, rigid_expense]
    steps: [investigation, verification, appraisal, review, notice, approval]
    appraisal: when_contested
    approval_by: street
    limits:
      total: {working_days: 30, from: accepted, label: 30个工作日, reference: 57号第二十二条}
      total_extended: {working_days: 45, from: accepted, label: 延长至45个工作日, reference: 57号第二十二条}
      total_delegated: {working_days: 20, from: accepted, label: 权限下放的20个工作日内完成, reference: 2022年通知}
      investigation: {working_days: 3, from: accepted, start_only: true, label: 3日内启动调查, reference: 第十五条}
"""


def test_where_approval_is_delegated_to_the_street_the_limit_is_20_working_days(
    local_pack, open_case, walk, street_officer_a, before_national_day
):
    # given a locality that delegated 低保 approval to the streets
    local_pack(DELEGATED)
    # when an application is accepted on 27 September
    case = open_case()
    # then it is due in 20 working days: Wednesday 30 October
    assert case.approval_by == "street"
    assert (case.due_at, case.due_label) == (china("2024-10-30 23:59:59"), "权限下放的20个工作日内完成")
    # and the street decides it
    case = walk(case, until="approval")
    case = case_decide(actor=street_officer_a, case=case, approve=True, opinion="街道审核确认")
    assert case.status == Case.Status.APPROVED and case.decided_by == street_officer_a


def test_the_limit_is_extended_to_45_working_days_once_with_a_reason(
    open_case, street_officer_a, coordinator_a, before_national_day
):
    case = open_case()
    with pytest.raises(CaseError) as caught:
        steps.case_extend(actor=street_officer_a, case=case, reason="  ")
    assert caught.value.code == CaseErrorCode.EXTENSION_REASON
    with pytest.raises(CaseError) as caught:
        steps.case_extend(actor=coordinator_a, case=case, reason="人户分离")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    # when the street extends it because the family lives apart from its 户籍 (人户分离)
    before_national_day.move_to(china("2024-10-20 10:00"), tick=False)
    case = steps.case_extend(actor=street_officer_a, case=case, reason="人户分离，需异地调查")
    # then it is due 45 working days from acceptance: Wednesday 4 December
    assert (case.due_at, case.due_label) == (china("2024-12-04 23:59:59"), "特殊情况延长至45个工作日")
    assert case.extended_reason == "人户分离，需异地调查"
    record = case.actions.get(action="extend")
    assert {key: datetime.fromisoformat(value) for key, value in record.data.items()} == {
        "from": china("2024-11-13 23:59:59"),
        "to": china("2024-12-04 23:59:59"),
    }
    # and only once
    with pytest.raises(CaseError) as caught:
        steps.case_extend(actor=street_officer_a, case=case, reason="又有异议")
    assert caught.value.code == CaseErrorCode.ALREADY_EXTENDED
    assert Case.objects.get(pk=case.pk).due_at == china("2024-12-04 23:59:59")


def test_an_overdue_case_escalates_once_per_step(open_case, walk, units, before_national_day):
    case = open_case()
    # when nobody started the investigation by 8 October, the job escalates it to the district the next day
    before_national_day.move_to(china("2024-10-09 00:05"), tick=False)
    assert escalate_overdue_cases.call_local() == 1
    case.refresh_from_db()
    assert (case.escalation_level, case.escalated_to) == (1, units["district"])
    assert case.actions.get(action="escalate").note == "入户调查期限已过，提请盘龙区督办"
    # and only once, however often the job runs
    before_national_day.move_to(china("2024-10-09 10:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 0
    # when the case then reaches the district the same day, approval is due in 10 working days (22 October)
    case = walk(case, until="approval")
    assert case.step_due_at == china("2024-10-22 23:59:59")
    before_national_day.move_to(china("2024-10-22 23:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 0
    # and when it is still undecided the day after, it is escalated again
    before_national_day.move_to(china("2024-10-23 09:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 1
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert case.actions.filter(action="escalate").last().note == "审批（审核确认）期限已过，提请盘龙区督办"
    assert escalate_overdue_cases.call_local() == 0
    assert AuditEntry.objects.filter(action="case.escalate", object_id=str(case.pk)).count() == 2


def test_a_verification_started_in_time_does_not_escalate_the_case(
    open_case, walk, approver, street_officer_a, units, before_national_day
):
    # given two cases reaching the verification step on Monday 14 October (the county must start within 3 working
    # days: by Thursday 17 October)
    before_national_day.move_to(china("2024-10-14 10:00"), tick=False)
    started = walk(open_case(), until="verification")
    neighbour = make_household(street_officer_a, units["grid_a"], head_name="赵六")
    idle = walk(open_case(household=neighbour, applicant_name="赵六"), until="verification")
    assert started.step_due_at == china("2024-10-17 23:59:59")
    # when the county starts one of them on Tuesday
    before_national_day.move_to(china("2024-10-15 10:00"), tick=False)
    verification_start(actor=approver, request=started.verification)
    # then on Friday only the other one is escalated
    before_national_day.move_to(china("2024-10-18 09:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 1
    started.refresh_from_db()
    idle.refresh_from_db()
    assert (started.escalation_level, idle.escalation_level) == (0, 1)
    assert not started.is_overdue()
    # and the started one moves on when the verification completes
    verification_complete(actor=approver, request=started.verification)
    assert steps.case_verification_done(actor=approver, case=started).step == "review"


def test_decided_cases_never_escalate(open_case, walk, before_national_day):
    approved, refused = walk(open_case()), walk(open_case(), approve=False)
    assert (approved.status, refused.status) == (Case.Status.APPROVED, Case.Status.REFUSED)
    before_national_day.move_to(china("2025-03-03 09:00"), tick=False)
    assert escalate_overdue_cases.call_local() == 0
    assert not Case.objects.filter(escalation_level__gt=0).exists()


def test_a_deadline_in_a_year_the_calendar_does_not_know_is_reckoned_monday_to_friday(open_case, time_machine):
    # given an application accepted on Tuesday 15 December 2026; the holiday calendar knows no 2027 yet
    time_machine.move_to(china("2026-12-15 10:00"), tick=False)
    case = open_case()
    # then the 30 working days are counted Monday to Friday into 2027, and the label says so
    assert case.due_at == china("2027-01-26 23:59:59")
    assert case.due_label == "自受理之日起30个工作日内完成（2027年节假日未载入，暂按周一至周五计）"
    # while the investigation's start, still in 2026, is reckoned with the real calendar
    assert case.step_due_at == china("2026-12-18 23:59:59") and case.step_due_label == "受理后3个工作日内启动调查"
