"""Both seed variants of 三色管理 classify example households as the seeds say: 城北区 (003) and 昭通 (002)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.reviews import services
from jiuzhu.reviews.errors import ReviewsError, ReviewsErrorCode
from jiuzhu.reviews.models import ColourClassification, HouseholdFlag
from tests.reviews.conftest import ADULT, family


def colour_and_rule(household):
    household.refresh_from_db()
    c = ColourClassification.objects.get(household=household)
    return household.color_class, c.rule_label


@pytest.mark.parametrize(
    ("members", "programmes", "colour", "rule"),
    [
        # 003: “红色”为特困供养对象
        ([{"born": date(1950, 1, 1), "labor_capacity": "none"}], ("tekun",), "red", "特困供养对象"),
        # “黄色”为有重病、重残、60岁以上老年人、18岁以下未成年人的低保家庭
        ([ADULT, {"born": date(1964, 12, 1)}], ("dibao",), "yellow", "有重病、重残"),
        ([ADULT, {**ADULT, "serious_illness": "尿毒症"}], ("dibao",), "yellow", "有重病、重残"),
        ([ADULT, {**ADULT, "disability_kind": "physical", "disability_grade": 2}], ("dibao",), "yellow", "有重病"),
        ([ADULT, {"born": date(2015, 3, 1)}], ("dibao",), "yellow", "18岁以下未成年人"),
        # “绿色”为收入来源不固定、家庭成员有劳动能力的低保家庭
        (
            [ADULT, {**ADULT, "born": date(1990, 2, 2), "employment": "unemployed"}],
            ("dibao",),
            "green",
            "收入来源不固定",
        ),
        # a 低保 family with a member in steady work fits neither: not coloured (still reviewed yearly)
        ([ADULT, {**ADULT, "employment": "employed"}], ("dibao",), "", ""),
    ],
)
def test_chengbei_colours_as_the_seed_says(chengbei, street_officer_a, units, members, programmes, colour, rule):
    # given a household of the kind the seed describes
    household = family(street_officer_a, units["grid_a"], members, programmes=programmes)
    # when the street classifies its households
    services.colours_classify(actor=street_officer_a)
    # then it has the seed's colour, and the rule it matched is kept
    found_colour, found_rule = colour_and_rule(household)
    assert found_colour == colour
    assert rule in found_rule


def test_chengbei_leaves_households_without_assistance_uncoloured(chengbei, street_officer_a, units):
    household = family(street_officer_a, units["grid_a"], [{"born": date(1940, 1, 1)}], programmes=())
    run = services.colours_classify(actor=street_officer_a)
    assert colour_and_rule(household) == ("", "")
    assert not ColourClassification.objects.get(household=household).in_scope
    assert run.by_colour["out"] == 1


@pytest.mark.parametrize(
    ("members", "programmes", "colour", "rule"),
    [
        # 002: 把五保户家庭和有一二级残疾、留守儿童、独居高龄老人等的家庭标注为“红灯户”
        ([{"born": date(1948, 1, 1), "labor_capacity": "none"}], ("tekun",), "red", "五保户（特困人员）家庭"),
        ([ADULT, {**ADULT, "disability_kind": "visual", "disability_grade": 1}], ("dibao",), "red", "一二级残疾"),
        ([ADULT, {"born": date(2016, 9, 1), "situations": ["left_behind"]}], ("dibao",), "red", "留守儿童"),
        ([{"born": date(1942, 4, 4), "situations": ["living_alone"]}], ("dibao",), "red", "独居高龄老人"),
        # 有重病人员等标注为“黄灯户”
        ([ADULT, {**ADULT, "serious_illness": "白血病"}], ("dibao",), "yellow", "有重病人员"),
        # 对收入稳定、无特殊情况等标注为“绿灯户”
        ([{**ADULT, "employment": "employed"}], ("dibao",), "green", "收入稳定"),
    ],
)
def test_zhaotong_colours_as_the_seed_says(zhaotong, street_officer_a, units, members, programmes, colour, rule):
    household = family(street_officer_a, units["grid_a"], members, programmes=programmes)
    services.colours_classify(actor=street_officer_a)
    found_colour, found_rule = colour_and_rule(household)
    assert (found_colour, rule in found_rule) == (colour, True)


def test_zhaotong_lacking_drive_is_a_flag_a_coordinator_records(zhaotong, street_officer_a, coordinator_a, units):
    # given a 低保 family with nothing special on its file: green (steady work) would not apply either
    household = family(street_officer_a, units["grid_a"], [ADULT], programmes=("dibao",))
    services.colours_classify(actor=street_officer_a)
    assert colour_and_rule(household) == ("", "")
    # when the community coordinator records 内生动力不足 with a reason
    flag = services.household_flag_set(
        actor=coordinator_a, household=household, code="lacking_drive", reason="多次推荐就业岗位均拒绝，长期依赖低保"
    )
    # then the household turns yellow at once, by that rule, and the file's history says who and why
    assert flag.label == "内生动力不足"
    assert colour_and_rule(household) == ("yellow", "内生动力不足")
    latest = household.history.latest()
    assert latest.history_user == coordinator_a and latest.history_change_reason.startswith(
        "三色分类规则：内生动力不足"
    )
    # and clearing the flag (with a reason) takes it back
    services.household_flag_clear(actor=coordinator_a, household=household, code="lacking_drive", reason="已稳定就业")
    assert colour_and_rule(household) == ("", "")
    assert HouseholdFlag.objects.get(pk=flag.pk).clear_reason == "已稳定就业"


def test_a_flag_needs_a_declared_code_and_a_reason(zhaotong, chengbei, street_officer_a, coordinator_a, units):
    # chengbei (set last) declares no flags
    household = family(street_officer_a, units["grid_a"], [ADULT])
    with pytest.raises(ReviewsError) as caught:
        services.household_flag_set(actor=coordinator_a, household=household, code="lacking_drive", reason="x")
    assert caught.value.code == ReviewsErrorCode.UNKNOWN_FLAG


def test_a_flag_without_a_reason_is_refused(zhaotong, street_officer_a, coordinator_a, grid_worker_a, units):
    household = family(street_officer_a, units["grid_a"], [ADULT])
    with pytest.raises(ReviewsError, match="理由"):
        services.household_flag_set(actor=coordinator_a, household=household, code="lacking_drive", reason=" ")
    with pytest.raises(ReviewsError) as caught:
        services.household_flag_set(actor=grid_worker_a, household=household, code="lacking_drive", reason="拒绝就业")
    assert caught.value.code == ReviewsErrorCode.NOT_ALLOWED
