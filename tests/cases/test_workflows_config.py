"""workflows.yaml: a malformed file is refused with the file, the line and what is wrong in Chinese; a child pack
overrides a parent's workflow by name, a referral by programme, and may switch a workflow off."""

from __future__ import annotations

import pytest

from jiuzhu.cases.errors import CaseError, CaseErrorCode
from jiuzhu.cases.workflows import config

FILE = "test-530103/workflows.yaml"

GOOD_LIMITS = """\
    limits:
      total: {working_days: 30, from: accepted, label: 30个工作日, reference: 57号}
"""


def workflow(**lines: str) -> str:
    """A dibao workflow with some of its lines changed (a value of None leaves the key out)."""
    fields = {
        "label": "测试流程",
        "programmes": "[dibao]",
        "steps": "[investigation, verification, review, notice, approval]",
    } | lines
    body = "".join(f"    {key}: {value}\n" for key, value in fields.items() if value is not None)
    return "workflows:\n  dibao:\n" + body + GOOD_LIMITS


def refusal(local_pack, text: str) -> str:
    local_pack(text)
    with pytest.raises(CaseError) as caught:
        config("test-530103")
    assert caught.value.code == CaseErrorCode.CONFIG_INVALID
    assert caught.value.message.startswith(f"审核流程配置有误（{FILE}，")
    return caught.value.message


def test_an_unknown_step_is_refused_with_the_place(local_pack):
    message = refusal(local_pack, workflow(steps="[investigation, visit, approval]"))
    assert "workflows.dibao（第2行）" in message
    assert "不认识的环节“visit”；可用：investigation、verification、appraisal、review、notice、approval" in message


def test_approval_must_be_the_last_step(local_pack):
    message = refusal(local_pack, workflow(steps="[investigation, approval, review]"))
    assert "workflows.dibao（第2行）" in message and "最后一个环节须为 approval（审批）" in message
    assert "环节不能重复" in refusal(local_pack, workflow(steps="[investigation, investigation, approval]"))


def test_an_unknown_key_is_refused(local_pack):
    message = refusal(local_pack, workflow(deadline="30"))
    assert "不认识的项目 deadline" in message
    top = refusal(local_pack, "residence_applications: true\nworkflow: {}\n")
    assert "审核流程配置有误（test-530103/workflows.yaml，第2行）：不认识的项目 workflow" in top


def test_a_bad_ratio_is_refused(local_pack):
    message = refusal(local_pack, workflow(spot_check_ratio="30"))
    assert "spot_check_ratio 应为 0 到 1 之间的比例，这里是“30”" in message
    assert "spot_check_ratio" in refusal(local_pack, workflow(spot_check_ratio="三成"))


def test_a_workflow_without_its_total_limit_is_refused(local_pack):
    text = workflow().replace(
        GOOD_LIMITS, "    limits:\n      approval: {working_days: 10, label: 十日, reference: 57号}\n"
    )
    message = refusal(local_pack, text)
    assert "workflows.dibao（第2行）" in message and "须配置 limits.total" in message


def test_a_bad_limit_names_its_line(local_pack):
    text = workflow().replace(
        GOOD_LIMITS, "    limits:\n      total: {working_days: 30, from: decided, label: x, reference: y}\n"
    )
    message = refusal(local_pack, text)
    assert "workflows.dibao（第2行）.limits.total（第7行）" in message and "from 只能写 step" in message


def test_broken_yaml_is_refused_with_the_file(local_pack):
    message = refusal(local_pack, "workflows:\n  dibao: [unclosed\n")
    assert FILE in message


def test_the_error_reaches_the_window_as_the_same_message(local_pack, apply):
    local_pack(workflow(steps="[approval, review]"))
    with pytest.raises(CaseError) as caught:
        apply()
    assert caught.value.code == CaseErrorCode.CONFIG_INVALID and FILE in caught.value.message


def test_a_child_overrides_a_workflow_by_name_and_keeps_the_others(local_pack):
    # given a child pack that rewrites only the 低保 workflow (approval delegated, appraisal always)
    local_pack(
        workflow(approval_by="street", appraisal="always")
        + "referrals:\n  medical_aid: {department: health, need: 医疗救助（卫健）}\n  housing_aid: null\n"
    )
    mine, parent = config("test-530103"), config("demo-530103")
    dibao = mine.workflows["dibao"]
    # then its 低保 workflow is wholly its own
    assert (dibao.approval_by, dibao.appraisal, dibao.label) == ("street", "always", "测试流程")
    assert dibao.required_steps(contested=False) == ["investigation", "verification", "review", "notice", "approval"]
    assert dibao.source.startswith(FILE)
    assert "total_extended" not in dibao.limits  # not merged with the parent's limits
    # and every other workflow, and the residence setting, come from the parents
    assert mine.workflows["tekun"] == parent.workflows["tekun"]
    assert mine.workflows["temporary_aid"] == parent.workflows["temporary_aid"]
    assert mine.residence_applications is parent.residence_applications is True
    # referrals are overridden programme by programme; null removes one
    assert mine.referrals["medical_aid"].department == "health"
    assert mine.referrals["education_aid"] == parent.referrals["education_aid"]
    assert "housing_aid" not in mine.referrals


def test_a_workflow_switched_off_leaves_its_programmes_without_one(local_pack, apply):
    # given a child that switches temporary aid off (null)
    local_pack("workflows:\n  temporary_aid: null\n")
    assert config("test-530103").workflow_for("temporary_aid") is None
    # then an application for it is refused with the reason
    with pytest.raises(CaseError) as caught:
        apply(["temporary_aid"])
    assert caught.value.code == CaseErrorCode.NO_WORKFLOW and "临时救助" in caught.value.message


def test_the_shipped_packs_load():
    national = config("national")
    assert set(national.workflows) == {"dibao", "tekun", "temporary_aid"}
    assert config("demo-530103").workflows["temporary_aid"].limit("total").rule.label == "小额临时救助15天内办结"
