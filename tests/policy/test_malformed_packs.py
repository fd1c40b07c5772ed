"""A malformed pack is refused when it is loaded, with the file, the line and a message a pack author can act on."""

from __future__ import annotations

from datetime import date

import pytest

from jiuzhu.policy.checks import eligibility_check, program_for
from jiuzhu.policy.errors import PackError, PolicyError
from jiuzhu.policy.packs import load_pack

PACK = """
code: "990101"
name: 测试区
inherits: national
"""


def _programme(expr: str, extra: str = "") -> str:
    return f"""
    code: test_aid
    name: 测试救助
    conditions:
      poor:
        label: 收入低
        expr: {expr}
    {extra}
    """


def _refused(write_pack, files: dict[str, str]) -> PackError:
    write_pack("990101-test", {"pack.yaml": PACK, **files})
    with pytest.raises(PackError) as caught:
        load_pack("990101-test")
    return caught.value


def test_syntax_error_names_file_and_line(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("per_capita_income <")})
    assert error.file == "990101-test/programmes/test.yaml"
    assert error.line == 6
    assert "语法错误" in error.message


def test_unknown_name_is_refused(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("per_capita_incom < dibao_standard")})
    assert "未知的名称“per_capita_incom”" in error.message
    assert error.line == 6


def test_unknown_parameter_is_refused(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("per_capita_income < p.no_such_standard")})
    assert "未知的参数“p.no_such_standard”" in error.message


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("__import__('os').system('true') == 0", "不允许的名称"),
        ("per_capita_income.__class__ == 1", "不允许的名称“__class__”"),
        ("per_capita_income.real == 1", "只允许 p.参数名 和 members.汇总(...) 两种点号写法"),
        ("(lambda: True)()", "不允许使用 lambda"),
        ("[m for m in (1, 2)] == 1", "不允许使用推导式"),
        ("open('/etc/passwd') == 1", "不允许的函数“open”"),
        ("per_capita_income[0] < 1", "不允许使用下标"),
        ("members.age > 1", "members.age 应写成调用"),
        ("age > 60", "未知的名称“age”"),  # a member field outside members.…(…) in a household rule
    ],
)
def test_forbidden_constructs_are_refused(write_pack, expr, message):
    error = _refused(write_pack, {"programmes/test.yaml": _programme(f'"{expr}"')})
    assert message in error.message
    assert error.file == "990101-test/programmes/test.yaml"


def test_type_errors_are_refused(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("area_type + 1 > 2")})
    assert "应为数值或整数，实际是文字" in error.message


def test_a_condition_must_be_yes_or_no(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("per_capita_income * 2")})
    assert "结果应为是/否" in error.message


def test_round_needs_an_explicit_mode(write_pack):
    error = _refused(
        write_pack,
        {"programmes/test.yaml": _programme("per_capita_income < 1", "benefit: round(per_capita_income, 0)")},
    )
    assert "round" in error.message and "参数个数" in error.message


def test_cycle_between_rules_is_refused(write_pack):
    definitions = """
    household:
      a_value:
        label: 甲
        expr: b_value + 1
      b_value:
        label: 乙
        expr: a_value * 2
    """
    error = _refused(write_pack, {"definitions.yaml": definitions})
    assert "循环引用" in error.message
    assert error.file == "990101-test/definitions.yaml"


def test_a_misspelt_condition_meant_to_replace_an_inherited_one_is_refused(write_pack):
    # national 低保 writes its `eligible` out, so a new condition nobody reads would decide nothing
    dibao = """
    code: dibao
    conditions:
      homes_within_limt:
        label: 住房
        expr: homes <= 0
    """
    error = _refused(write_pack, {"programmes/dibao.yaml": dibao})
    assert (error.file, error.line) == ("990101-test/programmes/dibao.yaml", 5)
    assert "条件“homes_within_limt”没有被 eligible 或其他规则使用" in error.message
    assert "homes_within_limit" in error.message  # the names it may have meant


