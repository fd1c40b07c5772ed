"""colours.yaml: a locality's three-colour rules (三色管理) and review schedules, as data beside its pack.

    policies/<locality>/colours.yaml     (next to pack.yaml)

The file of the locality itself is used when it has one; otherwise its parent's along `inherits:` in pack.yaml, up
to policies/national/colours.yaml (the platform default). A child's file replaces its parent's whole: nothing is
merged. Conditions are written in the pack's rule language and read the locality's own pack (definitions and
parameters), whichever folder the colours.yaml came from. See docs/reviews.md for the format and two examples.

A malformed file is refused when it is loaded: PackError with the file, the line and a Chinese message.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiuzhu.policy import yamlsrc
from jiuzhu.policy.errors import PackError
from jiuzhu.policy.facts import HOUSEHOLD_FIELDS, MEMBER_FIELDS
from jiuzhu.policy.language import Node
from jiuzhu.policy.packs import load_pack, nearest_file, resolve_folder
from jiuzhu.policy.yamlsrc import Mapping, Text
from jiuzhu.registry.choices import ColorClass
from jiuzhu.reviews.errors import ReviewsError, ReviewsErrorCode
from jiuzhu.reviews.models import ReviewKind
from jiuzhu.reviews.rules import Names

FILE = "colours.yaml"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = {"name", "reference", "notes", "applies_to", "flags", "rules", "schedules", "minimums"}
RULE_KEYS = {"colour", "label", "when", "reference", "note"}
ENTRY_KEYS = {"kind", "every_months", "label", "reference", "note"}
MINIMUM_KEYS = ENTRY_KEYS | {"when"}
MAX_MONTHS = 60


@dataclass(frozen=True)
class ColourRule:
    index: int  # 1-based, in file order: the first rule that holds gives the colour
    colour: str
    label: str
    when: Text
    tree: Node
    reference: str
    line: int


@dataclass(frozen=True)
class ScheduleEntry:
    """Review `kind` every `every_months` months, for a colour (`colour`) or wherever `tree` holds (a minimum)."""

    kind: str
    every_months: int
    label: str
    reference: str
    line: int
    colour: str = ""
    when: Text | None = None
    tree: Node | None = None


@dataclass
class ColourConfig:
    locality: str  # the pack folder whose facts, definitions and parameters the conditions read
    file: str  # where the rules came from, e.g. 630105-chengbei/colours.yaml
    name: str
    reference: str
    notes: str
    applies_to: Text | None
    applies_to_tree: Node | None
    flags: dict[str, str]
    rules: list[ColourRule]
    schedules: dict[str, list[ScheduleEntry]]
    minimums: list[ScheduleEntry]
    names: Names = field(repr=False)

    @property
    def inherited(self) -> bool:
        return not self.file.startswith(f"{self.locality}/")


def colours_path(locality: str) -> Path:
    """The colours.yaml that applies to a locality: its own, else the nearest along `inherits:`."""
    path = nearest_file(locality, FILE)
    if path is None:
        raise ReviewsError(ReviewsErrorCode.NO_COLOURS, locality=resolve_folder(locality).name)
    return path


_cache: dict[str, tuple[tuple, ColourConfig]] = {}


def load_colours(locality: str) -> ColourConfig:
    """The colour rules of a locality (a pack folder name or code), validated; read again when the file changes."""
    folder = resolve_folder(locality).name
    path = colours_path(folder)
    stat = os.stat(path)
    pack = load_pack(folder)
    key = (str(path), stat.st_mtime_ns, stat.st_size, id(pack))
    cached = _cache.get(folder)
    if cached is None or cached[0] != key:
        cached = _cache[folder] = (key, _read(folder, path))
    return cached[1]


def clear_cache() -> None:
    _cache.clear()


def _read(locality: str, path: Path) -> ColourConfig:
    root = path.parent.parent
    file = f"{path.parent.name}/{FILE}"
    doc = yamlsrc.load(path, root=root)
    if not isinstance(doc, dict):
        raise PackError("文件内容应为键值对（YAML 映射），至少写出 rules 和 schedules", file=file, line=1)
    _only(doc, TOP_KEYS)
    flags = _flags(doc.get("flags"), doc, file)
    names = Names(pack=load_pack(locality), flags=flags)
    default_ref = _str(doc.get("reference"))
    applies_to = _expr(doc, "applies_to", file) if doc.get("applies_to") is not None else None
    config = ColourConfig(
        locality=locality,
        file=file,
        name=_str(doc.get("name")) or "三色管理",
        reference=default_ref,
        notes=_str(doc.get("notes")),
        applies_to=applies_to,
        applies_to_tree=names.parse(applies_to, what="applies_to") if applies_to is not None else None,
        flags=flags,
        rules=[],
        schedules={},
        minimums=[],
        names=names,
    )
    rules = doc.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PackError("缺少 rules：按顺序列出分类规则（先符合的先定色）", file=file, line=doc.line_of("rules"))
    for i, spec in enumerate(rules, start=1):
        config.rules.append(_rule(i, spec, names, default_ref, file, rules))
    config.schedules = _schedules(doc.get("schedules"), doc, default_ref, file)
    minimums = doc.get("minimums") or []
    if not isinstance(minimums, list):
        raise PackError("minimums 应为列表，每项写出 label、when、kind、every_months", file=file, line=doc.line)
    for spec in minimums:
        config.minimums.append(_entry(spec, default_ref, file, minimums, names=names))
    return config


def _only(m: Mapping, allowed: set[str]) -> None:
    for key in m:
        if key not in allowed:
            raise PackError(
                f"不认识的项目“{key}”（可用：{'、'.join(sorted(allowed))}）", file=m.file, line=m.line_of(key)
            )


def _str(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _expr(m: Mapping, key: str, file: str) -> Text:
    value = m.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PackError(f"缺少 {key}（条件表达式）", file=file, line=m.line_of(key))
    if not isinstance(value, Text):
        value = Text(str(value).title() if isinstance(value, bool) else str(value))
        value.file, value.line = file, m.line_of(key)
    return value


def _mapping(spec: Any, what: str, file: str, container: Any) -> Mapping:
    if not isinstance(spec, dict):
        raise PackError(f"{what}应为键值对", file=file, line=getattr(spec, "line", None) or container.line)
    return spec


def _flags(spec: Any, doc: Mapping, file: str) -> dict[str, str]:
    if spec is None:
        return {}
    spec = _mapping(spec, "flags（本地记录的家庭标记，代码: 名称）", file, doc)
    flags = {}
    for code, label in spec.items():
        line = spec.line_of(code)
        if not isinstance(code, str) or not NAME.match(code):
            raise PackError(f"标记代码“{code}”只能用小写字母、数字和下划线，并以字母开头", file=file, line=line)
        if code in HOUSEHOLD_FIELDS or code in MEMBER_FIELDS:
            raise PackError(f"标记代码“{code}”与家庭情况字段同名，请换一个名称", file=file, line=line)
        if isinstance(label, dict):
            label = label.get("label")
        if not _str(label):
            raise PackError(f"标记“{code}”缺少中文名称", file=file, line=line)
        flags[code] = _str(label)
    return flags


def _rule(index: int, spec: Any, names: Names, default_ref: str, file: str, container: Any) -> ColourRule:
    spec = _mapping(spec, f"第{index}条规则", file, container)
    _only(spec, RULE_KEYS)
    colour = spec.get("colour")
    if colour not in ColorClass.values:
        raise PackError(
            f"第{index}条规则的 colour 应为 red（红）、yellow（黄）或 green（绿），不是“{colour}”",
            file=file,
            line=spec.line_of("colour"),
        )
    label = _str(spec.get("label"))
    if not label:
        raise PackError(f"第{index}条规则缺少中文说明 label", file=file, line=spec.line)
    reference = _str(spec.get("reference")) or default_ref
    if not reference:
        raise PackError(
            f"第{index}条规则“{label}”缺少依据 reference（文件名称、文号或条款）", file=file, line=spec.line
        )
    when = _expr(spec, "when", file)
    return ColourRule(index, str(colour), label, when, names.parse(when), reference, spec.line)


def _schedules(spec: Any, doc: Mapping, default_ref: str, file: str) -> dict[str, list[ScheduleEntry]]:
    if spec is None:
        raise PackError("缺少 schedules：按颜色写出复核安排（red / yellow / green）", file=file, line=doc.line)
    spec = _mapping(spec, "schedules（按颜色的复核安排）", file, doc)
    found: dict[str, list[ScheduleEntry]] = {}
    for colour, entries in spec.items():
        if colour not in ColorClass.values:
            raise PackError(
                f"schedules 下应按颜色 red、yellow、green 分列，不认识“{colour}”", file=file, line=spec.line_of(colour)
            )
        if not isinstance(entries, list):
            raise PackError(f"schedules.{colour} 应为列表", file=file, line=spec.line_of(colour))
        found[colour] = [_entry(e, default_ref, file, entries, colour=colour) for e in entries]
        kinds = [e.kind for e in found[colour]]
        if len(kinds) != len(set(kinds)):
            raise PackError(f"schedules.{colour} 中同一复核类型写了两次", file=file, line=spec.line_of(colour))
    return found


def _entry(
    spec: Any, default_ref: str, file: str, container: Any, *, colour: str = "", names: Names | None = None
) -> ScheduleEntry:
    spec = _mapping(spec, "复核安排的每一项", file, container)
    _only(spec, MINIMUM_KEYS if names is not None else ENTRY_KEYS)
    kind = spec.get("kind")
    if kind not in ReviewKind.values:
        choices = "、".join(f"{k}（{label}）" for k, label in ReviewKind.choices)
        raise PackError(f"复核类型 kind 应为 {choices} 之一，不是“{kind}”", file=file, line=spec.line_of("kind"))
    months = spec.get("every_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise PackError(
            f"every_months 应为 1 到 {MAX_MONTHS} 的整数（每几个月一次），不是“{months}”",
            file=file,
            line=spec.line_of("every_months"),
        )
    label = _str(spec.get("label")) or str(ReviewKind(kind).label)
    reference = _str(spec.get("reference")) or default_ref
    if not reference:
        raise PackError(f"复核安排“{label}”缺少依据 reference", file=file, line=spec.line)
    when, tree = None, None
    if names is not None:
        when = _expr(spec, "when", file)
        tree = names.parse(when)
    return ScheduleEntry(kind, months, label, reference, spec.line, colour=colour, when=when, tree=tree)
