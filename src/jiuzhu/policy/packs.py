"""Policy packs: a locality's rules as YAML data, inheriting from a parent pack (national, province, city).

    policies/<code>-<slug>/
        pack.yaml          code, name, inherits, notes
        parameters.yaml    dated values with unit and legal reference
        definitions.yaml   named household- and member-level quantities shared by programmes
        programmes/*.yaml  one programme each: catalogue entry, conditions, amounts, benefit
        cases/*.yaml       test cases: facts, date, expected decisions

A child pack overrides its parent by name: a parameter or definition replaces the parent's whole; a programme
is merged key by key, its conditions and amounts by name (a name set to null removes it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from jiuzhu.policy import yamlsrc
from jiuzhu.policy.errors import PackError, PolicyError, PolicyErrorCode
from jiuzhu.policy.facts import Level
from jiuzhu.policy.yamlsrc import Mapping, Text

UNITS: tuple[Level, ...] = ("household", "member")
PERIODS = ("monthly", "annual", "one_off")
PROGRAMME_KEYS = {
    "code",
    "name",
    "category",
    "department",
    "unit",
    "description",
    "materials",
    "where_to_apply",
    "legal_basis",
    "benefit_period",
    "conditions",
    "eligible",
    "amounts",
    "benefit",
    "notes",
    "disabled",
}


@dataclass(frozen=True)
class ParameterValue:
    effective_from: date
    value: Any
    reference: str
    missing: str = ""


@dataclass
class Parameter:
    """A dated policy parameter (OpenFisca-style): values keyed by the date they take effect."""

    name: str
    label: str
    unit: str
    values: list[ParameterValue]
    pack: str
    file: str = ""
    line: int = 0
    declared_type: str = ""  # needed only when no value is known yet (every value missing)

    def at(self, as_of: date) -> ParameterValue:
        current = None
        for v in self.values:
            if v.effective_from <= as_of:
                current = v
        if current is None:
            first = self.values[0].effective_from if self.values else None
            reason = f"最早的取值自 {first} 起生效" if first else "没有任何取值"
            raise PolicyError(
                PolicyErrorCode.PARAMETER_MISSING, name=self.label or self.name, as_of=as_of, reason=reason
            )
        if current.value is None:
            raise PolicyError(
                PolicyErrorCode.PARAMETER_MISSING, name=self.label or self.name, as_of=as_of, reason=current.missing
            )
        return current


@dataclass
class Rule:
    """A named expression: a definition, a condition or an amount, with its Chinese label."""

    name: str
    label: str
    expr: Text
    pack: str
    note: str = ""


@dataclass
class Programme:
    code: str
    name: str
    category: str
    department: str
    unit: Level
    description: str
    materials: list[str]
    where_to_apply: str
    legal_basis: list[str]
    benefit_period: str
    conditions: dict[str, Rule]
    eligible: Text | None
    amounts: dict[str, Rule]
    benefit: Text | None
    notes: str
    pack: str
    file: str = ""


@dataclass
class Case:
    name: str
    as_of: date
    facts: Any
    expect: Mapping
    parameters: dict[str, Any]
    pack: str
    file: str
    line: int


@dataclass
class Pack:
    code: str
    name: str
    folder: str
    parent: Pack | None
    notes: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    definitions: dict[Level, dict[str, Rule]] = field(default_factory=lambda: {"household": {}, "member": {}})
    programmes: dict[str, Programme] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    # What this pack itself writes (not inherits): what its own cases must cover.
    own_parameters: set[str] = field(default_factory=set)
    own_rules: set[tuple[str, str]] = field(default_factory=set)  # (programme or "", rule name)
    own_programmes: set[str] = field(default_factory=set)

    @property
    def lineage(self) -> list[str]:
        chain, pack = [], self
        while pack is not None:
            chain.append(pack.name)
            pack = pack.parent
        return chain


# --- Discovery ----------------------------------------------------------------------------------------------


def policy_dirs() -> list[Path]:
    return [Path(p) for p in settings.JIUZHU_POLICY_DIRS]


def available_packs() -> dict[str, Path]:
    """Every pack folder found, by folder name (e.g. 530103-panlong, national). Later directories win."""
    found: dict[str, Path] = {}
    for base in policy_dirs():
        if base.is_dir():
            for folder in sorted(base.iterdir()):
                if (folder / "pack.yaml").is_file():
                    found[folder.name] = folder
    return found


def resolve_folder(locality: str) -> Path:
    """A pack by folder name, by division code, or by code prefix of a folder (530103 → 530103-panlong)."""
    packs = available_packs()
    if locality in packs:
        return packs[locality]
    for name, path in packs.items():
        if name.split("-", 1)[0] == locality:
            return path
    raise PolicyError(PolicyErrorCode.UNKNOWN_LOCALITY, locality=locality)


@cache
def pack_chain(locality: str) -> tuple[Path, ...]:
    """The pack folders from the locality up along `inherits:` (the locality first, national last). Every file a
    locality configures (the pack's rules, deadlines.yaml, workflows.yaml, monitoring.yaml …) follows this chain."""
    folders: list[Path] = []
    folder = resolve_folder(locality)
    while True:
        if folder in folders:
            names = " → ".join(f.name for f in [*folders, folder])
            raise PackError(f"政策包继承关系成环：{names}", file=f"{folders[-1].name}/pack.yaml")
        folders.append(folder)
        meta = _mapping(yamlsrc.load(folder / "pack.yaml", root=folder.parent), f"{folder.name}/pack.yaml")
        inherits = meta.get("inherits")
        if not inherits:
            return tuple(folders)
        try:
            folder = resolve_folder(str(inherits))
        except PolicyError:
            raise PackError(f"继承的政策包“{inherits}”不存在", **yamlsrc.where(inherits, meta)) from None


def nearest_file(locality: str, name: str) -> Path | None:
    """A configuration file that applies whole (not merged): the locality's own, else the nearest ancestor's."""
    return next((folder / name for folder in pack_chain(locality) if (folder / name).is_file()), None)


class ChainedFile:
    """One configuration file (deadlines.yaml, workflows.yaml, payments.yaml …) along a locality's pack chain, built
    from the files that exist (the locality's own first, national last) and kept until one of them changes."""

    def __init__(self, name: str, build):
        self.name, self.build, self._cache = name, build, {}

    def __call__(self, locality: str):
        folders = pack_chain(locality)
        files = [f / self.name for f in folders if (f / self.name).is_file()]
        key = tuple((str(p), os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in files)
        cached = self._cache.get(folders[0].name)
        if cached is None or cached[0] != key:
            cached = self._cache[folders[0].name] = (key, self.build(files))
        return cached[1]

    def clear(self) -> None:
        self._cache.clear()


@cache
def load_pack(locality: str) -> Pack:
    """The pack of a locality with everything it inherits, validated; cached for the process."""
    pack = None
    for folder in reversed(pack_chain(locality)):  # national first
        pack = _load(folder, parent=pack)
    assert pack is not None
    return pack


def clear_cache() -> None:
    """Forget loaded and compiled packs (after a pack's files change)."""
    load_pack.cache_clear()
    pack_chain.cache_clear()
    from jiuzhu.policy import checks, compiler

    compiler.compile_pack.cache_clear()
    checks.clear_cache()


# --- Loading ------------------------------------------------------------------------------------------------


def _load(folder: Path, *, parent: Pack | None) -> Pack:
    """One pack folder over its parent's pack (the chain itself is checked by `pack_chain`)."""
    root = folder.parent
    meta = _mapping(yamlsrc.load(folder / "pack.yaml", root=root), f"{folder.name}/pack.yaml")
    _only_keys(meta, {"code", "name", "inherits", "notes"})
    pack = Pack(
        code=str(_required(meta, "code")),
        name=str(_required(meta, "name")),
        folder=folder.name,
        parent=parent,
        notes=str(meta.get("notes") or ""),
    )
    if parent is not None:
        pack.parameters = dict(parent.parameters)
        pack.definitions = {level: dict(rules) for level, rules in parent.definitions.items()}
        pack.programmes = dict(parent.programmes)
    if (folder / "parameters.yaml").exists():
        _read_parameters(pack, yamlsrc.load(folder / "parameters.yaml", root=root), f"{folder.name}/parameters.yaml")
    if (folder / "definitions.yaml").exists():
        _read_definitions(pack, yamlsrc.load(folder / "definitions.yaml", root=root), f"{folder.name}/definitions.yaml")
    for path in sorted((folder / "programmes").glob("*.yaml")):
        _read_programme(pack, yamlsrc.load(path, root=root), f"{folder.name}/programmes/{path.name}")
    for path in sorted((folder / "cases").glob("*.yaml")):
        _read_cases(pack, yamlsrc.load(path, root=root), f"{folder.name}/cases/{path.name}")
    # Compiling checks every expression (names, types, cycles) against this pack as a whole.
    from jiuzhu.policy.compiler import check_pack

    check_pack(pack)
    return pack


def _mapping(value: Any, file: str) -> Mapping:
    if not isinstance(value, dict):
        raise PackError("文件内容应为键值对（YAML 映射）", file=file, line=getattr(value, "line", None))
    return value


def _required(m: Mapping, key: str) -> Any:
    if m.get(key) in (None, ""):
        raise PackError(f"缺少必填项“{key}”", file=m.file, line=m.line)
    return m[key]


def _only_keys(m: Mapping, allowed: set[str]) -> None:
    for key in m:
        if key not in allowed:
            raise PackError(
                f"不认识的项目“{key}”（可用：{'、'.join(sorted(allowed))}）", file=m.file, line=m.line_of(key)
            )


def _read_parameters(pack: Pack, doc: Any, file: str) -> None:
    doc = _mapping(doc, file)
    for name, spec in doc.items():
        line = doc.line_of(name)
        if not isinstance(spec, dict):
            raise PackError(f"参数“{name}”应写出 label、unit、values", file=file, line=line)
        _only_keys(spec, {"label", "unit", "reference", "values", "note", "type"})
        values_spec = spec.get("values")
        if not isinstance(values_spec, dict) or not values_spec:
            raise PackError(f"参数“{name}”缺少 values（按生效日期写出取值）", file=file, line=line)
        default_ref = str(spec.get("reference") or "")
        values = []
        for when, entry in values_spec.items():
            if not isinstance(when, date):
                raise PackError(
                    f"参数“{name}”的生效日期“{when}”应写成 2024-07-01", file=file, line=values_spec.line_of(when)
                )
            if isinstance(entry, dict):
                _only_keys(entry, {"value", "reference", "missing", "note"})
                value, ref, missing = (
                    entry.get("value"),
                    str(entry.get("reference") or default_ref),
                    entry.get("missing"),
                )
            else:
                value, ref, missing = entry, default_ref, None
            if value is None and not missing:
                raise PackError(
                    f"参数“{name}”在 {when} 的取值为空：未查到的值要写 missing 说明原因，不能留空",
                    file=file,
                    line=values_spec.line_of(when),
                )
            if value is not None and not ref:
                raise PackError(
                    f"参数“{name}”在 {when} 的取值缺少依据（reference）", file=file, line=values_spec.line_of(when)
                )
            values.append(ParameterValue(when, _plain(value), ref, str(missing or "")))
        values.sort(key=lambda v: v.effective_from)
        pack.parameters[name] = Parameter(
            name=name,
            label=str(spec.get("label") or name),
            unit=str(spec.get("unit") or ""),
            values=values,
            pack=pack.folder,
            file=file,
            line=line,
            declared_type=str(spec.get("type") or ""),
        )
        pack.own_parameters.add(name)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Text):
        return str(value)
    return value


def _rule(name: str, spec: Any, *, pack: Pack, file: str, line: int, what: str) -> Rule:
    if isinstance(spec, str):
        return Rule(name=name, label=name, expr=spec, pack=pack.folder)
    if not isinstance(spec, dict) or "expr" not in spec:
        raise PackError(f"{what}“{name}”应写出 label 和 expr", file=file, line=line)
    _only_keys(spec, {"label", "expr", "note"})
    expr = spec["expr"]
    if not isinstance(expr, Text):
        expr = Text(str(expr).lower() if isinstance(expr, bool) else str(expr))
        expr.file, expr.line = file, spec.line_of("expr")
        if expr in ("true", "false"):
            expr = Text(expr.title())
            expr.file, expr.line = file, spec.line_of("expr")
    return Rule(
        name=name, label=str(spec.get("label") or name), expr=expr, pack=pack.folder, note=str(spec.get("note") or "")
    )


def _read_definitions(pack: Pack, doc: Any, file: str) -> None:
    doc = _mapping(doc, file)
    _only_keys(doc, set(UNITS))
    for level in UNITS:
        block = doc.get(level) or {}
        for name, spec in block.items():
            if spec is None:
                pack.definitions[level].pop(name, None)
                continue
            pack.definitions[level][name] = _rule(
                name, spec, pack=pack, file=file, line=block.line_of(name), what="定义"
            )
            pack.own_rules.add(("", name))


def _read_programme(pack: Pack, doc: Any, file: str) -> None:
    doc = _mapping(doc, file)
    _only_keys(doc, PROGRAMME_KEYS)
    code = str(_required(doc, "code"))
    if doc.get("disabled"):
        pack.programmes.pop(code, None)
        return
    base = pack.programmes.get(code)
    unit = doc.get("unit", base.unit if base else "household")
    if unit not in UNITS:
        raise PackError(
            f"unit 应为 household（按户）或 member（按人），不是“{unit}”", file=file, line=doc.line_of("unit")
        )
    period = doc.get("benefit_period", base.benefit_period if base else "monthly")
    if period not in PERIODS:
        raise PackError(f"benefit_period 应为 {'、'.join(PERIODS)} 之一", file=file, line=doc.line_of("benefit_period"))

    def named(key: str, what: str) -> dict[str, Rule]:
        rules = dict(getattr(base, key)) if base else {}
        block = doc.get(key) or {}
        if block and not isinstance(block, dict):
            raise PackError(f"{key} 应为按名称列出的{what}", file=file, line=doc.line_of(key))
        for name, spec in block.items():
            if spec is None:
                rules.pop(name, None)
                continue
            rules[name] = _rule(name, spec, pack=pack, file=file, line=block.line_of(name), what=what)
            pack.own_rules.add((code, name))
        return rules

    def text(key: str, default: str = "") -> str:
        return str(doc[key]) if key in doc else (getattr(base, key) if base else default)

    def texts(key: str) -> list[str]:
        if key in doc:
            value = doc[key]
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return list(getattr(base, key)) if base else []

    def expr(key: str) -> Text | None:
        if key in doc:
            value = doc[key]
            if value is None:
                return None
            if not isinstance(value, Text):
                value = Text(str(value))
                value.file, value.line = file, doc.line_of(key)
            pack.own_rules.add((code, key))
            return value
        return getattr(base, key) if base else None

    programme = Programme(
        code=code,
        name=text("name") or code,
        category=text("category"),
        department=text("department"),
        unit=unit,
        description=text("description"),
        materials=texts("materials"),
        where_to_apply=text("where_to_apply"),
        legal_basis=texts("legal_basis"),
        benefit_period=period,
        conditions=named("conditions", "条件"),
        eligible=expr("eligible"),
        amounts=named("amounts", "金额"),
        benefit=expr("benefit"),
        notes=text("notes"),
        pack=pack.folder,
        file=file,
    )
    if not programme.conditions and programme.eligible is None:
        raise PackError(f"救助项目“{code}”没有任何条件", file=file, line=doc.line)
    pack.programmes[code] = programme
    pack.own_programmes.add(code)


def _read_cases(pack: Pack, doc: Any, file: str) -> None:
    if not isinstance(doc, list):
        raise PackError("测试用例文件应为用例列表", file=file)
    for entry in doc:
        if not isinstance(entry, dict):
            raise PackError("每个测试用例应为键值对", file=file, line=getattr(entry, "line", None))
        _only_keys(entry, {"name", "as_of", "household", "expect", "parameters", "note"})
        as_of = _required(entry, "as_of")
        if not isinstance(as_of, date):
            raise PackError("as_of 应写成 2024-07-01", file=file, line=entry.line_of("as_of"))
        expect = _required(entry, "expect")
        pack.cases.append(
            Case(
                name=str(entry.get("name") or f"{file}:{entry.line}"),
                as_of=as_of,
                facts=_plain(_required(entry, "household")),
                expect=expect,
                parameters=_plain(entry.get("parameters") or {}),
                pack=pack.folder,
                file=file,
                line=entry.line,
            )
        )
