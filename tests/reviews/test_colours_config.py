"""colours.yaml: found along `inherits:`, a child replacing its parent whole; a malformed file refused at load with
its file, its line and a Chinese message."""

from __future__ import annotations

import textwrap

import pytest

from jiuzhu.policy import packs
from jiuzhu.policy.errors import PackError
from jiuzhu.reviews.config import load_colours

PACK = """
code: "990102"
name: 测试区
inherits: national
"""

GOOD = """
name: 测试区三色管理
reference: 测试文件〔2025〕1号
rules:
  - colour: red
    label: 特困人员
    when: receives("tekun")
schedules:
  red:
    - {kind: review, every_months: 12}
"""


@pytest.fixture
def write_pack(tmp_path, settings):
    settings.JIUZHU_POLICY_DIRS = [*settings.JIUZHU_POLICY_DIRS, str(tmp_path)]
    packs.clear_cache()

    def write(folder: str, files: dict[str, str]):
        for name, text in files.items():
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        packs.clear_cache()

    yield write
    packs.clear_cache()


def test_the_seed_localities_ship_their_own_rules():
    chengbei = load_colours("630105-chengbei")
    assert chengbei.file == "630105-chengbei/colours.yaml" and not chengbei.inherited
    assert [r.colour for r in chengbei.rules] == ["red", "yellow", "green"]
    assert "城北政办〔2022〕18号" in chengbei.reference
    zhaotong = load_colours("530600")
    assert zhaotong.file == "530600-zhaotong/colours.yaml"
    assert [r.colour for r in zhaotong.rules] == ["red", "red", "red", "red", "yellow", "yellow", "green"]
    assert zhaotong.flags == {"lacking_drive": "内生动力不足"}


def test_a_locality_without_a_file_inherits_the_nearest_one():
    # 盘龙区 → 昆明市 → 云南省 → national: none of the first three has a colours.yaml
    config = load_colours("530103-panlong")
    assert config.file == "national/colours.yaml" and config.inherited
    assert config.locality == "530103-panlong"  # its conditions still read 盘龙区's own pack
    assert "平台默认" in config.name and "平台默认" in config.reference


def test_a_child_file_replaces_its_parents_whole(write_pack):
    write_pack("990102-test", {"pack.yaml": PACK, "colours.yaml": GOOD})
    config = load_colours("990102-test")
    assert config.file == "990102-test/colours.yaml"
    assert len(config.rules) == 1 and config.minimums == [] and set(config.schedules) == {"red"}


def test_a_file_is_read_again_when_it_changes(write_pack):
    write_pack("990102-test", {"pack.yaml": PACK, "colours.yaml": GOOD})
    assert load_colours("990102-test").name == "测试区三色管理"
    write_pack("990102-test", {"colours.yaml": GOOD.replace("测试区三色管理", "测试区红黄绿管理（修订）")})
    assert load_colours("990102-test").name == "测试区红黄绿管理（修订）"


def _refused(write_pack, text: str) -> PackError:
    write_pack("990102-test", {"pack.yaml": PACK, "colours.yaml": text})
    with pytest.raises(PackError) as caught:
        load_colours("990102-test")
    assert caught.value.file == "990102-test/colours.yaml"
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("colour: red", "colour: purple", 4, "colour 应为 red（红）、yellow（黄）或 green（绿）"),
        ('when: receives("tekun")', 'when: receives("tekun") and', 6, "语法错误"),
        ('when: receives("tekun")', "when: members.any(agee >= 60)", 6, "未知的名称“agee”"),
        ('when: receives("tekun")', 'when: eligible("dibao")', 6, "不能使用 eligible"),
        ('when: receives("tekun")', "when: members.count(age >= 60)", 6, "结果应为是/否"),
        ('when: receives("tekun")', "when: __import__('os').system('x') == 0", 6, "不允许的名称"),
        ("every_months: 12", "every_months: 0", 9, "every_months 应为 1 到 60 的整数"),
        ("kind: review", "kind: inspection", 9, "复核类型 kind 应为"),
        ("label: 特困人员", "labl: 特困人员", 5, "不认识的项目“labl”"),
        ("  red:\n", "  purple:\n", 8, "应按颜色 red、yellow、green 分列"),
    ],
)
def test_a_malformed_file_is_refused_with_file_line_and_reason(write_pack, old, new, line, message):
    error = _refused(write_pack, textwrap.dedent(GOOD).lstrip().replace(old, new, 1))
    assert message in error.message
    assert error.line == line
    assert f"990102-test/colours.yaml 第{line}行" in error.message


def test_a_rule_without_a_reference_is_refused(write_pack):
    error = _refused(write_pack, textwrap.dedent(GOOD).lstrip().replace("reference: 测试文件〔2025〕1号\n", ""))
    assert "缺少依据 reference" in error.message and error.line == 3


def test_a_file_that_is_not_yaml_is_refused(write_pack):
    error = _refused(write_pack, "rules: [\n  - colour: red\n")
    assert "YAML 语法错误" in error.message and error.line


def test_a_flag_named_like_a_fact_is_refused(write_pack):
    error = _refused(write_pack, textwrap.dedent(GOOD).lstrip() + "flags:\n  age: 年龄\n")
    assert "与家庭情况字段同名" in error.message and error.line == 11
