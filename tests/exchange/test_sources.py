"""Onboarding a department is writing one YAML file: every shipped source loads, a new one works with no code, and
a mistake in a source file is refused with the file and what is wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.ingest import import_file
from jiuzhu.exchange.models import PersonEvent
from jiuzhu.exchange.sources import all_sources, get_source, reload_sources
from jiuzhu.registry.models import ExpenseRecord
from tests.exchange.conftest import write_csv

WATER = """
code: water
name: 供水公司欠费数据
department: {code: water_company, name: 市供水有限公司}
kinds:
  arrears:
    label: 水费欠费名单
    fields:
      id_number: use
      name: {use: name, headers: [户名, 用户名称]}
      account: {type: text, label: 用户号, headers: [用户号, 户号], required: true}
      owed: {type: amount, label: 欠费金额, headers: [欠费金额, 累计欠费], required: true}
      since: {type: month, label: 欠费起始月, headers: [欠费起始月, 起欠年月], required: true}
    key: [account, since]
    evidence:
      expense: {category: other, amount: $owed, period: one_off, valid_from: $since, note: 水费欠费}
    events:
      - {kind: utility_arrears, date: $since, values: {owed: $owed}}
"""


@pytest.fixture
def extra_sources(settings, tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    settings.JIUZHU_SOURCE_DIRS = [*settings.JIUZHU_SOURCE_DIRS, str(folder)]
    reload_sources()
    yield folder
    reload_sources()


def test_every_shipped_source_loads_with_the_departments_the_issue_names():
    sources = all_sources()
    departments = {s.department.code for s in sources.values()}
    assert {
        "hrss", "medical_insurance", "disability_federation", "public_security", "natural_resources",
        "market_regulation", "tax", "housing_fund", "education", "health", "civil_affairs", "trade_union",
        "agriculture", "finance", "banks",
    } <= departments  # fmt: skip
    # the ID-number column is spelled the many ways departments spell it, from one shared definition
    assert "公民身份号码" in get_source("hrss").kind("pension").fields["id_number"].headers
    assert get_source("medical_insurance").kind("feedback").suspicion


@pytest.mark.django_db
def test_a_new_department_is_onboarded_with_a_yaml_file_alone(extra_sources, tmp_path, household_a):
    (extra_sources / "water.yaml").write_text(WATER, encoding="utf-8")
    reload_sources()
    head = household_a.head()
    path = write_csv(
        tmp_path / "欠费.csv",
        [
            ["户号", "户名", "证件号码", "累计欠费", "起欠年月"],
            ["A001", head.name, head.id_number, "1.2万元", "2024年1月"],
        ],
        encoding="gb18030",
    )

    batch = import_file(source="water", path=path).batch

    assert (batch.accepted, batch.linked_id) == (1, 1)
    assert ExpenseRecord.objects.get(person=head).amount == Decimal("12000.00")
    assert PersonEvent.objects.get(kind="utility_arrears").values == {"owed": "12000.00"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "code: water\nname: x\ndepartment: {code: w, name: 水}\nkinds: {a: {label: a, fields: {}, key: [nope]}}",
            "nope",
        ),
        (WATER.replace("$owed, period", "$owing, period"), "$owing"),
        (WATER.replace("evidence:\n      expense:", "evidence:\n      salary:"), "salary"),
        (WATER.replace("type: amount", "type: money"), "money"),
        ("code: water\nname: [unclosed", "第"),
    ],
)
def test_a_mistake_in_a_source_file_is_refused_with_the_file_and_the_problem(extra_sources, text, problem):
    (extra_sources / "water.yaml").write_text(text, encoding="utf-8")
    reload_sources()

    with pytest.raises(ExchangeError) as refused:
        all_sources()

    assert "water.yaml" in refused.value.message and problem in refused.value.message
