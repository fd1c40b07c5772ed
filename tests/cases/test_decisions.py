"""Decisions (审批/审核确认): blocked on a stale verification; an approval puts the family on the programme from the
next month with the amount the rules give; a refusal carries the failed conditions and a letter due in three working
days; 特困 spot checks of at least 30 %; emergency temporary aid paid in advance by the street and approved by amount
tiers, the largest only with a 一事一议 meeting's decision."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import steps
from jiuzhu.cases.decisions import (
    case_advance_aid,
    case_decide,
    case_letter_delivered,
    case_meeting_decision,
    case_spot_check,
)
from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Application, Case
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.registry_facts import household_document
from jiuzhu.registry.models import ProgrammeStatus
from jiuzhu.verification.services import verification_complete, verification_request, verification_start
from tests.cases.conftest import china
from tests.factories import add_income, make_household

TEKUN_MATERIALS = ["特困人员救助供养申请书", "法定义务人无履行义务能力的证明材料"]
AID_MATERIALS = ["临时救助申请书", "遭遇急难或大额支出的证明（事故认定、医疗票据等）"]
FIRE = {"emergency": {"kind": "fire", "loss": "8000", "months": 2}}


def rules_say(household, programme: str, as_of: date) -> dict:
    """What the window's check (the same compiled rules) says for the household's file on that day."""
    result = eligibility_check(locality="demo-530103", as_of=as_of, document=household_document(household, as_of=as_of))
    return next(p for p in result["programmes"] if p["code"] == programme)


# --- Approval and refusal -----------------------------------------------------------------------------------------


def test_an_approval_puts_the_family_on_dibao_from_next_month_with_the_rules_amount(
    open_case, walk, approver, poor_household, time_machine, quiet_sms, django_capture_on_commit_callbacks
):
    # given a 低保 case reaching the district in mid-December
    time_machine.move_to(china("2024-12-16 10:00"), tick=False)
    case = walk(open_case(), until="approval")
    # when the district approves it
    with django_capture_on_commit_callbacks(execute=True):
        case = case_decide(actor=approver, case=case, approve=True, opinion="符合低保条件，同意")
    # then the amount is the one the rules give on the day of the decision
    expected = rules_say(poor_household, "dibao", date(2024, 12, 16))
    assert expected["eligible"] is True
    assert case.status == Case.Status.APPROVED and case.amount == Decimal(str(expected["benefit"]))
    # and the family is on 低保 from the first day of next month (57号 第二十一条), over the new year
    assert case.payment_from == date(2025, 1, 1)
    standing = ProgrammeStatus.objects.get(household=poor_household, programme="dibao", until__isnull=True)
    assert (standing.status, standing.since, standing.monthly_amount) == ("active", date(2025, 1, 1), case.amount)
    # with a decision number, also on the registry record
    assert re.fullmatch(r"拓东救决〔2024〕\d{6}号", case.decision_number)
    assert standing.decision_ref == case.decision_number
    assert (case.decided_by, case.step) == (approver, "")
    # and the applicant is told
    assert any(case.decision_number in m["text"] and "2025年01月起发放" in m["text"] for m in quiet_sms)


def test_a_refusal_gives_the_failed_conditions_and_a_letter_due_in_three_working_days(
    open_case, walk, approver, street_officer_a, units, time_machine
):
    # given a family whose earnings are well above the standard, decided on Friday 27 September 2024
    time_machine.move_to(china("2024-09-27 10:00"), tick=False)
    household = make_household(street_officer_a, units["grid_a"], head_name="李四", members=2)
    add_income(household, "5000")
    case = walk(open_case(household=household, applicant_name="李四"), until="approval", approve=False)
    # when the district refuses it
    case = case_decide(actor=approver, case=case, approve=False, opinion="不符合低保条件")
    # then the reasons are the conditions the rules found not met, in their words
    expected = rules_say(household, "dibao", date(2024, 9, 27))
    failed = [c["label"] for c in expected["conditions"] if c["held"] is False]
    assert failed and case.reasons == failed
    assert "家庭月人均收入低于低保标准" in case.reasons
    # and the letter is due within 3 working days: Sunday 29 Sept (make-up day), Monday 30 Sept, then after the
    # National Day holiday, Tuesday 8 October
    assert case.letter_due_at == china("2024-10-08 23:59:59")
    assert re.fullmatch(r"拓东救不决〔2024〕\d{6}号", case.decision_number)
    assert not ProgrammeStatus.objects.filter(household=household).exists()
    # the letter is handed over
    time_machine.move_to(china("2024-09-30 15:00"), tick=False)
    case = case_letter_delivered(actor=street_officer_a, case=case)
    assert case.letter_delivered_at == china("2024-09-30 15:00")


def test_a_tekun_refusal_gives_the_applicants_failed_conditions(
    open_case, walk, approver, poor_household, time_machine
):
    # 特困 is decided person by person; the applicant is 王福贵, the head, of working age
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    case = walk(open_case(["tekun"], materials_provided=TEKUN_MATERIALS), until="approval", approve=False)
    case = case_spot_check(actor=approver, case=case, finding="抽查属实")
    case = case_decide(actor=approver, case=case, approve=False, opinion="不符合特困条件")
    mine = next(m for m in rules_say(poor_household, "tekun", date(2024, 10, 14))["members"] if m["name"] == "王福贵")
    failed = [c["label"] for c in mine["conditions"] if c["held"] is False]
    assert failed and case.reasons == failed


def test_the_opinions_reasons_replace_the_rules_when_given(open_case, walk, approver):
    case = walk(open_case(), until="approval")
    case = case_decide(actor=approver, case=case, approve=False, opinion="不予批准", reasons=["隐瞒家庭收入", " "])
    assert case.reasons == ["隐瞒家庭收入"]
    with pytest.raises(CaseError) as caught:
        case_decide(actor=approver, case=case, approve=True, opinion="同意")
    assert caught.value.code == CaseErrorCode.ALREADY_DECIDED


def test_a_decision_on_a_stale_verification_is_blocked_until_the_family_is_verified_again(
    open_case, walk, approver, street_officer_a, time_machine
):
    # given a case whose verification was completed on 14 October and which reached the district
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    case = walk(open_case(), until="approval")
    # when the district decides 91 days later (the verification is valid for 90 days)
    time_machine.move_to(china("2025-01-13 09:00"), tick=False)
    with pytest.raises(CaseError) as caught:
        case_decide(actor=approver, case=case, approve=True, opinion="同意")
    # then the decision is blocked, with the date of the verification
    assert caught.value.code == CaseErrorCode.VERIFICATION_STALE
    assert (
        caught.value.message
        == "家庭经济状况核对结果已过有效期（完成于 2024-10-14，有效期 90 天），须重新核对后才能作出决定"
    )
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.step == "approval"
    # and once the family's finances are verified again, the decision goes through on the new verification
    again = verification_request(
        actor=street_officer_a, household=case.household, purpose="review", authorization_signed_on=date(2025, 1, 10)
    )
    verification_start(actor=approver, request=again)
    verification_complete(actor=approver, request=again)
    case = case_decide(actor=approver, case=case, approve=True, opinion="同意")
    assert case.status == Case.Status.APPROVED and case.verification == again


def test_the_application_closes_when_all_its_cases_are_decided(open_case, walk, approver, time_machine):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    dibao = open_case(
        ["dibao", "temporary_aid"], materials_provided=["低保申请书", "家庭成员收入情况声明", *AID_MATERIALS]
    )
    application = dibao.application
    aid = application.cases.get(programme="temporary_aid")
    walk(dibao)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED and application.closed_at is None
    walk(aid, approve=False)
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED and application.closed_at is not None


# --- 特困: random spot checks by the county ------------------------------------------------------------------------


def test_at_least_30_percent_of_tekun_cases_are_spot_checked_before_the_decision(
    apply, walk, approver, street_officer_a, units, time_machine
):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    from jiuzhu.cases import intake

    cases = []
    for i in range(10):
        household = make_household(street_officer_a, units["grid_a"], head_name=f"孤老{i}", members=1)
        application = apply(
            ["tekun"], household=household, applicant_name=f"孤老{i}", materials_provided=TEKUN_MATERIALS
        )
        application = intake.application_accept(actor=street_officer_a, application=application)
        cases.append(walk(application.cases.get(), until="approval"))
    # then at least 3 of the 10 are drawn for the county's spot check (43号 第十六条)
    drawn = [case for case in cases if case.spot_check_required]
    assert len(drawn) >= 3
    # a drawn case cannot be decided before its spot check is recorded
    case = drawn[-1]
    with pytest.raises(CaseError) as caught:
        case_decide(actor=approver, case=case, approve=False, opinion="不符合")
    assert caught.value.code == CaseErrorCode.SPOT_CHECK_REQUIRED and "30%" in caught.value.message
    # the street cannot record it for the county
    with pytest.raises(CaseError) as caught:
        case_spot_check(actor=street_officer_a, case=case, finding="已核实")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    case = case_spot_check(actor=approver, case=case, finding="入户抽查，情况属实")
    assert case_decide(actor=approver, case=case, approve=False, opinion="不符合").status == Case.Status.REFUSED
    # the others are decided without one
    undrawn = next(case for case in cases if not case.spot_check_required)
    assert case_decide(actor=approver, case=undrawn, approve=False, opinion="不符合").status == Case.Status.REFUSED


# --- Emergency temporary aid: advance aid and approval by amount --------------------------------------------------


@pytest.fixture
def aid_case(apply, street_officer_a, units, time_machine):
    """An emergency temporary-aid case (a fire) for a new family of two, accepted on Monday 14 October 2024."""
    from jiuzhu.cases import intake

    time_machine.move_to(china("2024-10-14 09:00"), tick=False)

    def make(*, emergency=True):
        household = make_household(street_officer_a, units["grid_a"], head_name="火灾户", members=2)
        application = apply(
            ["temporary_aid"],
            household=household,
            applicant_name="火灾户",
            materials_provided=AID_MATERIALS,
            emergency=emergency,
            declared=FIRE if emergency else {},
        )
        return intake.application_accept(actor=street_officer_a, application=application).cases.get()

    return make


def test_the_street_pays_advance_aid_up_to_its_limit(aid_case, street_officer_a, coordinator_a, time_machine):
    case = aid_case()
    assert case.advance_due_at == china("2024-10-15 09:00")  # within 24 hours
    # a coordinator may not pay it; the street officer may, up to 1000 元 in the demo pack
    with pytest.raises(CaseError) as caught:
        case_advance_aid(actor=coordinator_a, case=case, amount=Decimal("800"), note="火灾")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    with pytest.raises(CaseError) as caught:
        case_advance_aid(actor=street_officer_a, case=case, amount=Decimal("1000.01"), note="火灾")
    assert caught.value.code == CaseErrorCode.ADVANCE_OVER
    assert caught.value.message == "先行救助金额 1000.01 元超过街道（乡镇）可先行发放的上限 1000 元"
    time_machine.move_to(china("2024-10-14 20:00"), tick=False)
    case = case_advance_aid(actor=street_officer_a, case=case, amount=Decimal("1000"), note="火灾后先行救助")
    assert (case.advance_amount, case.advance_paid_at) == (Decimal("1000.00"), china("2024-10-14 20:00"))
    assert case.actions.get(action="advance").data == {"amount": "1000.00", "late": False}
    # the investigation and the rest still follow
    assert case.step == "investigation" and case.is_open
    # once only
    with pytest.raises(CaseError) as caught:
        case_advance_aid(actor=street_officer_a, case=case, amount=Decimal("100"), note="再次")
    assert caught.value.code == CaseErrorCode.ADVANCE_DONE


def test_advance_aid_is_only_for_emergencies(aid_case, street_officer_a, open_case):
    for case in (aid_case(emergency=False), open_case()):
        with pytest.raises(CaseError) as caught:
            case_advance_aid(actor=street_officer_a, case=case, amount=Decimal("300"), note="垫付")
        assert caught.value.code == CaseErrorCode.NO_ADVANCE


def test_temporary_aid_up_to_500_is_approved_by_the_street(aid_case, walk, street_officer_a):
    case = walk(aid_case(), until="approval")
    case = case_decide(actor=street_officer_a, case=case, approve=True, opinion="街道审批", amount=Decimal("500"))
    assert (case.status, case.amount, case.decided_by) == (Case.Status.APPROVED, Decimal("500.00"), street_officer_a)


def test_temporary_aid_above_500_is_the_districts(aid_case, walk, street_officer_a, approver):
    case = walk(aid_case(), until="approval")
    # the rules give 735 × 2 persons × 2 months = 2940 元, above the street's 500
    assert case.proposed_amount == Decimal("2940.00")
    with pytest.raises(CaseError) as caught:
        case_decide(actor=street_officer_a, case=case, approve=True, opinion="同意")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED and "区县民政部门" in caught.value.message
    assert AuditEntry.objects.filter(action="case.refused", object_id=str(case.pk)).count() == 1
    with pytest.raises(CaseError):
        case_decide(actor=street_officer_a, case=case, approve=True, opinion="同意", amount=Decimal("501"))
    case = case_decide(actor=approver, case=case, approve=True, opinion="区民政局审批")
    assert (case.status, case.amount) == (Case.Status.APPROVED, Decimal("2940.00"))


def test_temporary_aid_above_5000_needs_the_meetings_decision(aid_case, walk, street_officer_a, approver):
    case = walk(aid_case(), until="approval")
    # when the district wants to give 8000 元, beyond its 5000
    with pytest.raises(CaseError) as caught:
        case_decide(actor=approver, case=case, approve=True, opinion="一事一议", amount=Decimal("8000"))
    # then it needs the meeting's decision (一事一议)
    assert caught.value.code == CaseErrorCode.MEETING_REQUIRED
    with pytest.raises(CaseError) as caught:
        case_meeting_decision(actor=approver, case=case, amount=Decimal("8000"), meeting_reference=" ")
    assert caught.value.code == CaseErrorCode.MEETING_REQUIRED
    # the street cannot record the county's meeting
    with pytest.raises(CaseError) as caught:
        case_meeting_decision(actor=street_officer_a, case=case, amount=Decimal("8000"), meeting_reference="会议")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    case = case_meeting_decision(
        actor=approver, case=case, amount=Decimal("8000"), meeting_reference="盘龙区临时救助联席会议纪要〔2024〕3号"
    )
    case = case_decide(actor=approver, case=case, approve=True, opinion="按会议决定")
    assert (case.status, case.amount) == (Case.Status.APPROVED, Decimal("8000.00"))
    assert case.meeting_reference == "盘龙区临时救助联席会议纪要〔2024〕3号"


def test_steps_of_a_decided_case_are_refused(open_case, walk, approver, street_officer_a, coordinator_a):
    case = walk(open_case())
    assert case.status == Case.Status.APPROVED
    for call in (
        lambda: steps.case_extend(actor=street_officer_a, case=case, reason="异议"),
        lambda: steps.case_objection(actor=coordinator_a, case=case, objection="异议"),
        lambda: case_advance_aid(actor=street_officer_a, case=case, amount=Decimal("10"), note="x"),
    ):
        with pytest.raises(CaseError):
            call()
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.actions.filter(action="approve").count() == 1
