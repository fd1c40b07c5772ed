"""Deadline rules as configuration: every form with the real calendar, locality over national, and refusals of a
malformed deadlines.yaml that name the file and the place."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.workdays import CalendarError
from jiuzhu.registry.models import Household
from jiuzhu.workorders.deadlines import parse_rule, rule_for, rules
from jiuzhu.workorders.errors import WorkOrderError
from jiuzhu.workorders.models import WorkOrder
from tests.workorders.conftest import aware


def test_every_kind_has_a_national_default_with_its_reference():
    found = rules("national")
    assert set(found) == set(WorkOrder.Kind.values)
    for kind_rules in found.values():
        assert kind_rules.rule.label and kind_rules.rule.reference


def test_a_hotline_lead_on_the_friday_before_dragon_boat_waits_for_the_next_working_day():
    # given a 12345 hotline lead on Friday 30 May 2025 at 15:00, the eve of the Dragon Boat holiday (31 May–2 June)
    opened = aware("2025-05-30 15:00:00+08:00")
    # when the national default (1 working day) applies
    rule = rule_for("hotline_lead", locality="national")
    # then it is due at the end of Tuesday 3 June, the first working day after the holiday
    assert rule.form == "working_days"
    assert rule.due(opened) == aware("2025-06-03 23:59:59+08:00")


def test_a_make_up_saturday_counts_as_a_working_day():
    # given a lead on Friday 13 September 2024; Saturday 14 is a make-up workday before Mid-Autumn (15–17)
    rule = rule_for("petition_lead", locality="national")
    # then one working day later is that Saturday
    assert rule.due(aware("2024-09-13 10:00:00+08:00")) == aware("2024-09-14 23:59:59+08:00")


def test_chengbei_answers_hotline_leads_within_one_calendar_day_over_the_holiday():
    # given the same Friday lead in Chengbei, whose file says "1天内快速有效作出救助响应" (003)
    rule = rule_for("hotline_lead", locality="630105-chengbei")
    # then the holiday does not stop the clock: due at the end of Saturday
    assert rule.due(aware("2025-05-30 15:00:00+08:00")) == aware("2025-05-31 23:59:59+08:00")
    assert "城北政办〔2022〕18号" in rule.reference and rule.source.startswith("630105-chengbei/deadlines.yaml")


def test_a_grid_lead_at_three_in_the_afternoon_is_due_the_same_day(units, time_machine):
    # given a grid worker's lead in Chengbei at 15:00
    time_machine.move_to(aware("2024-03-05 15:00:00+08:00"), tick=False)
    from jiuzhu.workorders.services import work_order_create

    # when the order is opened for the community
    order = work_order_create(
        actor=None,
        kind="grid_lead",
        title="独居老人摔伤",
        description="网格员走访发现",
        owner_unit=units["community_a"],
        locality="630105-chengbei",
    )
    # then the community must verify and report it by the end of the day (当天内核实上报)
    assert order.due_at == aware("2024-03-05 23:59:59+08:00")
    assert order.deadline_label == "当天内核实上报" and "二（二）" in order.deadline_reference


def test_an_emergency_in_chengbei_is_answered_within_12_hours_across_midnight():
    opened = aware("2024-03-05 20:30:00+08:00")
    chengbei = rule_for("emergency", locality="630105-chengbei")
    national = rule_for("emergency", locality="national")
    assert chengbei.due(opened) == aware("2024-03-06 08:30:00+08:00")
    assert national.due(opened) == aware("2024-03-06 20:30:00+08:00")


def test_a_locality_overrides_its_parents_kind_by_kind():
    # Chengbei writes grid leads and emergencies; referrals come from national through Qinghai
    assert rule_for("referral", locality="630105-chengbei") == rule_for("referral", locality="national")
    assert rule_for("emergency", locality="630105-chengbei") != rule_for("emergency", locality="national")
    # Zhenhai's department pushes have the bureau's "限定时期", its number kept in one configured place
    zhenhai = rule_for("department_feedback", locality="330211-zhenhai")
    assert zhenhai.label == "限定时期内办理并反馈" and "由区民政局设定" in zhenhai.reference
    assert replace(rule_for("alert", locality="330211-zhenhai"), source="") == replace(zhenhai, source="")
    # a division code without a pack of its own is decided by the nearest pack above it
    assert rule_for("emergency", locality="630105") == rule_for("emergency", locality="630105-chengbei")


def test_the_home_locality_is_the_default(units):
    # the organisation tree's top unit is 530103 (Panlong), which has no deadlines.yaml: national applies
    assert rule_for("grid_lead") == rule_for("grid_lead", locality="national")


def test_a_review_takes_the_households_colour(units, household_a, make_order):
    # given a green household in Chengbei (每半年动态管理一次)
    Household.objects.filter(pk=household_a.pk).update(color_class="green")
    household_a.refresh_from_db()
    order = make_order(kind="review", household=household_a, locality="630105-chengbei")
    assert order.deadline_label == "每半年动态管理一次"
    assert (order.due_at - order.opened_at).days in range(180, 185)
    # and a household without a colour takes the kind's rule
    Household.objects.filter(pk=household_a.pk).update(color_class="")
    household_a.refresh_from_db()
    assert (
        make_order(kind="review", household=household_a, locality="630105-chengbei").deadline_label == "30天内完成复核"
    )


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"hours": 12, "days": 1, "label": "x", "reference": "y"}, "只有一种时限写法"),
        ({"label": "x", "reference": "y"}, "只有一种时限写法"),
        ({"hours": 0, "label": "x", "reference": "y"}, "hours 应为 1 到"),
        ({"working_days": "三", "label": "x", "reference": "y"}, "working_days 应为"),
        ({"same_day": "yes", "label": "x", "reference": "y"}, "same_day 只能写 true"),
        ({"days": 1, "reference": "y"}, "缺少 label"),
        ({"days": 1, "label": "x"}, "缺少 reference"),
        ({"days": 1, "label": "x", "reference": "y", "within": 3}, "不认识的项目 within"),
    ],
)
def test_a_malformed_rule_is_refused_naming_file_and_place(spec, problem):
    with pytest.raises(WorkOrderError) as caught:
        parse_rule(spec, file="national/monitoring.yaml", where="第35行")
    assert problem in caught.value.message
    assert "national/monitoring.yaml" in caught.value.message and "第35行" in caught.value.message


def _pack(tmp_path, settings, text: str) -> str:
    folder = tmp_path / "policies" / "999999-test"
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text("code: '999999'\nname: 测试区\ninherits: national\n", encoding="utf-8")
    (folder / "deadlines.yaml").write_text(text, encoding="utf-8")
    settings.JIUZHU_POLICY_DIRS = [*settings.JIUZHU_POLICY_DIRS, str(tmp_path / "policies")]
    return folder.name


def test_a_malformed_deadlines_file_is_refused_with_the_file_and_line(tmp_path, settings):
    locality = _pack(
        tmp_path,
        settings,
        "kinds:\n  grid_lead:\n    same_day: true\n    label: 当日\n"
        "  emergency:\n    hours: -3\n    label: 急\n    reference: 文件\n",
    )
    with pytest.raises(WorkOrderError) as caught:
        rule_for("emergency", locality=locality)
    message = caught.value.message
    assert "999999-test/deadlines.yaml" in message and "kinds.grid_lead（第2行）" in message
    assert "缺少 reference" in message


def test_an_unknown_kind_and_broken_yaml_are_refused(tmp_path, settings):
    locality = _pack(tmp_path, settings, "kinds:\n  visit_lead: {days: 1, label: x, reference: y}\n")
    with pytest.raises(WorkOrderError, match="不认识的工单类型“visit_lead”"):
        rule_for("emergency", locality=locality)
    (tmp_path / "policies" / locality / "deadlines.yaml").write_text("kinds: [unclosed\n", encoding="utf-8")
    with pytest.raises(WorkOrderError, match=r"999999-test/deadlines\.yaml"):
        rule_for("emergency", locality=locality)


def test_a_child_file_changes_only_the_kinds_it_names(tmp_path, settings):
    locality = _pack(tmp_path, settings, "kinds:\n  emergency: {hours: 6, label: 6小时答复, reference: 测试文件}\n")
    assert rule_for("emergency", locality=locality).amount == 6
    assert rule_for("grid_lead", locality=locality) == rule_for("grid_lead", locality="national")


def test_a_year_the_calendar_does_not_know_is_a_clear_message(make_order):
    # a working-day limit in 2099: no holidays loaded for that year
    with pytest.raises(CalendarError) as caught:
        make_order(kind="referral", opened_at=aware("2099-03-02 10:00:00+08:00"))
    assert isinstance(caught.value, JiuzhuError) and "2099年" in caught.value.message
    assert not WorkOrder.objects.exists()