def test_inheritance_cycle_is_refused(write_pack):
    write_pack("990102-a", {"pack.yaml": 'code: "990102"\nname: 甲\ninherits: "990103"\n'})
    write_pack("990103-b", {"pack.yaml": 'code: "990103"\nname: 乙\ninherits: "990102"\n'})
    with pytest.raises(PackError, match="继承关系成环"):
        load_pack("990102")


def test_a_value_without_a_legal_reference_is_refused(write_pack):
    parameters = """
    dibao_standard_urban:
      label: 城市低保标准
      unit: 元/人/月
      values:
        2024-07-01: 735
    """
    error = _refused(write_pack, {"parameters.yaml": parameters})
    assert "缺少依据" in error.message
    assert error.line == 5


def test_an_empty_value_must_say_why(write_pack):
    parameters = """
    dibao_standard_urban:
      label: 城市低保标准
      reference: 测试文件
      values:
        2024-07-01: null
    """
    error = _refused(write_pack, {"parameters.yaml": parameters})
    assert "missing" in error.message


def test_yaml_syntax_error_names_the_line(write_pack):
    error = _refused(write_pack, {"parameters.yaml": "dibao_standard_urban:\n  label: [unclosed\n"})
    assert error.file == "990101-test/parameters.yaml"
    assert "YAML 语法错误" in error.message


def test_unknown_key_is_refused(write_pack):
    error = _refused(write_pack, {"programmes/test.yaml": _programme("per_capita_income < 1", "benfit: 0")})
    assert "不认识的项目“benfit”" in error.message


def test_a_parameter_with_no_value_on_the_decision_date_makes_only_its_decisions_unknown(write_pack):
    parameters = """
    dibao_standard_urban:
      label: 城市低保标准
      unit: 元/人/月
      values:
        2024-07-01: {value: 735, reference: 测试文件}
    """
    write_pack("990101-test", {"pack.yaml": PACK, "parameters.yaml": parameters})
    household = {"members": [{"name": "甲", "age": 40, "income": {"wage": 500}}]}
    before = eligibility_check(locality="990101-test", as_of=date(2024, 6, 30), document=household)
    dibao = next(p for p in before["programmes"] if p["code"] == "dibao")
    assert dibao["eligible"] is None
    assert any("城市低保标准" in reason and "2024-07-01" in reason for reason in dibao["reasons"])
    care = next(p for p in before["programmes"] if p["code"] == "disability_care_subsidy")
    assert care["eligible"] is False  # nobody is disabled: no local value is needed to say so


def test_round_to_tens_takes_a_negative_digit_count(write_pack):
    programme = _programme("per_capita_income < 1", "benefit: round(1234.5, -1, 'half_up')")
    write_pack("990101-test", {"pack.yaml": PACK, "programmes/test.yaml": programme})
    result = eligibility_check(locality="990101-test", as_of=date(2024, 8, 1), document={"members": [{"age": 30}]})
    test_aid = next(p for p in result["programmes"] if p["code"] == "test_aid")
    assert test_aid["eligible"] is True and test_aid["benefit"] == 1230


def test_a_rounding_mode_parameter_with_a_bad_value_is_refused_at_load(write_pack):
    parameters = """
    dibao_rounding:
      label: 取整方式
      reference: 测试文件
      values:
        2024-07-01: upward
    """
    error = _refused(write_pack, {"parameters.yaml": parameters})
    assert "取舍方式" in error.message and "upward" in error.message
    assert error.file == "990101-test/parameters.yaml"


def test_a_case_that_assumes_an_unknown_parameter_is_refused(write_pack):
    with pytest.raises(PolicyError, match="没有参数“dibao_standrd_urban”"):
        program_for("national", date(2024, 8, 1), {"dibao_standrd_urban": 735})


def test_an_installation_without_packs_is_told_at_start(settings, tmp_path):
    from django.core import checks

    settings.JIUZHU_POLICY_DIRS = [str(tmp_path / "nowhere")]
    errors = [m for m in checks.run_checks() if m.id == "policy.E001"]
    assert errors and "找不到任何政策包" in errors[0].msg
