"""The eligibility check from the API and the command line: same answer, every problem of bad facts listed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client

from jiuzhu.org.services import api_client_create

FAMILY = {
    "area_type": "urban",
    "members": [
        {"name": "张三", "relation": "head", "age": 45, "employment": "employed", "income": {"wage": 800}},
        {"name": "李四", "relation": "spouse", "age": 44, "employment": "unemployed"},
        {"name": "小张", "relation": "child", "birth_date": "2014年3月5日", "school_stage": "primary"},
    ],
    "assets": {"financial": "3000元", "homes": 1},
}


@pytest.fixture
def bearer(street_officer_a):
    _, token = api_client_create(actor=None, name="窗口自助机", staff=street_officer_a)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _check(client, bearer, body):
    return client.post("/api/v1/eligibility/check", json.dumps(body), content_type="application/json", **bearer)


def test_the_api_decides_every_programme_of_the_locality_with_reasons(client, bearer):
    response = _check(client, bearer, {"locality": "530103", "as_of": "2024-08-01", "household": FAMILY})
    assert response.status_code == 200
    body = response.json()
    assert body["locality"]["pack"] == "530103-panlong"
    assert body["locality"]["inherits"] == ["昆明市", "云南省", "全国"]
    dibao = next(p for p in body["programmes"] if p["code"] == "dibao")
    income = next(c for c in dibao["conditions"] if c["name"] == "income_below_standard")
    assert income["held"] is True
    assert {v["name"]: v["value"] for v in income["values"]} == {"dibao_standard": 735, "per_capita_income": 266.67}
    gap = next(a for a in dibao["amounts"] if a["name"] == "gap")
    assert gap["value"] == 1405  # 735 × 3 − 800
    standard = next(p for p in body["parameters"] if p["name"] == "dibao_standard_urban")
    assert standard["value"] == 735 and "2024" in standard["reference"]
    assert {p["code"] for p in body["programmes"]} >= {"dibao", "tekun", "marginal", "temporary_aid", "medical_aid"}


def test_the_standard_of_the_decision_date_is_used(client, bearer):
    later = _check(client, bearer, {"locality": "530103", "as_of": "2025-08-01", "household": FAMILY}).json()
    standard = next(p for p in later["parameters"] if p["name"] == "dibao_standard_urban")
    assert standard["value"] == 744


def test_bad_facts_get_422_with_every_problem_in_chinese(client, bearer):
    bad = {
        "members": [
            {"name": "王五", "birth_date": "2030-01-01", "income": {"wage": -100}},
            {"name": "赵六", "age": 30, "disability": {"kind": "physical", "grade": 7}},
        ],
        "asets": {},
    }
    response = _check(client, bearer, {"locality": "530103", "as_of": "2024-08-01", "household": bad})
    assert response.status_code == 422
    body = response.json()
    problems = {(p["where"], p["problem"]) for p in body["problems"]}
    assert ("家庭成员 · 第1名成员（王五） · 收入 · 工资性收入", "金额不能为负数") in problems
    assert ("家庭成员 · 第2名成员（赵六） · 残疾情况 · 残疾等级", "不是可选的值（可选：1、2、3、4）") in problems
    assert ("asets", "不认识的项目，请检查拼写") in problems
    assert any("年龄不能小于零" in p for _, p in problems) is False  # the birth date is checked once the rest is valid
    assert body["detail"] == f"家庭情况填写有误，共 {len(body['problems'])} 处"


def test_a_member_born_after_the_decision_date_is_refused(client, bearer):
    household = {"members": [{"name": "未来", "birth_date": "2030-01-01"}]}
    body = _check(client, bearer, {"locality": "530103", "as_of": "2024-08-01", "household": household}).json()
    assert body["problems"] == [
        {
            "field": "members.0.birth_date",
            "where": "家庭成员 · 第1名成员（未来） · 出生日期",
            "problem": "出生日期 2030-01-01 晚于决定日期 2024-08-01，年龄不能小于零",
        }
    ]


def test_a_district_without_its_own_pack_is_decided_by_its_citys(client, bearer):
    # 530102 (五华区) has no pack: Kunming's rules apply; a code of no known province is refused.
    body = _check(client, bearer, {"locality": "530102", "as_of": "2024-08-01", "household": FAMILY}).json()
    assert body["locality"]["pack"] == "530100-kunming"


def test_an_unknown_locality_or_a_bad_date_is_a_clear_error(client, bearer):
    unknown = _check(client, bearer, {"locality": "999999", "as_of": "2024-08-01", "household": FAMILY})
    assert unknown.status_code == 400 and "没有地区 999999 的政策包" in unknown.json()["detail"]
    bad_date = _check(client, bearer, {"locality": "530103", "as_of": "2024-02-30", "household": FAMILY})
    assert bad_date.status_code == 422 and "不存在" in bad_date.json()["problems"][0]["problem"]


def test_the_api_needs_credentials(client):
    response = client.post(
        "/api/v1/eligibility/check", json.dumps({"household": FAMILY}), content_type="application/json"
    )
    assert response.status_code == 401


def test_the_command_prints_the_same_json_as_the_api(client, bearer, tmp_path):
    path = tmp_path / "family.json"
    path.write_text(json.dumps(FAMILY, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, "-m", "jiuzhu.cli", "check", "--locality", "530103", "--as-of", "2024-08-01", str(path)]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    api = _check(client, bearer, {"locality": "530103", "as_of": "2024-08-01", "household": FAMILY}).json()
    assert json.loads(printed) == api


def test_the_command_lists_problems_and_fails(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"members": []}), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "jiuzhu.cli",
        "check",
        "--locality",
        "national",
        "--as-of",
        "2024-08-01",
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2
    assert json.loads(done.stdout)["problems"][0]["problem"] == "至少需要 1 项"


def test_a_machine_posts_with_its_token_alone_under_csrf_protection(street_officer_a, db):
    machine = Client(enforce_csrf_checks=True)
    _, token = api_client_create(actor=None, name="部门推送", staff=street_officer_a)
    body = json.dumps({"locality": "530103", "as_of": "2024-08-01", "household": FAMILY})
    ok = machine.post(
        "/api/v1/eligibility/check", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert ok.status_code == 200
    # a browser session still needs its CSRF token for a write
    machine.force_login(street_officer_a)
    assert machine.post("/api/v1/eligibility/check", body, content_type="application/json").status_code == 403
