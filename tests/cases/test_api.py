"""Applications and cases over /api/v1/cases: register, accept, walk every step and decide with the same rules as
the pages; a body with problems is refused with every one of them in Chinese and nothing is written; a role without
the right is refused (403) and nothing moves; another street's objects are not found; phones and ID numbers are
masked in every answer."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from django.test import Client

from jiuzhu.audit.models import AuditEntry
from jiuzhu.cases import intake
from jiuzhu.cases.models import Application, Case
from tests.cases.conftest import DIBAO_MATERIALS, china
from tests.factories import add_income, make_household, make_staff

CJK = re.compile(r"[\u4e00-\u9fff]")
AID_MATERIALS = ["临时救助申请书", "遭遇急难或大额支出的证明（事故认定、医疗票据等）"]
TEKUN_MATERIALS = ["特困人员救助供养申请书", "法定义务人无履行义务能力的证明材料"]


def client_for(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def post(client, path, body=None):
    return client.post(f"/api/v1/cases{path}", json.dumps(body or {}), content_type="application/json")


def get(client, path):
    return client.get(f"/api/v1/cases{path}")


def act(client, case_id, action, body=None):
    return post(client, f"/cases/{case_id}/actions/{action}", body)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def states(detail) -> dict[str, str]:
    return {s["step"]: s["state"] for s in detail["required_steps"]}


@pytest.fixture
def body(poor_household, units):
    """A complete registration of 王福贵's family for 低保 at 拓东街道's window."""

    def make(**extra):
        return {
            "unit_id": units["street_a"].pk,
            "household_id": poor_household.pk,
            "applicant_name": "王福贵",
            "applicant_id_number": poor_household.head().id_number,
            "phone": "13900001111",
            "programmes": ["dibao"],
            "materials_provided": DIBAO_MATERIALS,
            "authorization_signed_on": "2024-09-02",
            "situation": "户主失业，孩子上学",
        } | extra

    return make


@pytest.fixture
def window(street_officer_a):
    return client_for(street_officer_a)


# --- The whole procedure ------------------------------------------------------------------------------------------


def test_register_accept_walk_every_step_and_decide(
    body, window, coordinator_a, coordinator_a2, approver, street_officer_a, time_machine
):
    # given the window on Monday 2 September 2024
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    # when it registers a complete application
    registered = post(window, "/applications", body())
    assert registered.status_code == 201, registered.content
    application = registered.json()
    assert application["status"] == "submitted" and application["materials"]["missing"] == []
    assert application["programme_names"] == ["最低生活保障"] and application["channel_label"] == "窗口申请"
    # and accepts it: one case, its first step due in 3 working days, the whole in 30
    accepted = post(window, f"/applications/{application['id']}/accept").json()
    assert accepted["status"] == "accepted"
    (case,) = accepted["cases"]
    assert case["step"] == "investigation" and case["step_due_label"] == "受理后3个工作日内启动调查"
    assert at(case["step_due_at"]) == china("2024-09-05 23:59:59")
    assert case["due_label"] == "自受理之日起30个工作日内完成" and case["countdown"].startswith("剩余")
    detail = get(window, f"/cases/{case['id']}").json()
    assert [s["step"] for s in detail["required_steps"]] == [
        "investigation",
        "verification",
        "review",
        "notice",
        "approval",
    ]
    assert states(detail)["investigation"] == "current" and detail["actions"][0]["action_label"] == "受理"

    # the community starts the investigation (the start limit is met) and records it
    community = client_for(coordinator_a)
    started = act(community, case["id"], "start").json()
    assert started["step_due_at"] is None and started["actions"][-1]["action"] == "start"
    moved = act(
        community,
        case["id"],
        "investigate",
        {"investigators": [coordinator_a.pk, coordinator_a2.pk], "findings": "家中陈设简陋", "income": "无固定收入"},
    )
    assert moved.status_code == 200, moved.content
    moved = moved.json()
    assert moved["step"] == "verification" and moved["verification_id"]
    assert moved["actions"][-1]["data"]["form"]["income"] == "无固定收入"

    # the county checks the family's economic situation (its own API), then the street takes the result
    county = client_for(approver)
    for what in ("start", "complete"):
        assert county.post(f"/api/v1/verifications/{moved['verification_id']}/{what}").status_code == 200
    reviewed = act(window, case["id"], "verified").json()
    assert reviewed["step"] == "review"

    # the street recommends it: public notice for 7 days, and the notice cannot be closed early
    on_notice = act(window, case["id"], "review", {"recommend": True, "opinion": "符合低保条件"}).json()
    assert on_notice["step"] == "notice" and on_notice["notice_ends_on"] == "2024-09-08"
    assert on_notice["proposed_amount"] is not None
    early = act(window, case["id"], "close_notice")
    assert early.status_code == 400 and early.json()["detail"] == "公示期至 2024-09-08 结束，公示期满后才能进入下一环节"
    time_machine.move_to(china("2024-09-09 10:00"), tick=False)
    window = client_for(street_officer_a)  # a week later: signed in again
    to_decide = act(window, case["id"], "close_notice").json()
    assert to_decide["step"] == "approval" and to_decide["step_label"] == "审批（审核确认）"

    # the district decides: the body must say which way
    district = client_for(approver)
    empty = act(district, case["id"], "decide")
    assert empty.status_code == 422
    assert {p["field"]: p["problem"] for p in empty.json()["problems"]} == {"approve": "必填", "opinion": "必填"}
    decided = act(district, case["id"], "decide", {"approve": True, "opinion": "符合条件，同意"})
    assert decided.status_code == 200, decided.content
    decided = decided.json()
    assert decided["status"] == "approved" and decided["decided_by"] == approver.full_name
    assert decided["amount"] == decided["proposed_amount"] and decided["payment_from"] == "2024-10-01"
    assert re.fullmatch(r"拓东救决〔2024〕\d{6}号", decided["decision_number"])
    assert decided["reasons"] == ["符合条件，同意"] and decided["step"] == ""
    assert set(states(decided).values()) == {"done"}
    assert [a["action_label"] for a in decided["actions"]][-1] == "批准"
    # exactly one decision
    again = act(district, case["id"], "decide", {"approve": False, "opinion": "重复"})
    assert again.status_code == 400 and "不能重复决定" in again.json()["detail"]
    # the letter is handed over, and the application is done
    assert act(window, case["id"], "delivered").json()["letter_delivered_at"] is not None
    assert get(window, f"/applications/{application['id']}").json()["status"] == "closed"


def test_a_refusal_recommended_at_review_skips_the_notice_and_gives_the_failed_conditions(
    apply, walk, window, approver, street_officer_a, units, time_machine
):
    # given a family earning well above the standard, reviewed on Friday 27 September 2024
    time_machine.move_to(china("2024-09-27 10:00"), tick=False)
    household = make_household(street_officer_a, units["grid_a"], head_name="李四", members=2)
    add_income(household, "5000")
    application = intake.application_accept(
        actor=street_officer_a, application=apply(household=household, applicant_name="李四")
    )
    case = walk(application.cases.get(), until="review")
    # when the street recommends refusal, there is no public notice
    refused = act(window, case.pk, "review", {"recommend": False, "opinion": "人均收入高于低保标准"}).json()
    assert refused["step"] == "approval" and "notice" not in states(refused)
    # an amount has no place in a refusal
    district = client_for(approver)
    wrong = act(district, case.pk, "decide", {"approve": False, "opinion": "不符合", "amount": "100"})
    assert wrong.status_code == 422 and wrong.json()["problems"][0]["problem"] == "不予批准时不填写金额"
    # and the district's refusal carries the conditions the rules found not met, with a letter due in 3 working days
    decided = act(district, case.pk, "decide", {"approve": False, "opinion": "不符合低保条件"}).json()
    assert decided["status"] == "refused" and decided["amount"] is None
    assert "家庭月人均收入低于低保标准" in decided["reasons"]
    failed = [c["label"] for c in decided["conditions"] if c["held"] is False]
    assert failed == decided["reasons"]
    assert at(decided["letter_due_at"]) == china("2024-10-08 23:59:59")
    assert re.fullmatch(r"拓东救不决〔2024〕\d{6}号", decided["decision_number"])
    assert decided["next_step"] == "书面告知申请人（不予批准告知书）"


# --- Input checked first, every problem at once -------------------------------------------------------------------


def test_a_registration_with_problems_lists_every_one_in_chinese_and_writes_nothing(body, window):
    response = post(
        window,
        "/applications",
        body(
            household_id=999_999,
            applicant_name="  ",
            applicant_id_number="530103198001011234",
            phone="12345",
            channel="assisted",
            programmes=["dibao", "no_such_programme"],
            emergency=True,
            emergency_months=0,
            authorization_signed_on="昨天",
            aprove=True,
        ),
    )
    assert response.status_code == 422
    answer = response.json()
    problems = {p["field"]: p for p in answer["problems"]}
    assert set(problems) == {
        "applicant_name",
        "emergency_months",
        "authorization_signed_on",
        "aprove",
    }, "the shape is checked first"
    assert problems["applicant_name"]["where"] == "申请人姓名" and problems["applicant_name"]["problem"] == "不能为空"
    assert problems["emergency_months"]["problem"] == "不能小于 1"
    assert problems["aprove"]["problem"] == "没有这个字段（请核对字段名）"
    assert answer["code"] == "input_invalid" and answer["detail"].startswith("提交的内容有 4 处问题：")
    # once the shape is right, every rule of the service and the page is checked, each on its own
    response = post(
        window,
        "/applications",
        body(
            household_id=999_999,
            applicant_id_number="530103198001011234",
            phone="12345",
            channel="assisted",
            programmes=["dibao", "no_such_programme"],
            emergency=True,
            conflict_of_interest=True,
        ),
    )
    assert response.status_code == 422
    problems = {p["field"]: p["problem"] for p in response.json()["problems"]}
    assert problems == {
        "household_id": "编号 999999 的家庭户不存在或不在您的管辖范围内",
        "authorisation": "代为申请须记录委托或授权情况（委托人、委托书或口头授权及见证人）",
        "phone": "手机号“12345”不正确，应为11位数字",
        "applicant_id_number": problems["applicant_id_number"],
        "programmes.1": "政策包“盘龙区（演示）”中没有救助项目“no_such_programme”",
        "emergency_kind": "请选择急难情形",
        "conflict_note": "请写明与哪位经办人员或村（居）委会成员是什么关系",
    }
    assert problems["applicant_id_number"].startswith("申请人身份证号不正确：身份证号校验位错误")
    assert all(CJK.search(text) for text in problems.values())
    # materials are those of the programmes applied for; a body that is not JSON is told so
    materials = post(window, "/applications", body(materials_provided=["低保申请表"]))
    assert materials.status_code == 422 and "“低保申请表”不是所申请项目要求的材料" in materials.json()["detail"]
    broken = window.post("/api/v1/cases/applications", "{not json", content_type="application/json")
    assert broken.status_code == 422 and broken.json()["problems"][0]["problem"] == "不是有效的 JSON"
    assert post(window, "/applications", body(programmes=[])).json()["detail"].endswith("请至少选择一个申请项目")
    assert not Application.objects.exists()


def test_an_incomplete_application_is_a_draft_listing_what_is_missing_until_brought(body, window, time_machine):
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    draft = post(window, "/applications", body(materials_provided=[], authorization_signed_on=None)).json()
    assert draft["status"] == "draft"
    assert draft["materials_missing"] == [
        "低保申请书",
        "家庭经济状况核对授权书（全体家庭成员签字）",
        "家庭成员收入情况声明",
    ]
    assert draft["materials"]["held"] == ["户口簿、居民身份证"]
    path = f"/applications/{draft['id']}/materials"
    assert post(window, path).json()["problems"][0]["problem"] == "请填写补交的材料，或授权书签署日期"
    assert post(window, path, {"materials_provided": ["身份证复印件"]}).status_code == 422
    submitted = post(window, path, {"materials_provided": DIBAO_MATERIALS, "authorization_signed_on": "2024-09-02"})
    assert submitted.json()["status"] == "submitted" and submitted.json()["materials_missing"] == []


def test_a_withdrawal_needs_its_reason_and_ends_the_open_cases(apply, window, street_officer_a):
    application = intake.application_accept(actor=street_officer_a, application=apply())
    path = f"/applications/{application.pk}/withdraw"
    blank = post(window, path, {"reason": " "})
    assert blank.status_code == 422 and blank.json()["problems"][0]["where"] == "撤回原因"
    done = post(window, path, {"reason": "申请人已找到工作"}).json()
    assert done["status"] == "withdrawn" and done["cases"][0]["status"] == "withdrawn"
    again = post(window, path, {"reason": "再撤一次"})
    assert again.status_code == 400 and again.json()["detail"] == "申请当前状态为“已撤回”，不能撤回"


def test_an_action_body_is_checked_before_anything_moves(open_case, walk, window, approver, coordinator_a, units):
    case = open_case()
    community = client_for(coordinator_a)
    other_place = make_staff("coord_b", "community_coordinator", units["community_b"])
    wrong = act(community, case.pk, "investigate", {"investigators": [coordinator_a.pk, other_place.pk]})
    assert wrong.status_code == 422
    problems = {p["field"]: p["problem"] for p in wrong.json()["problems"]}
    assert problems == {"findings": "必填"}, "the shape first"
    wrong = act(
        community, case.pk, "investigate", {"investigators": [coordinator_a.pk, other_place.pk], "findings": "x"}
    )
    assert wrong.json()["problems"] == [
        {
            "field": "investigators.1",
            "where": "调查人员第2项",
            "problem": f"编号 {other_place.pk} 的工作人员不存在，或不能参加该户的入户调查",
        }
    ]
    assert other_place.full_name not in wrong.content.decode()
    # a misspelt field is refused, never taken for the default
    case = walk(case, until="approval")
    typo = act(client_for(approver), case.pk, "decide", {"aprove": False, "opinion": "不符合"})
    assert typo.status_code == 422
    assert {p["field"] for p in typo.json()["problems"]} == {"approve", "aprove"}
    huge = act(client_for(approver), case.pk, "decide", {"approve": True, "opinion": "同意", "amount": "1e20"})
    assert huge.status_code == 422 and huge.json()["problems"][0]["where"] == "金额（元）"
    case.refresh_from_db()
    assert (case.status, case.step) == ("in_progress", "approval")
    # an action the pages do not have is not found
    unknown = act(window, case.pk, "approve", {})
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("没有“approve”这项办理操作")


# --- Roles and places ---------------------------------------------------------------------------------------------


def test_a_role_without_the_right_is_refused_and_nothing_moves(
    apply, walk, body, coordinator_a, supervisor, street_officer_a, time_machine
):
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    application = apply()
    # a community coordinator may register but not accept
    refused = post(client_for(coordinator_a), f"/applications/{application.pk}/accept")
    assert refused.status_code == 403 and refused.json()["detail"] == "您的角色无权进行此操作：受理救助申请"
    application.refresh_from_db()
    assert application.status == "submitted" and not Case.objects.exists()
    assert AuditEntry.objects.filter(action="case.refused", actor=coordinator_a).count() == 1
    # a supervisor may not register at all
    assert post(client_for(supervisor), "/applications", body()).status_code == 403
    assert Application.objects.count() == 1
    # nor may a coordinator decide
    case = walk(intake.application_accept(actor=street_officer_a, application=application).cases.get(), "approval")
    decide = act(client_for(coordinator_a), case.pk, "decide", {"approve": True, "opinion": "同意"})
    assert decide.status_code == 403 and "作出审批决定" in decide.json()["detail"]
    case.refresh_from_db()
    assert (case.status, case.decided_at) == ("in_progress", None)


def test_a_grid_worker_applies_for_a_family_of_their_grid_with_its_authorisation(body, grid_worker_a, units):
    worker = client_for(grid_worker_a)
    without = post(worker, "/applications", body(unit_id=None))
    assert without.status_code == 422 and without.json()["problems"][0]["field"] == "authorisation"
    made = post(worker, "/applications", body(unit_id=None, authorisation="户主口头委托，社区主任见证"))
    assert made.status_code == 201, made.content
    assert (made.json()["channel"], made.json()["unit_id"]) == ("grid", units["street_a"].pk)
    assert post(worker, f"/applications/{made.json()['id']}/accept").status_code == 403


def test_another_streets_objects_are_not_found_and_lists_are_scoped(apply, body, street_officer_a, street_officer_b):
    application = intake.application_accept(actor=street_officer_a, application=apply())
    case = application.cases.get()
    other = client_for(street_officer_b)
    assert get(other, f"/applications/{application.pk}").status_code == 404
    assert get(other, f"/cases/{case.pk}").status_code == 404
    assert post(other, f"/applications/{application.pk}/withdraw", {"reason": "撤回"}).status_code == 404
    assert act(other, case.pk, "extend", {"reason": "人户分离"}).status_code == 404
    assert get(other, "/applications").json()["count"] == 0 and get(other, "/cases").json()["count"] == 0
    # nor can another street register for this family, or at this street
    foreign = post(other, "/applications", body())
    assert foreign.status_code == 422
    assert {p["field"] for p in foreign.json()["problems"]} == {"household_id", "unit_id"}
    assert Application.objects.count() == 1
    case.refresh_from_db()
    assert case.extended_reason == "" and application.status == "accepted"


# --- Masking, lists and filters -----------------------------------------------------------------------------------


def test_phones_and_id_numbers_are_masked_in_every_answer(body, window, poor_household, time_machine):
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    id_number = poor_household.head().id_number
    created = post(window, "/applications", body())
    application = created.json()
    assert application["phone"] == "139****1111"
    assert application["applicant_id_number"] == id_number[:6] + "********" + id_number[-4:]
    accepted = post(window, f"/applications/{application['id']}/accept")
    case_id = accepted.json()["cases"][0]["id"]
    answers = [
        created,
        accepted,
        get(window, "/applications"),
        get(window, f"/applications/{application['id']}"),
        get(window, "/cases"),
        get(window, f"/cases/{case_id}"),
    ]
    for answer in answers:
        text = answer.content.decode()
        assert answer.status_code in (200, 201)
        assert id_number not in text and "13900001111" not in text and "13812345678" not in text


def test_a_phone_left_out_is_the_one_on_file_and_is_masked_too(body, window, poor_household):
    created = post(window, "/applications", body(phone="")).json()
    assert created["phone"] == "139****4321"  # the head's phone on file
    assert Application.objects.get(pk=created["id"]).phone == poor_household.head().phone


def test_lists_filter_by_status_programme_step_and_overdue(apply, window, street_officer_a, time_machine):
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    draft = apply(materials_provided=[])
    accepted = intake.application_accept(
        actor=street_officer_a, application=apply(["temporary_aid"], materials_provided=AID_MATERIALS)
    )
    items = get(window, "/applications?status=draft").json()["items"]
    assert [a["id"] for a in items] == [draft.pk] and items[0]["materials_missing"]
    by_programme = get(window, "/applications?programme=temporary_aid").json()
    assert [a["id"] for a in by_programme["items"]] == [accepted.pk]
    assert get(window, "/applications?limit=1").json() | {"items": None} == {"count": 2, "items": None}
    case = accepted.cases.get()
    assert [c["id"] for c in get(window, "/cases?step=investigation&status=in_progress").json()["items"]] == [case.pk]
    assert get(window, "/cases?overdue=true").json()["count"] == 0
    # nobody starts the investigation within 3 working days
    time_machine.move_to(china("2024-09-06 09:00"), tick=False)
    window = client_for(street_officer_a)
    overdue = get(window, "/cases?overdue=true").json()["items"]
    assert [c["id"] for c in overdue] == [case.pk] and overdue[0]["overdue"] is True
    assert overdue[0]["step_countdown"].startswith("已超期")
    bad = get(window, "/cases?step=decide&status=done")
    assert bad.status_code == 422 and [p["field"] for p in bad.json()["problems"]] == ["step", "status"]
    assert "应为以下之一" in bad.json()["detail"]


# --- The other actions of the page --------------------------------------------------------------------------------


def test_contested_review_appraisal_objection_and_extension(open_case, walk, window, coordinator_a, time_machine):
    time_machine.move_to(china("2024-09-02 09:00"), tick=False)
    case = walk(open_case(), until="review")
    community = client_for(coordinator_a)
    # the street cannot verify the family's situation: democratic appraisal first
    contested = act(window, case.pk, "review", {"recommend": True, "opinion": "收入难以核实", "contested": True})
    assert contested.json()["step"] == "appraisal" and "appraisal" in states(contested.json())
    assert act(community, case.pk, "appraise", {"attendees": 0, "outcome": "同意"}).status_code == 422
    appraised = act(community, case.pk, "appraise", {"attendees": 7, "outcome": "一致同意"}).json()
    assert appraised["step"] == "review"
    on_notice = act(window, case.pk, "review", {"recommend": True, "opinion": "评议通过"}).json()
    assert on_notice["step"] == "notice"
    # an objection during the notice sends it back to the investigation
    objected = act(community, case.pk, "objection", {"objection": "邻居反映其有经营收入"}).json()
    assert objected["step"] == "investigation" and objected["notice_ends_on"] is None
    assert objected["actions"][-1]["action_label"] == "公示异议"
    # and the street extends the whole limit once, with its reason
    assert act(window, case.pk, "extend", {"reason": ""}).status_code == 422
    extended = act(window, case.pk, "extend", {"reason": "公示有异议，重新调查"}).json()
    assert extended["due_label"] == "特殊情况延长至45个工作日" and extended["extended_reason"] == "公示有异议，重新调查"
    again = act(window, case.pk, "extend", {"reason": "再延期"})
    assert again.status_code == 400 and again.json()["detail"] == "该事项已延期，不能再延期"


def test_emergency_aid_paid_in_advance_and_a_meeting_decides_a_larger_amount(
    window, approver, street_officer_a, units, walk, time_machine
):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    household = make_household(street_officer_a, units["grid_a"], head_name="火灾户", members=2)
    registered = post(
        window,
        "/applications",
        {
            "household_id": household.pk,
            "applicant_name": "火灾户",
            "programmes": ["temporary_aid"],
            "materials_provided": AID_MATERIALS,
            "authorization_signed_on": "2024-10-14",
            "emergency": True,
            "emergency_kind": "fire",
            "emergency_loss": 8000,
            "emergency_months": 2,
            "based_on": "incident",
        },
    )
    assert registered.status_code == 201, registered.content
    assert Application.objects.get().declared == {"emergency": {"kind": "fire", "loss": "8000", "months": 2}}
    case_id = post(window, f"/applications/{registered.json()['id']}/accept").json()["cases"][0]["id"]
    assert at(get(window, f"/cases/{case_id}").json()["advance_due_at"]) == china("2024-10-15 09:00")
    over = act(window, case_id, "advance", {"amount": "1000.01", "note": "火灾"})
    assert (
        over.status_code == 400
        and over.json()["detail"] == "先行救助金额 1000.01 元超过街道（乡镇）可先行发放的上限 1000 元"
    )
    paid = act(window, case_id, "advance", {"amount": 1000, "note": "火灾后先行救助"}).json()
    assert (paid["advance_amount"], paid["step"]) == ("1000.00", "investigation")
    # the street may not record the county's meeting; the district does
    meeting = {"amount": "8000", "meeting": "盘龙区临时救助联席会议纪要〔2024〕3号"}
    assert act(window, case_id, "meeting", meeting).status_code == 403
    walk(Case.objects.get(pk=case_id), until="approval")
    district = client_for(approver)
    assert act(district, case_id, "meeting", meeting).json()["meeting_amount"] == "8000.00"
    decided = act(district, case_id, "decide", {"approve": True, "opinion": "按会议决定"}).json()
    assert (decided["status"], decided["amount"]) == ("approved", "8000.00")


def test_a_drawn_tekun_case_is_spot_checked_before_its_decision(open_case, walk, approver, time_machine):
    time_machine.move_to(china("2024-10-14 09:00"), tick=False)
    case = walk(open_case(["tekun"], materials_provided=TEKUN_MATERIALS), until="approval")
    district = client_for(approver)
    assert get(district, f"/cases/{case.pk}").json()["spot_check_required"] is True
    early = act(district, case.pk, "decide", {"approve": False, "opinion": "不符合特困条件"})
    assert early.status_code == 400 and "随机抽中核实" in early.json()["detail"]
    checked = act(district, case.pk, "spot_check", {"finding": "入户抽查，情况属实"}).json()
    assert checked["spot_checked_at"] is not None and checked["actions"][-1]["action_label"] == "抽查核实"
    decided = act(district, case.pk, "decide", {"approve": False, "opinion": "不符合特困条件"}).json()
    assert decided["status"] == "refused" and decided["reasons"]


def test_a_form_post_from_a_browser_is_told_to_send_json(apply, street_officer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(street_officer_a)
    client.cookies["csrftoken"] = token = "a" * 32
    application = apply()
    response = client.post(
        f"/api/v1/cases/applications/{application.pk}/withdraw", {"csrfmiddlewaretoken": token, "reason": "不要了"}
    )
    assert response.status_code == 422 and "JSON" in response.json()["detail"]
    application.refresh_from_db()
    assert application.status == "submitted"
