"""points.yaml: how many points (积分) a confirmed lead earns its reporter, as data beside a locality's pack.

    policies/<folder>/points.yaml     (next to pack.yaml)

        name: 全国默认线索积分
        notes: …
        tables:                               # dated: the table in force on the day the lead is verified
          2022-01-01:
            reference: 平台默认值（…）        # the document and article, or "平台默认值"
            per_confirmed_lead: 10            # every confirmed lead
            by_severity: {urgent: 20, serious: 10, general: 0}   # added by how serious the situation is
            situations:                       # every situation of the report form, with its severity
              elderly_alone: urgent
              …

A confirmed lead earns per_confirmed_lead + by_severity[situations[its situation]]. The locality's own file is
used when it has one, else the nearest one up `inherits:` in pack.yaml (a child's file replaces its parent's whole),
down to policies/national/points.yaml, the platform default. A malformed file is refused with the file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jiuzhu.leads.errors import LeadError
from jiuzhu.leads.errors import LeadErrorCode as E
from jiuzhu.leads.models import Situation
from jiuzhu.policy import yamlsrc
from jiuzhu.policy.errors import PackError
from jiuzhu.policy.packs import nearest_file, pack_chain

FILE = "points.yaml"
TOP_KEYS = {"name", "notes", "tables"}
TABLE_KEYS = {"reference", "per_confirmed_lead", "by_severity", "situations", "note"}
MAX_POINTS = 10_000


@dataclass(frozen=True)
class PointsTable:
    since: date
    reference: str
    per_confirmed_lead: int
    by_severity: dict[str, int]
    situations: dict[str, str]

    def points_for(self, situation: str) -> int:
        return self.per_confirmed_lead + self.by_severity[self.situations[situation]]

    def explain(self, situation: str) -> str:
        """How the points were counted, in words, e.g. "确认线索 10 分 + 紧急情形（urgent）20 分"."""
        severity = self.situations[situation]
        return f"确认线索 {self.per_confirmed_lead} 分 + 情形等级 {severity} {self.by_severity[severity]} 分"


@dataclass(frozen=True)
class PointsConfig:
    file: str  # e.g. "national/points.yaml"
    name: str
    tables: tuple[PointsTable, ...]  # oldest first

    def table_on(self, day: date) -> PointsTable:
        found = [t for t in self.tables if t.since <= day]
        if not found:
            raise LeadError(E.NO_POINTS_TABLE, file=self.file, day=day.isoformat())
        return found[-1]


def _invalid(file: str, line: int | None, problem: str) -> LeadError:
    return LeadError(E.POINTS_CONFIG_INVALID, file=file, where=f"第{line}行" if line else "文件", problem=problem)


def points_path(locality: str) -> Path:
    """The points.yaml that applies to a locality: its own, else the nearest along `inherits:`."""
    path = nearest_file(locality, FILE)
    if path is None:
        raise LeadError(E.NO_POINTS_CONFIG, locality=pack_chain(locality)[0].name)
    return path


def _whole(value, file: str, line: int, what: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_POINTS:
        raise _invalid(file, line, f"{what}应为 {low} 到 {MAX_POINTS} 之间的整数，这里是“{value}”")
    return value


def read(path: Path) -> PointsConfig:
    """One points.yaml, validated."""
    file = f"{path.parent.name}/{FILE}"
    try:
        doc = yamlsrc.load(path, root=path.parent.parent)
    except PackError as exc:
        raise _invalid(file, exc.line, exc.problem) from None
    if not isinstance(doc, dict):
        raise _invalid(file, None, "内容应为键值对，至少有 tables 一项")
    if unknown := sorted(str(k) for k in doc if k not in TOP_KEYS):
        raise _invalid(
            file, doc.line_of(unknown[0]), f"不认识的项目 {'、'.join(unknown)}；只能有 {'、'.join(sorted(TOP_KEYS))}"
        )
    raw = doc.get("tables")
    if not isinstance(raw, dict) or not raw:
        raise _invalid(file, doc.line_of("tables"), "tables 应按生效日期列出积分表，如 tables: {2022-01-01: {…}}")
    tables = []
    for since, spec in raw.items():
        line = raw.line_of(since)
        if not isinstance(since, date):
            raise _invalid(file, line, f"生效日期“{since}”应写成 2022-01-01")
        if not isinstance(spec, dict):
            raise _invalid(file, line, "积分表应为键值对：reference、per_confirmed_lead、by_severity、situations")
        if unknown := sorted(str(k) for k in spec if k not in TABLE_KEYS):
            raise _invalid(file, spec.line_of(unknown[0]), f"不认识的项目 {'、'.join(unknown)}")
        reference = spec.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            raise _invalid(file, line, "缺少 reference（积分规则的依据：文件、文号；没有文件的写明“平台默认值”）")
        base = _whole(spec.get("per_confirmed_lead"), file, spec.line_of("per_confirmed_lead"), "per_confirmed_lead ")
        severity = spec.get("by_severity")
        if not isinstance(severity, dict) or not severity:
            raise _invalid(file, spec.line_of("by_severity"), "by_severity 应列出每个情形等级的加分，如 {urgent: 20}")
        by_severity = {
            str(k): _whole(v, file, severity.line_of(k), f"情形等级 {k} 的加分") for k, v in severity.items()
        }
        situations = spec.get("situations")
        if not isinstance(situations, dict):
            raise _invalid(file, spec.line_of("situations"), "situations 应为每个情形写出等级，如 {accident: urgent}")
        for name, level in situations.items():
            if name not in Situation.values:
                raise _invalid(
                    file, situations.line_of(name), f"不认识的情形“{name}”；可用：{'、'.join(Situation.values)}"
                )
            if str(level) not in by_severity:
                raise _invalid(
                    file, situations.line_of(name), f"情形“{name}”的等级“{level}”没有在 by_severity 中给出加分"
                )
        if missing := [s for s in Situation.values if s not in situations]:
            raise _invalid(file, spec.line_of("situations"), f"缺少情形 {'、'.join(missing)} 的等级")
        tables.append(
            PointsTable(
                since=since,
                reference=reference.strip(),
                per_confirmed_lead=base,
                by_severity=by_severity,
                situations={str(k): str(v) for k, v in situations.items()},
            )
        )
    tables.sort(key=lambda t: t.since)
    return PointsConfig(file=file, name=str(doc.get("name") or file), tables=tuple(tables))


_cache: dict[str, tuple[tuple, PointsConfig]] = {}


def load_points(locality: str) -> PointsConfig:
    """The points rules of a locality (pack folder or code), validated; read again when the file changes."""
    path = points_path(locality)
    stat = os.stat(path)
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(locality)
    if cached is None or cached[0] != key:
        cached = _cache[locality] = (key, read(path))
    return cached[1]


def points_for(*, locality: str, situation: str, as_of: date) -> tuple[int, PointsTable]:
    """The points a confirmed lead of this situation earns under the locality's table in force on `as_of`."""
    table = load_points(locality).table_on(as_of)
    return table.points_for(situation), table
