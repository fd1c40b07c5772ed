"""Warning scenarios (预警场景) as configuration: `monitoring.yaml` in a locality's policy-pack folder.

A pack inherits its parent's file (pack.yaml `inherits:`); a child's scenario or parameter of the same name replaces
the parent's whole, and `scenario: null` switches an inherited one off. The national pack holds the defaults.

    parameters:
      large_medical_self_paid:
        label: 大额医疗自付费用预警线
        unit: 元
        values:
          2023-01-01: {value: 40000, reference: 镇海区社会救助服务联合体建设实施方案 二(四)1}
    recipient_programmes: [dibao, tekun, marginal]     # who counts as "on the rolls" (在册救助对象)
    scenarios:
      large_medical:
        name: 大额医疗支出
        events: [medical_settlement]                   # PersonEvent kinds that may trigger it
        conditions:                                    # all must hold; none = the event itself is the trigger
          - {field: self_paid, at_least: large_medical_self_paid, sum_within_days: 365}
        severity: high                                 # high | medium | low
        subject: any                                   # any | recipients | others
        route:
          recipients: [medical_insurance, street]      # department codes whose help it implies; street = the street
          others: street                               # the street of 户籍 and, where they live elsewhere, of 居住
        deadline: {working_days: 1, label: …, reference: …}   # optional: else the `alert` rule of deadlines.yaml
        dedupe_days: 90                                # the same person and scenario within 90 days is one alert
        reference: 镇海区助联体方案 二(四)1

Conditions:
  {field: F, at_least: X | at_most: X | equals: V | in: [V…], sum_within_days: D}
      F is a value the event carries (self_paid, grade, amount…); X a number or a parameter's name (its value on the
      event's date); with sum_within_days the person's events of the same kinds in the D days up to this one are
      summed (one settlement of 45 000, or three that add up to it).
  {main_earner: true}   the person was their household's main earner (largest income in force; without any recorded
                        income, a head of working age able to work).
  {first_time: true}    the subject has no earlier event of this kind: a pension *started*, a first contribution —
                        not every month's payment of it.
Refused at load with file, line and the problem: unknown keys, unknown event kinds are allowed (a department may
send kinds added later) but an empty list is not, a parameter without a value, a condition of no known form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from jiuzhu.policy import yamlsrc
from jiuzhu.policy.errors import PackError
from jiuzhu.policy.packs import pack_chain, resolve_folder

FILE = "monitoring.yaml"
SEVERITIES = ("high", "medium", "low")
SUBJECTS = ("any", "recipients", "others")
COMPARISONS = ("at_least", "at_most", "equals", "in")
DEFAULT_RECIPIENT_PROGRAMMES = ("dibao", "tekun")


@dataclass(frozen=True)
class DatedValue:
    since: date
    value: Decimal
    reference: str


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    values: tuple[DatedValue, ...]  # sorted by date

    def at(self, day: date) -> DatedValue | None:
        found = None
        for v in self.values:
            if v.since <= day:
                found = v
        return found


@dataclass(frozen=True)
class Condition:
    field: str = ""
    op: str = ""  # at_least / at_most / equals / in
    operand: Any = None  # a Decimal, a parameter name (str), a value, or a tuple for `in`
    sum_within_days: int = 0
    main_earner: bool = False
    first_time: bool = False

    def describe(self, params: dict[str, Parameter]) -> str:
        if self.main_earner:
            return "为家庭主要劳动力（收入最高者）"
        if self.first_time:
            return "此前没有同类记录（首次出现）"
        what = {"at_least": "≥", "at_most": "≤", "equals": "=", "in": "属于"}[self.op]
        operand = self.operand
        if isinstance(operand, str) and operand in params:
            operand = params[operand].label
        scope = f"（{self.sum_within_days}天内累计）" if self.sum_within_days else ""
        return f"{self.field}{scope} {what} {operand}"


@dataclass(frozen=True)
class Scenario:
    code: str
    name: str
    events: tuple[str, ...]
    conditions: tuple[Condition, ...]
    severity: str
    subject: str
    route_recipients: tuple[str, ...]
    route_others: str  # "street" | "none"
    deadline: dict | None
    deadline_where: str
    dedupe_days: int
    reference: str
    file: str


@dataclass
class MonitoringConfig:
    locality: str
    files: list[str] = field(default_factory=list)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    recipient_programmes: tuple[str, ...] = DEFAULT_RECIPIENT_PROGRAMMES

    def for_event(self, kind: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if kind in s.events]

    @property
    def event_kinds(self) -> set[str]:
        return {k for s in self.scenarios.values() for k in s.events}


@cache
def load_config(locality: str) -> MonitoringConfig:
    """The monitoring configuration of a locality's pack with everything it inherits; cached per process."""
    folder = resolve_folder(locality)
    chain = pack_chain(folder.name)
    config = MonitoringConfig(locality=folder.name)
    for pack_folder in reversed(chain):  # national first, the locality last
        path = pack_folder / FILE
        if path.exists():
            _read(config, path, root=pack_folder.parent)
    for scenario in config.scenarios.values():
        _check_parameters(scenario, config)
    return config


