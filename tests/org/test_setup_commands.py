"""A new district on a fresh install: its tree loaded from the bureau's list, then its first administrator."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from jiuzhu.audit.models import AuditEntry
from jiuzhu.org.models import OrgUnit, Staff

pytestmark = pytest.mark.django_db

WUHOU = [  # as a bureau keeps it: a title row, spaced and starred headers, the statistical urban/rural codes
    ["武侯区社会救助组织架构（2026年12月）", "", ""],
    ["*行政区划 代码", "名 称", "城乡分类代码"],
    ["510107", "武侯区", ""],
    ["510107001", "浆洗街街道", "111"],
    ["510107002", "簇桥街道", "112"],
    ["510107001001", "锦里社区", "111"],
    ["510107002001", "太平园社区", ""],
    ["510107002201", "七里村", "220"],
    ["５１０１０７００１００１01", "锦里社区第1网格", ""],  # full-width digits, as typed in WPS
]


def write_csv(path, rows, encoding="gbk"):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


def test_the_tree_loads_from_a_gbk_list_with_levels_and_parents_from_the_codes(tmp_path, capsys):
    # when the bureau's list is loaded
    call_command("orgtree", str(write_csv(tmp_path / "武侯区.csv", WUHOU)))
    # then every unit sits at its level under the parent its code names, and the counts are printed
    assert "共 7 行：新建 7 个单元，更新 0 个，无变化 0 个" in capsys.readouterr().out
    district = OrgUnit.objects.get(division_code="510107")
    grid = OrgUnit.objects.get(division_code="51010700100101")
    village = OrgUnit.objects.get(division_code="510107002201")
    assert district.level == "district" and district.parent is None
    assert grid.level == "grid" and grid.parent.division_code == "510107001001"
    assert [u.name for u in grid.ancestors()] == ["武侯区", "浆洗街街道", "锦里社区", "锦里社区第1网格"]
    assert village.level == "community" and village.is_urban is False
    assert OrgUnit.objects.get(division_code="510107002001").is_urban is True  # blank: as its street
    assert set(district.subtree().values_list("division_code", flat=True)) == {
        "510107", "510107001", "510107002", "510107001001", "510107002001", "510107002201", "51010700100101"
    }  # fmt: skip


def test_loading_the_list_again_changes_nothing_and_a_renamed_unit_is_renamed(tmp_path, capsys):
    path = write_csv(tmp_path / "武侯区.csv", WUHOU, encoding="utf-8-sig")
    call_command("orgtree", str(path))
    call_command("orgtree", str(path))
    assert "新建 0 个单元，更新 0 个，无变化 7 个" in capsys.readouterr().out
    renamed = [r if r[0] != "510107002001" else ["510107002001", "太平园社区居委会", ""] for r in WUHOU]
    call_command("orgtree", str(write_csv(path, renamed)))
    assert "新建 0 个单元，更新 1 个，无变化 6 个" in capsys.readouterr().out
    unit = OrgUnit.objects.get(division_code="510107002001")
    assert unit.name == "太平园社区居委会"
    entry = AuditEntry.objects.filter(action="org_unit.update").get()
    assert entry.changes["name"] == ["太平园社区", "太平园社区居委会"]


def test_a_list_with_problems_is_refused_whole_with_every_row_named(tmp_path, capsys):
    bad = [
        ["代码", "名称", "层级", "上级代码"],
        ["510107", "武侯区", "区", ""],
        ["5.10107E+11", "某社区", "社区", ""],  # Excel's scientific form
        ["510107003", "火车南站街道", "街道办事处", ""],
        ["510107004", "红牌楼街道", "居委", ""],  # unknown level
        ["510107009001", "无主社区", "", "510107009"],  # parent nowhere
        ["510107003", "火车南站街道（重复）", "街道", ""],
        ["510107003001", "桐梓林社区", "网格", "510107003"],  # a grid under a street
    ]
    with pytest.raises(CommandError, match="5 处问题，未导入任何单元"):
        call_command("orgtree", str(write_csv(tmp_path / "bad.csv", bad)))
    problems = capsys.readouterr().err
    assert "第3行：行政区划代码“5.10107E+11”应为数字" in problems
    assert "第5行：层级“居委”不认识" in problems
    assert "第6行：上级代码 510107009 既不在本表中，也未在平台登记" in problems
    assert "第7行：代码 510107003 与第4行重复" in problems
    assert "第8行：网格的上级应为社区/村，510107003 是街道/镇" in problems
    assert not OrgUnit.objects.exists()


def test_an_excel_list_with_explicit_levels_and_parents_and_a_dry_run(tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位代码", "单位名称", "级别", "上级单位代码", "城乡"])
    sheet.append([510107, "武侯区", "区县", None, "城镇"])
    sheet.append([510107001, "浆洗街街道", "街道", 510107, None])
    sheet.append([510107001001, "锦里社区", "社区", 510107001, "城镇"])
    sheet.append(["JL-01", "锦里一网格", "网格", 510107001001, None])  # a local grid number is not a code
    path = tmp_path / "武侯区.xlsx"
    book.save(path)
    with pytest.raises(CommandError):
        call_command("orgtree", str(path))
    assert "第5行：行政区划代码“JL-01”应为数字" in capsys.readouterr().err
    sheet["A5"] = "51010700100199"
    book.save(path)
    call_command("orgtree", str(path), "--dry-run")
    assert "（试运行，未写入）共 4 行：新建 4 个单元" in capsys.readouterr().out
    assert not OrgUnit.objects.exists()
    call_command("orgtree", str(path))
    assert OrgUnit.objects.get(division_code="51010700100199").parent.name == "锦里社区"


def test_the_first_administrator_of_the_district(tmp_path, monkeypatch, capsys):
    call_command("orgtree", str(write_csv(tmp_path / "武侯区.csv", WUHOU)))
    monkeypatch.setenv("JIUZHU_ADMIN_PASSWORD", "Wuhou@2026-admin")
    # a street is not where an administrator sits
    with pytest.raises(CommandError, match="系统管理员应设在区/县一级"):
        call_command("createadmin", "--username", "wh_admin", "--full-name", "张敏", "--unit", "510107001")
    call_command("createadmin", "--username", "wh_admin", "--full-name", "张敏", "--unit", "510107")
    admin = Staff.objects.get(username="wh_admin")
    assert (admin.role, admin.org_unit.division_code, admin.is_superuser, admin.is_staff) == ("admin", "510107", 1, 1)
    assert admin.check_password("Wuhou@2026-admin")
    assert AuditEntry.objects.filter(action="staff.create", object_id=str(admin.pk)).exists()
    # a weak password and a name already taken are refused with the reason
    monkeypatch.setenv("JIUZHU_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("createadmin", "--username", "wh_admin2", "--full-name", "李", "--unit", "510107")
    with pytest.raises(CommandError, match="已被使用"):
        call_command("createadmin", "--username", "wh_admin", "--full-name", "李", "--unit", "510107")


def test_djangos_createsuperuser_makes_an_administrator_of_the_unit_given(tmp_path, monkeypatch):
    call_command("orgtree", str(write_csv(tmp_path / "武侯区.csv", WUHOU)))
    district = OrgUnit.objects.get(division_code="510107")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Wuhou@2026-admin")
    call_command(
        "createsuperuser", "--noinput", "--username", "root", "--full_name", "王强", "--org_unit", str(district.pk)
    )
    root = Staff.objects.get(username="root")
    assert (root.role, root.org_unit, root.is_superuser) == ("admin", district, True)
