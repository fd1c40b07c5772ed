"""Loading the organisation tree from the bureau's own list (Excel or CSV, GBK or UTF-8): district, streets and
towns, communities and villages, grids — `jiuzhu orgtree FILE`.

Each row is a unit: its division code, name and, where the file says them, its level, its parent's code and whether
it is urban. What the file leaves out follows from the statistical codes (GB/T 2260 and the statistical division
codes): 6 digits a district, 9 a street or town, 12 a community or village, longer a grid, and a unit's parent is
its code's prefix. Every problem is reported with its row, in Chinese, and then nothing is written; loading the
same list again changes nothing; a renamed unit is renamed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from jiuzhu.audit import services as audit
from jiuzhu.exchange.readers import clean_header, read_table
from jiuzhu.org import services
from jiuzhu.org.models import OrgUnit

HEADERS = {
    "code": ("行政区划代码", "区划代码", "统计用区划代码", "代码", "编码", "单位代码", "网格编码", "网格代码"),
    "name": ("名称", "单位名称", "区划名称", "网格名称", "单元名称"),
    "level": ("层级", "级别", "类型", "单位类型"),
    "parent": ("上级代码", "上级区划代码", "上级编码", "所属上级代码", "上级单位代码"),
    "urban": ("城乡", "城乡分类", "城乡属性", "城乡分类代码"),
}
_BY_HEADER = {clean_header(h): key for key, names in HEADERS.items() for h in names}
LEVEL_WORDS = {
    OrgUnit.Level.DISTRICT: ("区", "县", "区县", "区/县", "县级市", "旗", "district"),
    OrgUnit.Level.STREET: ("街道", "镇", "乡", "乡镇", "街道/镇", "街道办事处", "苏木", "street", "town"),
    OrgUnit.Level.COMMUNITY: ("社区", "村", "社区/村", "居委会", "村委会", "居民委员会", "村民委员会", "community"),
    OrgUnit.Level.GRID: ("网格", "grid"),
}
_LEVEL_BY_WORD = {word: level for level, words in LEVEL_WORDS.items() for word in words}
_LEVEL_BY_LENGTH = {6: OrgUnit.Level.DISTRICT, 9: OrgUnit.Level.STREET, 12: OrgUnit.Level.COMMUNITY}
_PARENT_LENGTH = {OrgUnit.Level.STREET: 6, OrgUnit.Level.COMMUNITY: 9, OrgUnit.Level.GRID: 12}
URBAN_WORDS = {"城镇": True, "城市": True, "城区": True, "urban": True, "是": True, "农村": False, "乡村": False,
               "rural": False, "否": False}  # fmt: skip


@dataclass
class Row:
    number: int  # as Excel or WPS shows it
    code: str
    name: str
    level: str
    parent: str | None
    urban: bool | None


@dataclass
class TreeLoad:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)  # "第N行：…"; when any, nothing was written


def load_tree_file(path: Path, *, dry_run: bool = False) -> TreeLoad:
    raw = read_table(path, is_known=lambda text: text in _BY_HEADER)
    columns = {}
    for i, header in enumerate(raw.headers):
        key = _BY_HEADER.get(header)
        if key is not None and key not in columns:
            columns[key] = f"c{i}"
    result = TreeLoad()
    missing = [HEADERS[k][0] for k in ("code", "name") if k not in columns]
    if missing:
        result.problems.append(f"表头缺少“{'”“'.join(missing)}”列（第{raw.header_row}行为表头）")
        return result
    for problem in raw.problems.to_pylist():
        result.problems.append(f"第{problem['_row']}行：{problem['reason']}")
    records = raw.table.to_pylist()
    result.rows = len(records)
    rows = []
    for record in records:
        cells = {key: (record[column] or "").strip() for key, column in columns.items()}
        if not any(cells.values()):
            continue
        row, problem = _row(record["_row"], cells)
        if problem:
            result.problems.append(f"第{record['_row']}行：{problem}")
        else:
            rows.append(row)
    result.problems += _tree_problems(rows)
    if result.problems:
        return result
    with transaction.atomic():
        _write(rows, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _row(number: int, cells: dict[str, str]) -> tuple[Row | None, str]:
    code = _code(cells.get("code", ""))
    if code is None:
        return (
            None,
            f"行政区划代码“{cells.get('code', '')}”应为数字（被 Excel 转成科学计数法的请把该列设为文本后重新导出）",
        )
    if not cells.get("name"):
        return None, "缺少名称"
    level = _LEVEL_BY_WORD.get(cells.get("level", "")) if cells.get("level") else _LEVEL_BY_LENGTH.get(len(code))
    if level is None and not cells.get("level") and len(code) > 12:
        level = OrgUnit.Level.GRID
    if level is None:
        if cells.get("level"):
            return None, f"层级“{cells['level']}”不认识，应为 区/县、街道/镇、社区/村、网格 之一"
        return None, f"代码“{code}”为 {len(code)} 位，无法判断层级，请填写“层级”列"
    parent = _code(cells["parent"]) if cells.get("parent") else None
    if cells.get("parent") and parent is None:
        return None, f"上级代码“{cells['parent']}”应为数字"
    if parent is None and level != OrgUnit.Level.DISTRICT:
        parent = code[: _PARENT_LENGTH[level]] if len(code) > _PARENT_LENGTH[level] else None
        if parent is None:
            return None, "无法由代码推出上级，请填写“上级代码”列"
    urban_text = cells.get("urban", "")
    urban = None
    if urban_text:
        urban = URBAN_WORDS.get(urban_text)
        if urban is None and re.fullmatch(r"[12]\d\d", urban_text):  # 统计用城乡分类代码: 1xx 城镇, 2xx 乡村
            urban = urban_text.startswith("1")
        if urban is None:
            return None, f"城乡“{urban_text}”不认识，应为 城镇 或 农村（或城乡分类代码 111～220）"
    return Row(number, code, cells["name"], level, parent, urban), ""


def _code(text: str) -> str | None:
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.removesuffix(".0")
    return text if re.fullmatch(r"\d{6,20}", text) else None


def _tree_problems(rows: list[Row]) -> list[str]:
    problems = []
    in_file: dict[str, Row] = {}
    for row in rows:
        if row.code in in_file:
            problems.append(f"第{row.number}行：代码 {row.code} 与第{in_file[row.code].number}行重复")
        else:
            in_file[row.code] = row
    existing = {u.division_code: u for u in OrgUnit.objects.filter(division_code__in=[*in_file, *_parents(rows)])}
    for row in rows:
        depth = OrgUnit.LEVEL_ORDER.index(row.level)
        unit = existing.get(row.code)
        if unit is not None and unit.level != row.level:
            problems.append(f"第{row.number}行：{row.code} 已登记为{unit.get_level_display()}，不能改为其他层级")
        if row.level == OrgUnit.Level.DISTRICT:
            if row.parent:
                problems.append(f"第{row.number}行：区/县是最上一级，不应有上级代码")
            continue
        parent_level = (in_file[row.parent].level if row.parent in in_file else None) or (
            existing[row.parent].level if row.parent in existing else None
        )
        if parent_level is None:
            problems.append(f"第{row.number}行：上级代码 {row.parent} 既不在本表中，也未在平台登记")
        elif OrgUnit.LEVEL_ORDER.index(parent_level) != depth - 1:
            problems.append(
                f"第{row.number}行：{OrgUnit.Level(row.level).label}的上级应为"
                f"{OrgUnit.LEVEL_ORDER[depth - 1].label}，{row.parent} 是{OrgUnit.Level(parent_level).label}"
            )
        elif unit is not None and unit.parent and unit.parent.division_code != row.parent:
            problems.append(
                f"第{row.number}行：{row.code} 已登记在 {unit.parent.division_code} 之下；调整隶属关系请在管理后台办理"
            )
    return problems


def _parents(rows: list[Row]) -> set[str]:
    return {row.parent for row in rows if row.parent}


def _write(rows: list[Row], result: TreeLoad) -> None:
    units = {u.division_code: u for u in OrgUnit.objects.filter(division_code__in=[r.code for r in rows])}
    units |= {u.division_code: u for u in OrgUnit.objects.filter(division_code__in=_parents(rows))}
    for row in sorted(rows, key=lambda r: (OrgUnit.LEVEL_ORDER.index(r.level), r.number)):  # parents first
        unit = units.get(row.code)
        parent = units.get(row.parent) if row.parent else None
        urban = row.urban if row.urban is not None else (parent.is_urban if parent else True)
        if unit is None:
            units[row.code] = services.org_unit_create(
                actor=None, name=row.name, level=row.level, division_code=row.code, parent=parent, is_urban=urban
            )
            result.created.append(row.code)
        elif unit.name != row.name or (row.urban is not None and unit.is_urban != row.urban):
            urban = unit.is_urban if row.urban is None else row.urban
            changes = {"name": [unit.name, row.name], "is_urban": [unit.is_urban, urban]}
            unit.name, unit.is_urban = row.name, urban
            unit.save(update_fields=["name", "is_urban"])
            audit.record(actor=None, action="org_unit.update", obj=unit, changes=changes)
            result.renamed.append(row.code)
        else:
            result.unchanged += 1