def clear_cache() -> None:
    load_config.cache_clear()


def _only(m: yamlsrc.Mapping, allowed: set[str], what: str) -> None:
    for key in m:
        if key not in allowed:
            raise PackError(
                f"{what}中不认识的项目“{key}”（可用：{'、'.join(sorted(allowed))}）", file=m.file, line=m.line_of(key)
            )


def _mapping(value: Any, what: str, parent: yamlsrc.Located) -> yamlsrc.Mapping:
    if not isinstance(value, dict):
        raise PackError(f"{what}应为键值表", **yamlsrc.where(value, parent))
    return value


def _read(config: MonitoringConfig, path: Path, *, root: Path) -> None:
    doc = yamlsrc.load(path, root=root)
    name = str(path.relative_to(root))
    config.files.append(name)
    if doc is None:
        return
    if not isinstance(doc, dict):
        raise PackError("文件应为键值表（parameters、recipient_programmes、scenarios）", file=name, line=1)
    _only(doc, {"parameters", "recipient_programmes", "scenarios"}, "monitoring.yaml ")
    for pname, spec in (doc.get("parameters") or {}).items():
        config.parameters[str(pname)] = _parameter(str(pname), _mapping(spec, f"参数“{pname}”", doc))
    if "recipient_programmes" in doc:
        programmes = doc["recipient_programmes"]
        if not isinstance(programmes, list) or not programmes:
            raise PackError(
                "recipient_programmes 应为救助项目代码列表", file=name, line=doc.line_of("recipient_programmes")
            )
        config.recipient_programmes = tuple(str(p) for p in programmes)
    scenarios = doc.get("scenarios") or {}
    for code, spec in _mapping(scenarios, "scenarios", doc).items():
        if spec is None:  # switched off in this locality
            config.scenarios.pop(str(code), None)
            continue
        config.scenarios[str(code)] = _scenario(str(code), _mapping(spec, f"场景“{code}”", scenarios), name)


def _parameter(name: str, spec: yamlsrc.Mapping) -> Parameter:
    _only(spec, {"label", "unit", "values"}, f"参数“{name}”")
    values = []
    raw = _mapping(spec.get("values"), f"参数“{name}”的 values", spec)
    for since, entry in raw.items():
        if not isinstance(since, date):
            raise PackError(f"参数“{name}”的生效日期“{since}”应写成 2024-01-01", file=raw.file, line=raw.line_of(since))
        entry = _mapping(entry, f"参数“{name}” {since} 的取值", raw)
        _only(entry, {"value", "reference"}, f"参数“{name}” {since}")
        if not entry.get("reference"):
            raise PackError(
                f"参数“{name}” {since} 的取值没有写依据（reference）", file=raw.file, line=raw.line_of(since)
            )
        values.append(
            DatedValue(since, _number(entry.get("value"), f"参数“{name}”的 value", entry), entry["reference"])
        )
    if not values:
        raise PackError(f"参数“{name}”没有任何取值", **yamlsrc.where(spec))
    return Parameter(
        name, str(spec.get("label") or name), str(spec.get("unit") or ""), tuple(sorted(values, key=lambda v: v.since))
    )


def _number(value: Any, what: str, parent: yamlsrc.Located) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise PackError(f"{what}应为数值", **yamlsrc.where(value, parent))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PackError(f"{what}“{value}”不是数值", **yamlsrc.where(value, parent)) from None


