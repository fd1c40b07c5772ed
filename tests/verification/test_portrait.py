"""The economic portrait: 12-month sums per source, and the comparison of declared with department data."""

from __future__ import annotations

from datetime import date

from jiuzhu.verification.portrait import household_portrait, window
from tests.verification.conftest import asset, expense, income

AS_OF = date(2024, 6, 15)


def by_source(portrait, source):
    return portrait["income"]["by_source"][source]


def test_the_window_is_twelve_months_ending_with_the_month_of_the_day():
    months = window(AS_OF)
    assert [m.key for m in months][:2] == ["2023-07", "2023-08"] and months[-1].key == "2024-06"
    assert months[-1].last == AS_OF and len(months) == 12


def test_monthly_annual_and_one_off_incomes_are_summed_over_the_window(household_a, spouse):
    head = household_a.head()
    # given a monthly wage since before the window, an annual rent from January, and one-offs
    income(household_a, head, "wage", "3000")
    income(household_a, spouse, "property", "2400", period="annual", valid_from=date(2024, 1, 1))
    income(household_a, spouse, "other", "5000", period="one_off", valid_from=date(2024, 3, 10))
    income(household_a, head, "other", "9999", period="one_off", valid_from=date(2023, 5, 1))  # before the window
    income(household_a, head, "wage", "800", valid_from=date(2024, 7, 1))  # begins after the day
    income(household_a, head, "excluded_assistance", "700")  # 社会救助款物: listed, never counted
    # a wage that ended in March counts only January to March of 2024 (and the window from July 2023)
    income(household_a, spouse, "wage", "1000", valid_from=date(2023, 9, 1), valid_to=date(2024, 3, 31))

    portrait = household_portrait(household_a, as_of=AS_OF)
    declared = by_source(portrait, "declared")

    # 3000 × 12 + 2400 / 12 × 6 + 5000 + 1000 × 7 (Sep–Mar)
    assert declared["total"] == "49200.00"
    assert {x["category"]: x["total"] for x in declared["by_category"]} == {
        "wage": "43000.00",
        "property": "1200.00",
        "other": "5000.00",
    }
    months = {m["key"]: m["total"] for m in declared["by_month"]}
    assert months["2023-07"] == "3000.00" and months["2023-09"] == "4000.00"
    assert months["2024-03"] == "9200.00"  # 3000 + 200 + 5000 + 1000
    assert months["2024-06"] == "3200.00"
    assert declared["monthly_average"] == "4100.00"
    assert declared["per_capita_monthly"] == "1366.67"  # three members
    assert declared["current_monthly"] == "3200.00"  # wage 3000 + rent 2400 / 12
    assert {x["person"]: x["total"] for x in declared["by_member"]} == {"张建国": "36000.00", "王芳": "13200.00"}
    lines = {(line["category"], line["amount"]): line for line in portrait["income"]["lines"]}
    assert ("wage", "800.00") not in lines and ("other", "9999.00") not in lines
    assert lines[("excluded_assistance", "700.00")]["counted"] is False
    assert lines[("property", "2400.00")]["monthly"] == "200.00"


def test_each_line_carries_its_source_department_batch_and_row(household_a, spouse, hrss):
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, batch="HRSS-202406", row=42)
    line = household_portrait(household_a, as_of=AS_OF)["income"]["lines"][0]
    assert line["source_label"] == "部门：人力资源和社会保障局"
    assert (line["department"], line["batch"], line["row"]) == ("人力资源和社会保障局", "HRSS-202406", 42)


def test_an_undeclared_pension_is_flagged_and_a_matching_wage_is_not(household_a, spouse, hrss):
    head = household_a.head()
    # given the head declared his wage and the department agrees within the tolerance
    income(household_a, head, "wage", "3000")
    income(household_a, head, "wage", "3050", source="department", department=hrss)
    # and the department says his wife has drawn a pension since May, which nobody declared
    income(household_a, spouse, "pension", "1850", source="department", department=hrss, valid_from=date(2024, 5, 1))

    comparison = household_portrait(household_a, as_of=AS_OF)["comparison"]

    assert [f["text"] for f in comparison["flags"]] == [
        "人力资源和社会保障局数据显示 王芳 2024年5月起领取离退休金/养老金 1,850.00 元/月，申报中未填写"
    ]
    rows = {(r["who"], r["category"]): r for r in comparison["income"]}
    assert rows[("张建国", "wage")]["status"] == "match"
    assert rows[("王芳", "pension")]["status"] == "undeclared"


def test_a_wage_far_from_the_departments_figure_is_flagged_with_the_difference(household_a, hrss):
    head = household_a.head()
    income(household_a, head, "wage", "2000")
    income(household_a, head, "wage", "3000", source="department", department=hrss)
    [flag] = household_portrait(household_a, as_of=AS_OF)["comparison"]["flags"]
    assert flag["kind"] == "income_difference"
    assert flag["text"] == (
        "人力资源和社会保障局数据显示 张建国 工资性收入 3,000.00 元/月，申报为 2,000.00 元/月，相差 1,000.00 元/月"
    )


