"""Time limits of work orders, as configuration: deadlines.yaml beside a locality's pack.yaml.

    policies/<folder>/deadlines.yaml
        notes: …                          # free text
        shared:                           # optional: named entries to reuse with YAML anchors (&name / *name)
          feedback: &feedback {working_days: 10, label: …, reference: …}
        kinds:
          grid_lead:    {same_day: true,  label: 当日核实上报,  reference: 城北政办〔2022〕18号 二（二）}
          emergency:    {hours: 12,       label: 12小时答复,    reference: …}
          hotline_lead: {working_days: 1, label: …,             reference: …}
          petition_lead: {days: 1, …}
          review:       {days: 30, …, variants: {green: {months: 6, …}}}   # a variant, e.g. by a household's colour
          department_feedback: *feedback

One form per rule, each from the day or moment the order is opened (China time):
  same_day: true    23:59:59 of the day it is opened
  hours: n          n hours later, to the second
  working_days: n   23:59:59 of the n-th working day after the day it is opened (core.workdays; holidays are data)
  days: n           23:59:59 of the n-th calendar day after the day it is opened
  months: n         23:59:59 of the same day n months later (the month's last day when it has no such day)
Every rule has a Chinese `label` and a `reference` (the document and article, or "平台默认值…"); `photo_required:
true` makes closing an order of that kind need at least one photo.

A locality's file overrides its parent's (along `inherits:` in pack.yaml, up to national) kind by kind; a kind it
does not mention keeps the parent's rule. A malformed file is refused with the file and the place.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from jiuzhu.core.workdays import add_working_days, china_date, end_of_day
from jiuzhu.policy import yamlsrc
from jiuzhu.policy.packs import ChainedFile, pack_chain
from jiuzhu.workorders.errors import WorkOrderError
from jiuzhu.workorders.errors import WorkOrderErrorCode as E

FILE = "deadlines.yaml"
FORMS = ("same_day", "hours", "working_days", "days", "months")
RULE_KEYS = {*FORMS, "label", "reference", "note", "photo_required", "variants"}
TOP_KEYS = {"name", "notes", "shared", "kinds"}
LIMITS = {"hours": 24 * 366, "working_days": 250, "days": 366, "months": 24}


@dataclass(frozen=True)
class DeadlineRule:
    """One configured time limit: what it is called, where it comes from, and how the due time is computed."""

    label: str  # Chinese, e.g. "当日核实上报"
    reference: str  # e.g. "城北政办〔2022〕18号 二（二）"
    form: str  # same_day | hours | working_days | days | months
    amount: int = 0  # hours, working days, days or months (0 for same_day)
    source: str = ""  # where it was configured, e.g. "630105-chengbei/deadlines.yaml 第12行"
    photo_required: bool = False

    def due(self, opened_at: datetime) -> datetime:
        """The due time of an order opened at `opened_at` (aware). Working days may raise CalendarError."""
        if self.form == "hours":
            return opened_at + timedelta(hours=self.amount)
        day = china_date(opened_at)
        if self.form == "same_day":
            return end_of_day(day)
        if self.form == "working_days":
            return add_working_days(opened_at, self.amount)
        if self.form == "days":
            return end_of_day(day + timedelta(days=self.amount))
        return end_of_day(_add_months(day, self.amount))

    def describe(self) -> str:
        """The limit in words, e.g. "当天 24 时前", "12 小时内", "3 个工作日内"."""
        return {
            "same_day": "当天内",
            "hours": f"{self.amount} 小时内",
            "working_days": f"{self.amount} 个工作日内",
            "days": f"{self.amount} 天内",
            "months": f"{self.amount} 个月内",
        }[self.form]


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _invalid(file: str, where: str, problem: str) -> WorkOrderError:
    return WorkOrderError(E.DEADLINE_INVALID, file=file, where=where, problem=problem)


def parse_rule(spec: dict, *, file: str, where: str) -> DeadlineRule:
    """One rule from its mapping, e.g. {"hours": 12, "label": "12小时答复", "reference": "…"}.

    Raises WorkOrderError (DEADLINE_INVALID) naming `file` and `where` and saying in Chinese what is wrong.
    """
    if not isinstance(spec, dict):
        raise _invalid(
            file, where, "时限应写成键值对，如 {working_days: 3, label: 3个工作日内办结, reference: 文件依据}"
        )
    unknown = sorted(str(k) for k in spec if k not in RULE_KEYS)
    if unknown:
        raise _invalid(file, where, f"不认识的项目 {'、'.join(unknown)}；可用的项目：{'、'.join(sorted(RULE_KEYS))}")
    forms = [f for f in FORMS if f in spec]
    if len(forms) != 1:
        found = "、".join(forms) if forms else "没有"
        raise _invalid(file, where, f"须有且只有一种时限写法（{'、'.join(FORMS)}），这里{found}")
    form = forms[0]
    value = spec[form]
    if form == "same_day":
        if value is not True:
            raise _invalid(file, where, "same_day 只能写 true（当天内办结）")
        amount = 0
    else:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LIMITS[form]:
            raise _invalid(file, where, f"{form} 应为 1 到 {LIMITS[form]} 之间的整数，这里是“{value}”")
        amount = value
    label = spec.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _invalid(file, where, "缺少 label（时限的中文名称，如“当日核实上报”）")
    reference = spec.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise _invalid(file, where, "缺少 reference（时限的依据：文件名称、文号和条款；没有依据的写明“平台默认值”）")
    photo = spec.get("photo_required", False)
    if not isinstance(photo, bool):
        raise _invalid(file, where, "photo_required 只能写 true 或 false")
    return DeadlineRule(
        label=label.strip(),
        reference=reference.strip(),
        form=form,
        amount=amount,
        source=f"{file} {where}".strip(),
        photo_required=photo,
    )


@dataclass(frozen=True)
class KindRules:
    kind: str
    rule: DeadlineRule
    variants: dict[str, DeadlineRule] = field(default_factory=dict)


def _kinds() -> set[str]:
    from jiuzhu.workorders.models import WorkOrder

    return set(WorkOrder.Kind.values)


def load_file(path: Path) -> dict[str, KindRules]:
    """One deadlines.yaml, validated: the rules it sets, by kind."""
    file = f"{path.parent.name}/{FILE}"
    doc = yamlsrc.load_config(path, TOP_KEYS, _invalid, shape="内容应为键值对，至少有 kinds 一项")
    kinds = doc.get("kinds")
    if not isinstance(kinds, dict):
        raise _invalid(
            file,
            yamlsrc.line_label(doc, "kinds"),
            "kinds 应为按工单类型列出的时限，如 kinds: {grid_lead: {same_day: true, …}}",
        )
    known = _kinds()
    found: dict[str, KindRules] = {}
    for kind, spec in kinds.items():
        where = f"kinds.{kind}（{yamlsrc.line_label(kinds, kind)}）"
        if kind not in known:
            raise _invalid(file, where, f"不认识的工单类型“{kind}”；可用的类型：{'、'.join(sorted(known))}")
        rule = parse_rule(spec, file=file, where=where)
        variants = {}
        raw = spec.get("variants") or {}
        if not isinstance(raw, dict):
            raise _invalid(file, where, "variants 应为键值对，如 variants: {green: {months: 6, …}}")
        for name, vspec in raw.items():
            vwhere = f"kinds.{kind}.variants.{name}（{yamlsrc.line_label(raw, name)}）"
            if isinstance(vspec, dict) and "variants" in vspec:
                raise _invalid(file, vwhere, "变体里不能再有 variants")
            variants[str(name)] = parse_rule(vspec, file=file, where=vwhere)
        found[str(kind)] = KindRules(kind=str(kind), rule=rule, variants=variants)
    return found


def _merged_rules(files: list[Path]) -> dict[str, KindRules]:
    merged: dict[str, KindRules] = {}
    for path in reversed(files):  # national first, the locality last: a child overrides per kind
        merged |= load_file(path)
    return merged


# Every kind's rules for a locality: its own deadlines.yaml over its parents', kind by kind.
rules = ChainedFile(FILE, _merged_rules)


def clear_cache() -> None:
    rules.clear()
    pack_chain.cache_clear()


def resolve_locality(locality: str | None) -> str:
    """The pack folder of a locality (folder name, code or division code); None means the platform's own."""
    from jiuzhu.policy.localities import home_locality, pack_for

    return home_locality() if locality is None else pack_for(locality)


def rule_for(kind: str, *, locality: str | None = None, variant: str | None = None) -> DeadlineRule:
    """The locality's rule for a work-order kind (None: the platform's home locality). `variant` picks a variant
    of the kind where one is configured (e.g. a review by the household's colour), else the kind's rule."""
    if kind not in _kinds():
        raise WorkOrderError(E.UNKNOWN_KIND, kind=kind)
    folder = resolve_locality(locality)
    found = rules(folder).get(kind)
    if found is None:
        raise WorkOrderError(E.NO_DEADLINE, locality=folder, kind=kind)
    if variant and variant in found.variants:
        return found.variants[variant]
    return found.rule