def _scenario(code: str, spec: yamlsrc.Mapping, file: str) -> Scenario:
    allowed = {"name", "events", "conditions", "severity", "subject", "route", "deadline", "dedupe_days", "reference"}
    _only(spec, allowed, f"场景“{code}”")
    line = {"file": spec.file, "line": spec.line}
    if not spec.get("name"):
        raise PackError(f"场景“{code}”没有名称（name）", **line)
    events = spec.get("events")
    if not isinstance(events, list) or not events:
        raise PackError(f"场景“{code}”应列出触发它的事件（events）", file=spec.file, line=spec.line_of("events"))
    severity = str(spec.get("severity", "medium"))
    if severity not in SEVERITIES:
        raise PackError(
            f"场景“{code}”的 severity 只能是 {'、'.join(SEVERITIES)}", file=spec.file, line=spec.line_of("severity")
        )
    subject = str(spec.get("subject", "any"))
    if subject not in SUBJECTS:
        raise PackError(
            f"场景“{code}”的 subject 只能是 {'、'.join(SUBJECTS)}", file=spec.file, line=spec.line_of("subject")
        )
    route = _mapping(spec.get("route") or {"recipients": ["street"], "others": "street"}, f"场景“{code}”的 route", spec)
    _only(route, {"recipients", "others"}, f"场景“{code}”的 route")
    recipients = route.get("recipients", ["street"])
    if isinstance(recipients, str):
        recipients = [recipients]
    others = str(route.get("others", "street"))
    if others not in ("street", "none"):
        raise PackError(
            f"场景“{code}”的 route.others 只能是 street 或 none", file=route.file, line=route.line_of("others")
        )
    deadline = spec.get("deadline")
    if deadline is not None:
        _mapping(deadline, f"场景“{code}”的 deadline", spec)
    dedupe = spec.get("dedupe_days", 30)
    if not isinstance(dedupe, int) or isinstance(dedupe, bool) or not 0 <= dedupe <= 3660:
        raise PackError(
            f"场景“{code}”的 dedupe_days 应为 0–3660 的整数天数", file=spec.file, line=spec.line_of("dedupe_days")
        )
    conditions = spec.get("conditions") or []
    if not isinstance(conditions, list):
        raise PackError(f"场景“{code}”的 conditions 应为条件列表", file=spec.file, line=spec.line_of("conditions"))
    return Scenario(
        code=code,
        name=str(spec["name"]),
        events=tuple(str(e) for e in events),
        conditions=tuple(_condition(code, c, spec) for c in conditions),
        severity=severity,
        subject=subject,
        route_recipients=tuple(str(r) for r in recipients),
        route_others=others,
        deadline=dict(deadline) if deadline is not None else None,
        deadline_where=f"{spec.file} 第{spec.line_of('deadline')}行" if deadline is not None else "",
        dedupe_days=dedupe,
        reference=str(spec.get("reference") or ""),
        file=file,
    )


def _condition(code: str, spec: Any, parent: yamlsrc.Mapping) -> Condition:
    spec = _mapping(spec, f"场景“{code}”的条件", parent)
    for flag in ("main_earner", "first_time"):
        if flag in spec:
            _only(spec, {flag}, f"场景“{code}”的条件")
            if spec[flag] is not True:
                raise PackError(f"场景“{code}”的条件 {flag} 只能写 true", file=spec.file, line=spec.line_of(flag))
            return Condition(**{flag: True})
    _only(spec, {"field", *COMPARISONS, "sum_within_days"}, f"场景“{code}”的条件")
    ops = [op for op in COMPARISONS if op in spec]
    if not spec.get("field") or len(ops) != 1:
        raise PackError(
            f"场景“{code}”的条件应写成 {{field: 字段, at_least/at_most/equals/in: 值}}、{{main_earner: true}} "
            "或 {first_time: true}",
            **yamlsrc.where(spec),
        )
    op = ops[0]
    operand = spec[op]
    if op == "in":
        if not isinstance(operand, list) or not operand:
            raise PackError(f"场景“{code}”的 in 应为取值列表", file=spec.file, line=spec.line_of("in"))
        operand = tuple(str(v) for v in operand)
    elif op in ("at_least", "at_most") and not (isinstance(operand, str) and not _is_number(operand)):
        operand = _number(operand, f"场景“{code}”的 {op}", spec)
    days = spec.get("sum_within_days", 0)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise PackError(
            f"场景“{code}”的 sum_within_days 应为天数", file=spec.file, line=spec.line_of("sum_within_days")
        )
    if days and op != "at_least":
        raise PackError(f"场景“{code}”：累计（sum_within_days）只能与 at_least 一起用", **yamlsrc.where(spec))
    return Condition(field=str(spec["field"]), op=op, operand=operand, sum_within_days=days)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _check_parameters(scenario: Scenario, config: MonitoringConfig) -> None:
    for condition in scenario.conditions:
        named = isinstance(condition.operand, str) and condition.op in ("at_least", "at_most")
        if named and condition.operand not in config.parameters:
            raise PackError(
                f"场景“{scenario.code}”引用了不存在的参数“{condition.operand}”", **yamlsrc.where(condition.operand)
            )
