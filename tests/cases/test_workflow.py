"""The workflow of a case (R6.2): each step only by the role that may take it — refusals audited and changing
nothing; at least two investigators, a county one where a relative of staff applies; the economic verification
requested and awaited; objections during the public notice sending the case back; a refusal recommended at review
skipping the notice; the notice lasting its seven days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.forms.models import model_to_dict

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import steps
from jiuzhu.cases.decisions import case_decide
from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Case, CaseAction
from jiuzhu.verification.models import VerificationRequest
from jiuzhu.verification.services import verification_complete, verification_start
from tests.cases.conftest import DIBAO_MATERIALS, china
from tests.factories import make_staff


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    return time_machine


def completed_steps(case: Case) -> list[str]:
    return list(case.actions.filter(action=steps.DONE).values_list("step", flat=True))


def assert_refused(call, case: Case, what: str = "") -> CaseError:
    """The attempt is refused by role, audited, and changes nothing on the case."""
    before = model_to_dict(Case.objects.get(pk=case.pk))
    actions = CaseAction.objects.filter(case=case).count()
    audited = AuditEntry.objects.filter(action="case.refused", object_id=str(case.pk)).count()
    with pytest.raises(CaseError) as caught:
        call()
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED, caught.value.message
    assert what in caught.value.message
    assert model_to_dict(Case.objects.get(pk=case.pk)) == before
    assert CaseAction.objects.filter(case=case).count() == actions
    assert AuditEntry.objects.filter(action="case.refused", object_id=str(case.pk)).count() == audited + 1
    return caught.value


def investigate(case, actor, *investigators, findings="家中陈设简陋，户主失业"):
    return steps.case_investigate(actor=actor, case=case, investigators=list(investigators), findings=findings)


# --- Who may do what ---------------------------------------------------------------------------------------------


def test_only_caseworkers_of_the_place_investigate(
    open_case, grid_worker_a, supervisor, street_officer_b, coordinator_a
):
    case = open_case()
    for actor in (grid_worker_a, supervisor, street_officer_b):
        assert_refused(lambda actor=actor: investigate(case, actor, coordinator_a, actor), case, "记录入户调查")


def test_grid_workers_coordinators_and_supervisors_cannot_review(
    open_case, walk, grid_worker_a, coordinator_a, supervisor, street_officer_b
):
    case = walk(open_case(), until="review")
    for actor in (grid_worker_a, coordinator_a, supervisor, street_officer_b):
        assert_refused(
            lambda actor=actor: steps.case_review(actor=actor, case=case, recommend=True, opinion="同意"),
            case,
            "街道（乡镇）审核",
        )
        assert_refused(lambda actor=actor: steps.case_notice_close(actor=actor, case=case), case)


def test_nobody_but_the_district_approves_where_approval_is_the_districts(
    open_case, walk, grid_worker_a, coordinator_a, street_officer_a, supervisor, approver
):
    case = walk(open_case(), until="approval")
    for actor in (grid_worker_a, coordinator_a, supervisor):
        assert_refused(lambda actor=actor: case_decide(actor=actor, case=case, approve=True, opinion="同意"), case)
    # the street officer reviews, but the decision is the district's (57号 第二十条)
    error = assert_refused(lambda: case_decide(actor=street_officer_a, case=case, approve=True, opinion="同意"), case)
    assert "区县民政部门" in error.message
    # and the district approver decides
    assert case_decide(actor=approver, case=case, approve=True, opinion="同意").status == Case.Status.APPROVED


# --- Home investigation -------------------------------------------------------------------------------------------


def test_an_investigation_needs_two_investigators_of_the_place(
    open_case, coordinator_a, coordinator_a2, units, liaison
):
    case = open_case()
    with pytest.raises(CaseError) as caught:
        investigate(case, coordinator_a, coordinator_a)
    assert caught.value.code == CaseErrorCode.INVESTIGATORS
    assert caught.value.message == "入户调查须至少 2 名调查人员（民发〔2021〕57号 第十六条），这里只有 1 名"
    with pytest.raises(CaseError, match="这里只有 1 名"):  # the same person twice is one investigator
        investigate(case, coordinator_a, coordinator_a, coordinator_a)
    outsider = make_staff("coord_b", "community_coordinator", units["community_b"])
    for other in (outsider, liaison):
        with pytest.raises(CaseError) as caught:
            investigate(case, coordinator_a, coordinator_a, other)
        assert caught.value.code == CaseErrorCode.INVESTIGATOR_SCOPE and other.full_name in caught.value.message
    with pytest.raises(CaseError) as caught:
        investigate(case, coordinator_a, coordinator_a, coordinator_a2, findings="  ")
    assert caught.value.code == CaseErrorCode.FINDINGS_REQUIRED
    assert completed_steps(case) == [] and Case.objects.get(pk=case.pk).step == "investigation"
    # two investigators of the community: recorded with their names, on to the verification
    case = investigate(case, coordinator_a, coordinator_a, coordinator_a2)
    assert case.step == "verification"
    record = case.actions.get(action=steps.DONE, step="investigation")
    assert [p["name"] for p in record.data["investigators"]] == ["测试coord_a", "测试coord_a2"]


def test_a_relative_of_staff_is_recorded_apart_and_visited_by_the_district(
    open_case, coordinator_a, coordinator_a2, approver
):
    # given the applicant is the brother of the community's director (57号 第十一条)
    case = open_case(conflict_of_interest=True, conflict_note="申请人系社区主任之弟")
    # then the case carries a separate record of it
    assert case.actions.filter(action="conflict", note__contains="社区主任之弟").exists()
    # and two community investigators are not enough: the district must take part (第二十条)
    with pytest.raises(CaseError) as caught:
        investigate(case, coordinator_a, coordinator_a, coordinator_a2)
    assert caught.value.code == CaseErrorCode.CONFLICT_VISIT
    case = investigate(case, coordinator_a, coordinator_a, approver)
    assert case.step == "verification"


# --- Economic verification ----------------------------------------------------------------------------------------


def test_the_verification_is_requested_by_itself_and_awaited(open_case, coordinator_a, coordinator_a2, approver):
    # given an application whose family signed the authorization on 2 September
    case = investigate(open_case(), coordinator_a, coordinator_a, coordinator_a2)
    # when the case reaches the verification step, the request goes to the county by itself
    request = case.verification
    assert request is not None and request.household == case.household
    assert (request.status, request.purpose) == (VerificationRequest.Status.REQUESTED, "application")
    assert request.authorization_signed_on == date(2024, 9, 2)
    # then the case waits while the verification is requested, and while it runs
    for before in (None, verification_start):
        if before:
            before(actor=approver, request=request)
        with pytest.raises(CaseError) as caught:
            steps.case_verification_done(actor=coordinator_a, case=case)
        assert caught.value.code == CaseErrorCode.VERIFICATION_NOT_DONE
        assert Case.objects.get(pk=case.pk).step == "verification"
    # and moves on once it is completed — to the review, as nobody contested it (no democratic appraisal)
    verification_complete(actor=approver, request=request)
    case = steps.case_verification_done(actor=coordinator_a, case=case)
    assert case.step == "review"
    assert completed_steps(case) == ["investigation", "verification"]


def test_without_a_signed_authorization_the_verification_cannot_be_requested(open_case, coordinator_a, coordinator_a2):
    # given the family handed in an unsigned authorization form (no signing date recorded)
    case = open_case(
        materials_provided=[*DIBAO_MATERIALS, "家庭经济状况核对授权书（全体家庭成员签字）"],
        authorization_signed_on=None,
    )
    case = investigate(case, coordinator_a, coordinator_a, coordinator_a2)
    assert case.verification is None
    with pytest.raises(CaseError) as caught:
        steps.case_verification_done(actor=coordinator_a, case=case)
    assert caught.value.code == CaseErrorCode.NO_AUTHORIZATION
    assert not VerificationRequest.objects.exists()


# --- Review, public notice, objections ----------------------------------------------------------------------------


def test_an_objection_during_the_notice_sends_the_case_back_and_calls_for_an_appraisal(
    open_case, walk, coordinator_a, street_officer_a
):
    case = walk(open_case(), until="notice")
    assert (case.notice_starts_on, case.notice_ends_on) == (date(2024, 10, 14), date(2024, 10, 20))
    with pytest.raises(CaseError) as caught:
        steps.case_objection(actor=coordinator_a, case=case, objection=" ")
    assert caught.value.code == CaseErrorCode.OBJECTION_REQUIRED
    # when a neighbour objects that the family runs a shop (公示异议)
    case = steps.case_objection(actor=coordinator_a, case=case, objection="邻居反映该户经营小卖部")
    # then the case is back at the home investigation, contested, off the notice board
    assert (case.step, case.contested, case.notice_ends_on) == ("investigation", True, None)
    assert case.actions.filter(action="objection", note="邻居反映该户经营小卖部").exists()
    # and on the second pass the democratic appraisal cannot be skipped (dibao: appraisal when contested)
    case = walk(case, until="appraisal")
    with pytest.raises(CaseError) as caught:
        steps.case_review(actor=street_officer_a, case=case, recommend=True, opinion="同意")
    assert caught.value.code == CaseErrorCode.WRONG_STEP
    assert caught.value.message == "该事项当前环节为“民主评议”，不能办理“街道（乡镇）审核”"
    case = walk(case)
    assert case.status == Case.Status.APPROVED
    assert completed_steps(case) == [
        "investigation",
        "verification",
        "review",
        "investigation",
        "verification",
        "appraisal",
        "review",
        "notice",
    ]


def test_an_objection_outside_the_notice_is_refused(open_case, walk, coordinator_a):
    case = walk(open_case(), until="review")
    with pytest.raises(CaseError) as caught:
        steps.case_objection(actor=coordinator_a, case=case, objection="有异议")
    assert caught.value.code == CaseErrorCode.NOT_ON_NOTICE


def test_a_contested_review_goes_to_democratic_appraisal_first(open_case, walk, street_officer_a):
    case = walk(open_case(), until="review")
    # when the street finds the family's finances hard to verify (家庭经济状况难以核实)
    case = steps.case_review(actor=street_officer_a, case=case, recommend=True, opinion="收入难以核实", contested=True)
    # then the appraisal comes first, and the review is taken again after it
    assert (case.step, case.contested) == ("appraisal", True)
    case = walk(case, until="notice")
    assert completed_steps(case) == ["investigation", "verification", "appraisal", "review"]


def test_the_notice_cannot_be_closed_before_its_seven_days_end(open_case, walk, street_officer_a, monday):
    # given a case put on the community's notice board on Monday 14 October
    case = walk(open_case(), until="notice")
    # when the street tries to close it on its seventh day, Sunday 20 October
    monday.move_to(china("2024-10-20 17:00"), tick=False)
    with pytest.raises(CaseError) as caught:
        steps.case_notice_close(actor=street_officer_a, case=case)
    # then it must wait for the end of the period
    assert caught.value.code == CaseErrorCode.NOTICE_RUNNING
    assert caught.value.message == "公示期至 2024-10-20 结束，公示期满后才能进入下一环节"
    # and on the eighth day it goes on to approval
    monday.move_to(china("2024-10-21 09:00"), tick=False)
    case = steps.case_notice_close(actor=street_officer_a, case=case)
    assert case.step == "approval"
    assert completed_steps(case)[-1] == "notice"


def test_a_refusal_recommended_at_review_is_not_publicised_and_goes_to_approval(open_case, walk, street_officer_a):
    case = walk(open_case(), until="review")
    case = steps.case_review(actor=street_officer_a, case=case, recommend=False, opinion="家庭收入高于低保标准")
    assert case.step == "approval"
    assert case.notice_starts_on is None and case.notice_ends_on is None
    assert completed_steps(case) == ["investigation", "verification", "review"]


def test_a_step_out_of_turn_is_refused_and_changes_nothing(open_case, street_officer_a, approver, coordinator_a):
    case = open_case()
    before = model_to_dict(case)
    for call in (
        lambda: steps.case_review(actor=street_officer_a, case=case, recommend=True, opinion="同意"),
        lambda: steps.case_notice_close(actor=street_officer_a, case=case),
        lambda: steps.case_appraise(actor=coordinator_a, case=case, attendees=5, outcome="同意"),
        lambda: steps.case_verification_done(actor=coordinator_a, case=case),
        lambda: case_decide(actor=approver, case=case, approve=True, opinion="同意"),
    ):
        with pytest.raises(CaseError) as caught:
            call()
        assert caught.value.code == CaseErrorCode.WRONG_STEP
    assert model_to_dict(Case.objects.get(pk=case.pk)) == before


def test_the_investigation_start_is_recorded(open_case, coordinator_a, monday):
    case = open_case()
    monday.shift(timedelta(hours=2))
    case = steps.case_investigation_start(actor=coordinator_a, case=case)
    assert case.step == "investigation" and case.step_due_at is None
    assert case.actions.filter(action="start").count() == 1
