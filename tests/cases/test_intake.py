"""Intake (一门受理, R6.1): a complete application is submitted, an incomplete one is kept as a draft with one notice
listing everything missing and nothing the platform holds; workers applying on a family's behalf record the
authorisation; the window accepts only where the family may apply; one application for several programmes opens a
case per civil-affairs programme and a referral per department."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import intake
from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.models import Application, Case, Referral
from jiuzhu.core.id_number import make_id_number
from jiuzhu.core.parsing import fold_width
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.registry_facts import household_document
from jiuzhu.registry import services as registry
from jiuzhu.workorders.models import WorkOrder
from tests.cases.conftest import DIBAO_MATERIALS
from tests.factories import make_household

HOUSEHOLD_BOOK = "户口簿、居民身份证"
AUTHORIZATION = "家庭经济状况核对授权书（全体家庭成员签字）"


def refused_audits(obj=None) -> int:
    entries = AuditEntry.objects.filter(action="case.refused")
    if obj is not None:
        entries = entries.filter(object_id=str(obj.pk))
    return entries.count()


# --- Registering: submitted when complete, a draft with the one-time notice when not ------------------------------


def test_a_complete_application_is_submitted_and_the_family_is_told(
    apply, quiet_sms, django_capture_on_commit_callbacks
):
    # given the family brought the application form and the income statement; its file holds the household
    # book and everyone's ID number, and the authorization was signed on 2 September
    # when the window registers 低保
    with django_capture_on_commit_callbacks(execute=True):
        application = apply()
    # then it is submitted for acceptance, numbered, with nothing missing
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at is not None and application.number.startswith("SQ")
    assert application.materials_missing == []
    # and the applicant's phone is told it waits for the street
    assert [(m["phone"], "等待拓东街道受理" in m["text"]) for m in quiet_sms] == [("13900001111", True)]


def test_an_incomplete_application_is_a_draft_listing_exactly_what_is_missing(
    apply, quiet_sms, django_capture_on_commit_callbacks
):
    # given the family brought only the income statement, and signed no authorization yet
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(materials_provided=["家庭成员收入情况声明"], authorization_signed_on=None)
    # then the application is kept (never lost) as a draft
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT and application.submitted_at is None
    # with one notice of everything missing — and not the household book nor ID cards, which the file holds
    assert application.materials_missing == ["低保申请书", AUTHORIZATION]
    status = intake.materials_of(application)
    assert status.held == [HOUSEHOLD_BOOK]
    assert status.optional == ["残疾人证、疾病诊断证明等（如有）"]
    # and the text message lists the same, once
    assert len(quiet_sms) == 1
    assert "尚缺材料：低保申请书、家庭经济状况核对授权书（全体家庭成员签字）" in quiet_sms[0]["text"]


def test_the_authorization_on_file_is_not_asked_for_again(apply):
    # given the authorization's signing date is recorded
    application = apply(materials_provided=["家庭成员收入情况声明"], authorization_signed_on=date(2024, 9, 2))
    # then only the application form is missing
    assert application.materials_missing == ["低保申请书"]
    assert AUTHORIZATION in intake.materials_of(application).held


def test_id_cards_are_asked_for_when_a_member_has_no_id_number_on_file(apply, poor_household, street_officer_a):
    # given a newborn on the family's file without an ID number yet
    baby = registry.person_create(actor=street_officer_a, name="王小宝", birth_date=date(2024, 5, 1), sex="M")
    registry.membership_add(
        actor=street_officer_a, household=poor_household, person=baby, relation="child", joined_on=date(2024, 5, 1)
    )
    # when the family applies with the form and the income statement
    application = apply()
    # then the household book and ID cards are asked for: the file cannot stand in for the missing ID card
    assert application.status == Application.Status.DRAFT
    assert application.materials_missing == [HOUSEHOLD_BOOK]


def test_an_online_application_without_a_household_on_file_is_told_everything(
    units, quiet_sms, django_capture_on_commit_callbacks
):
    # given a citizen applying online (no actor), whose family the platform does not know yet
    with django_capture_on_commit_callbacks(execute=True):
        application = intake.application_create(
            actor=None,
            unit=units["street_a"],
            channel="online",
            applicant_name="赵大妈",
            phone="13900002222",
            programmes=["dibao"],
        )
    # then the request is in, and everything is listed for the window, the household book included
    assert application.status == Application.Status.SUBMITTED
    assert application.materials_missing == [HOUSEHOLD_BOOK, "低保申请书", AUTHORIZATION, "家庭成员收入情况声明"]
    assert "尚缺材料：户口簿、居民身份证、低保申请书" in quiet_sms[0]["text"]


def test_materials_brought_later_submit_the_draft(apply, street_officer_a):
    # given a draft missing the application form and the authorization
    application = apply(materials_provided=["家庭成员收入情况声明"], authorization_signed_on=None)
    # when the family brings the form, then signs the authorization
    application = intake.application_update_materials(
        actor=street_officer_a, application=application, materials_provided=["低保申请书"]
    )
    assert application.status == Application.Status.DRAFT
    assert application.materials_missing == [AUTHORIZATION]
    application = intake.application_update_materials(
        actor=street_officer_a,
        application=application,
        materials_provided=[],
        authorization_signed_on=date(2024, 9, 20),
    )
    # then it is submitted, with nothing missing
    assert application.status == Application.Status.SUBMITTED and application.materials_missing == []
    assert application.authorization_signed_on == date(2024, 9, 20)


# --- Who may register, and what is checked ------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["assisted", "grid"])
def test_applying_on_a_familys_behalf_needs_the_authorisation_recorded(apply, grid_worker_a, channel):
    # given a grid worker registering for the family (帮办代办 / 网格员代为申请)
    # when no authorisation is recorded
    with pytest.raises(CaseError) as caught:
        apply(actor=grid_worker_a, channel=channel, authorisation="  ")
    # then it is refused with what must be recorded, and nothing is kept
    assert caught.value.code == CaseErrorCode.AUTHORISATION_REQUIRED
    assert "委托" in caught.value.message
    assert not Application.objects.exists()
    # and with the authorisation it is registered, the helper recorded
    application = apply(actor=grid_worker_a, channel=channel, authorisation="户主王福贵口头委托，社区主任见证")
    assert application.assisted_by == grid_worker_a
    assert application.authorisation == "户主王福贵口头委托，社区主任见证"


def test_a_supervisor_cannot_register_and_the_attempt_is_audited(apply, supervisor):
    with pytest.raises(CaseError) as caught:
        apply(actor=supervisor)
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED and "登记救助申请" in caught.value.message
    assert not Application.objects.exists()
    # the refused attempt stays on record
    assert AuditEntry.objects.filter(action="case.refused", actor=supervisor).count() == 1


@pytest.mark.parametrize("phone", ["1390000111", "23900001111", "139-0000-1111", "１３９０００"])
def test_a_wrong_phone_number_is_refused_with_the_reason(apply, phone):
    with pytest.raises(CaseError) as caught:
        apply(phone=phone)
    assert caught.value.code == CaseErrorCode.PHONE_INVALID
    assert caught.value.message == f"手机号“{fold_width(phone)}”不正确，应为11位数字"


def test_a_phone_number_typed_in_full_width_digits_is_kept_in_plain_digits(
    apply, quiet_sms, django_capture_on_commit_callbacks
):
    # given a phone number typed with a Chinese input method (full-width digits)
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(phone="１３９００００１１１１")
    # then it is stored, and texted, as the plain number
    assert application.phone == "13900001111"
    assert quiet_sms[0]["phone"] == "13900001111"


def test_a_wrong_id_number_is_refused_with_the_chinese_reason(apply):
    good = make_id_number("530103", date(1975, 4, 8), 21)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(CaseError) as caught:
        apply(applicant_id_number=wrong_check)
    assert caught.value.code == CaseErrorCode.ID_INVALID
    assert caught.value.message.startswith("申请人身份证号不正确：身份证号校验位错误")
    with pytest.raises(CaseError, match="出生日期不存在"):
        apply(applicant_id_number="530103197502300012")


def test_full_width_and_15_digit_id_numbers_are_normalised(apply):
    # given an 18-digit number typed in full-width digits with a lower-case x
    eighteen = make_id_number("530103", date(1975, 4, 8), 21)
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch.lower() for ch in eighteen)
    assert apply(applicant_id_number=full_width).applicant_id_number == eighteen
    # and an old 15-digit number (born 1975-04-08): the century and the check digit are added
    fifteen = eighteen[:6] + eighteen[8:17]
    assert apply(applicant_id_number=fifteen).applicant_id_number == eighteen


# --- Accepting ----------------------------------------------------------------------------------------------------


def test_acceptance_is_refused_while_materials_are_missing(apply, street_officer_a):
    application = apply(materials_provided=["家庭成员收入情况声明"])
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=street_officer_a, application=application)
    assert caught.value.code == CaseErrorCode.MATERIALS_MISSING
    assert caught.value.message == "材料不齐，尚缺：低保申请书"
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT and not application.cases.exists()


def test_acceptance_by_a_coordinator_is_refused_and_audited(apply, coordinator_a):
    application = apply()
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=coordinator_a, application=application)
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and not Case.objects.exists()
    assert refused_audits(application) == 1


@pytest.fixture
def registered_elsewhere(street_officer_a, units):
    """A family living in 拓东街道 whose 户籍 is in 鼓楼街道."""
    household = make_household(street_officer_a, units["grid_a"], head_name="孙立新")
    household.hukou_division_code = units["street_b"].division_code + "001"
    household.save(update_fields=["hukou_division_code"])
    return household


NO_RESIDENCE = "residence_applications: false\n"


def test_a_family_registered_in_another_street_is_refused_where_residence_applications_are_closed(
    local_pack, apply, street_officer_a, registered_elsewhere
):
    # given a locality that does not accept applications where people live (57号 第五条 left closed)
    local_pack(NO_RESIDENCE)
    application = apply(household=registered_elsewhere, applicant_name="孙立新")
    # when 拓东街道 tries to accept it
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=street_officer_a, application=application)
    # then it is refused: the 户籍地 is another street
    assert caught.value.code == CaseErrorCode.WRONG_PLACE
    assert caught.value.message.startswith("该户的户籍地不在“拓东街道”，本地不能受理")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and not application.cases.exists()


def test_a_family_living_here_may_apply_here_where_the_locality_allows_it(
    apply, street_officer_a, registered_elsewhere
):
    # given the demo pack, which inherits Yunnan's residence-based applications (2022)
    application = apply(household=registered_elsewhere, applicant_name="孙立新")
    # then 拓东街道, where the family lives, accepts it
    application = intake.application_accept(actor=street_officer_a, application=application)
    assert application.status == Application.Status.ACCEPTED
    assert application.cases.get().programme == "dibao"


def test_emergency_temporary_aid_is_accepted_wherever_the_emergency_happened(
    local_pack, apply, street_officer_a, registered_elsewhere
):
    local_pack(NO_RESIDENCE)
    materials = ["临时救助申请书", "遭遇急难或大额支出的证明（事故认定、医疗票据等）"]
    # given the same family's house burnt down: emergency temporary aid
    emergency = apply(
        programmes=["temporary_aid"],
        household=registered_elsewhere,
        materials_provided=materials,
        emergency=True,
        based_on="incident",
    )
    # then it is accepted here although the 户籍地 is another street (2023 意见: no 户籍 limit for 急难)
    assert intake.application_accept(actor=street_officer_a, application=emergency).status == "accepted"
    # but temporary aid for an expense that is not an emergency is not
    ordinary = apply(programmes=["temporary_aid"], household=registered_elsewhere, materials_provided=materials)
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=street_officer_a, application=ordinary)
    assert caught.value.code == CaseErrorCode.WRONG_PLACE


JOINT_MATERIALS = [
    *DIBAO_MATERIALS,
    "救助对象身份证明（由医保部门与民政数据比对获取，一般无须提交）",
    "住院或门诊费用票据、费用清单（非“一站式”结算时）",
    "学籍证明或录取通知书",
]


def test_one_application_opens_a_case_and_refers_the_other_departments_parts(
    apply, street_officer_a, departments, poor_household
):
    # given one application for 低保, 医疗救助 and 教育救助 (一次申请、分类审核、一件事联办)
    application = apply(programmes=["dibao", "medical_aid", "education_aid"], materials_provided=JOINT_MATERIALS)
    assert application.status == Application.Status.SUBMITTED
    # when the street accepts it
    application = intake.application_accept(actor=street_officer_a, application=application)
    # then civil affairs decides 低保 as one case
    assert [case.programme for case in application.cases.all()] == ["dibao"]
    # and the two departments each get their part, as a work order they own
    referrals = {r.programme: r for r in application.referrals.select_related("work_order", "department")}
    assert set(referrals) == {"medical_aid", "education_aid"}
    assert referrals["medical_aid"].department == departments["medical_insurance"]
    assert referrals["education_aid"].department == departments["education"]
    for programme, referral in referrals.items():
        order = referral.work_order
        assert order.kind == WorkOrder.Kind.REFERRAL and order.owner_department == referral.department
        assert order.household == poor_household and order.due_at is not None
        # with the package it needs: the family (ID numbers masked), the application, and the rules' view
        package = referral.package
        assert package["application"] == application.number and package["situation"] == "户主失业，孩子上学"
        assert [m["name"] for m in package["members"]] == ["王福贵", "王小1"]
        assert all("*" in m["id_number"] for m in package["members"])
        today = date.fromisoformat(package["as_of"])
        check = eligibility_check(
            locality="demo-530103", as_of=today, document=household_document(poor_household, as_of=today)
        )
        expected = next(p for p in check["programmes"] if p["code"] == programme)
        rules = package["rules"]
        assert (rules["programme"], rules["status"]) == (expected["name"], expected["status"])
        # both are decided person by person: the department sees each member's result and conditions
        assert [(m["name"], m["status"]) for m in rules["members"]] == [
            (m["name"], m["status"]) for m in expected["members"]
        ]
        assert all(
            len(m["conditions"]) == len(e["conditions"]) > 0
            for m, e in zip(rules["members"], expected["members"], strict=True)
        )
    assert Referral.objects.count() == 2


def test_a_department_missing_from_the_district_is_a_clear_error_and_nothing_is_accepted(apply, street_officer_a):
    # given a district where nobody has added the medical-insurance bureau yet
    application = apply(programmes=["dibao", "medical_aid"], materials_provided=JOINT_MATERIALS)
    # when the street accepts it
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=street_officer_a, application=application)
    # then the message names the department code and what to do
    assert caught.value.code == CaseErrorCode.NO_DEPARTMENT
    assert "medical_insurance" in caught.value.message and "组织机构中添加" in caught.value.message
    # and nothing half-done remains: no case, no referral, still waiting for acceptance
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Case.objects.exists() and not Referral.objects.exists()


def test_a_street_cannot_accept_another_streets_application(apply, units, street_officer_b):
    application = apply()
    with pytest.raises(CaseError) as caught:
        intake.application_accept(actor=street_officer_b, application=application)
    assert caught.value.code == CaseErrorCode.OUT_OF_JURISDICTION


def test_a_withdrawn_application_ends_its_open_cases(open_case, street_officer_a, supervisor):
    case = open_case()
    # a supervisor may not withdraw it for the family; the attempt is audited
    with pytest.raises(CaseError) as caught:
        intake.application_withdraw(actor=supervisor, application=case.application, reason="")
    assert caught.value.code == CaseErrorCode.NOT_ALLOWED
    assert refused_audits(case.application) == 1
    # the window withdraws it at the family's request
    application = intake.application_withdraw(actor=street_officer_a, application=case.application, reason="已找到工作")
    case.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert case.status == Case.Status.WITHDRAWN and not case.is_open
    # and it cannot be withdrawn twice
    with pytest.raises(CaseError) as caught:
        intake.application_withdraw(actor=street_officer_a, application=application, reason="")
    assert caught.value.code == CaseErrorCode.NOT_DRAFT