def test_the_tolerance_is_a_setting(household_a, hrss, settings):
    head = household_a.head()
    income(household_a, head, "wage", "3000")
    income(household_a, head, "wage", "3050", source="department", department=hrss)
    settings.JIUZHU_VERIFICATION_TOLERANCE_RATE = "0"
    settings.JIUZHU_VERIFICATION_TOLERANCE_INCOME = "20"
    comparison = household_portrait(household_a, as_of=AS_OF)["comparison"]
    assert comparison["tolerance"] == {"rate": "0", "income_yuan": "20", "asset_yuan": "1000"}
    assert "相差 50.00 元/月" in comparison["flags"][0]["text"]


def test_a_declaration_for_the_whole_household_is_compared_with_the_household(household_a, spouse, hrss):
    income(household_a, None, "wage", "4900")  # declared without saying whose
    income(household_a, household_a.head(), "wage", "3000", source="department", department=hrss)
    income(household_a, spouse, "wage", "2000", source="department", department=hrss)
    comparison = household_portrait(household_a, as_of=AS_OF)["comparison"]
    assert comparison["flags"] == []
    assert [(r["who"], r["declared"], r["department"]) for r in comparison["income"]] == [
        ("该户", "4900.00", "5000.00")
    ]


def test_an_undeclared_one_off_income_is_flagged(household_a, hrss):
    income(
        household_a,
        household_a.head(),
        "transfer",
        "20000",
        source="department",
        department=hrss,
        period="one_off",
        valid_from=date(2024, 2, 18),
    )
    [flag] = household_portrait(household_a, as_of=AS_OF)["comparison"]["flags"]
    assert (
        flag["text"]
        == "人力资源和社会保障局数据显示 张建国 2024年2月18日领取一次性转移净收入 20,000.00 元，申报中未填写"
    )


def test_excluded_incomes_are_never_flagged(household_a, hrss):
    income(household_a, household_a.head(), "excluded_basic_pension", "150", source="department", department=hrss)
    assert household_portrait(household_a, as_of=AS_OF)["comparison"]["flags"] == []


def test_undeclared_vehicles_and_deposits_from_departments_are_flagged(household_a, spouse, vehicles_office, hrss):
    head = household_a.head()
    # a car declared with its plate matches the department's; an undeclared one is flagged
    asset(household_a, head, "vehicle", vehicle_kind="car", identifier="云A·12345")
    asset(household_a, head, "vehicle", source="department", department=vehicles_office, vehicle_kind="car",
          identifier="云A12345 ", value="30000")  # fmt: skip
    asset(household_a, spouse, "vehicle", source="department", department=vehicles_office, vehicle_kind="car",
          identifier="云A88888", value="120000")  # fmt: skip
    # a disability vehicle is exempt, but still worth a line if undeclared
    asset(household_a, head, "vehicle", source="department", department=vehicles_office, vehicle_kind="disability",
          identifier="云A00001")  # fmt: skip
    # deposits: within 10 % is fine; far above the declaration is flagged
    asset(household_a, head, "deposit", value="48000")
    asset(household_a, head, "deposit", source="department", department=hrss, value="50000")
    asset(household_a, spouse, "deposit", value="10000")
    asset(household_a, spouse, "deposit", source="department", department=hrss, value="80000")

    portrait = household_portrait(household_a, as_of=AS_OF)
    texts = [f["text"] for f in portrait["comparison"]["flags"]]

    assert "公安交管局数据显示 王芳 名下有机动车辆（小型汽车，云A88888），申报中未填写" in texts
    assert any("云A00001" in t and "豁免" in t for t in texts)
    assert not any("云A12345" in t for t in texts)  # the same plate once spaces and the dot are ignored
    assert (
        "人力资源和社会保障局数据显示 王芳 名下银行存款 80,000.00 元，申报为 10,000.00 元，相差 70,000.00 元" in texts
    )
    assert not any("张建国 名下银行存款" in t for t in texts)
    summary = portrait["assets"]["by_source"]["department"]
    assert summary["vehicles"] == 2 and summary["exempt_vehicles"] == 1
    assert summary["financial_total"] == "130000.00"


def test_expenses_are_summed_over_the_window(household_a):
    head = household_a.head()
    expense(household_a, head, "medical", "12000", valid_from=date(2024, 2, 1))
    expense(household_a, head, "education", "300", period="monthly", valid_from=date(2024, 4, 1))
    expense(household_a, head, "medical", "500", valid_from=date(2023, 1, 1))  # before the window
    expenses = household_portrait(household_a, as_of=AS_OF)["expenses"]
    assert expenses["by_source"]["declared"]["total"] == "12900.00"


def test_members_are_listed_with_masked_id_numbers(household_a, spouse):
    members = household_portrait(household_a, as_of=AS_OF)["members"]
    assert [m["name"] for m in members] == ["张建国", "王芳", "张小1"]
    assert members[1]["id_number_masked"] == spouse.id_number[:6] + "********" + spouse.id_number[-4:]
    assert spouse.id_number not in str(members)
