"""How each programme is handled, as configuration: workflows.yaml beside a locality's pack.yaml.

    policies/<folder>/workflows.yaml
      notes: …
      residence_applications: true          # 居住地申请 allowed (57号 第五条; Yunnan since 2022)
      materials_on_file:                    # materials the platform already holds, never asked for again (57号 第十条)
        户口簿: household_on_file             # a material whose text contains the key is held when the check holds
      workflows:
        dibao:
          label: 最低生活保障审核确认
          reference: 民发〔2021〕57号
          programmes: [dibao, dibao_single, marginal]
          steps: [investigation, verification, appraisal, review, notice, approval]
          appraisal: when_contested          # always | when_contested | never   (民主评议)
          approval_by: district              # district | street (审核确认权限下放)
          min_investigators: 2
          spot_check_ratio: 0                # 特困: 0.3 (43号 第十六条)
          verification_valid_days: 90        # an older completed verification blocks a decision
          notice_days: 7
          advance: false                     # 先行救助 (emergency temporary aid)
          limits:                            # deadlines.yaml forms; `from: accepted` counts from acceptance
            total: {working_days: 30, label: …, reference: …}
            total_extended: {working_days: 45, …}
            total_delegated: {working_days: 20, …}
            investigation: {working_days: 3, start_only: true, …}
            approval: {working_days: 10, …}
            refusal_letter: {working_days: 3, …}
            advance: {hours: 24, …}
      referrals:                            # programmes other departments run: a referral, not a case
        medical_aid: {department: medical_insurance, need: 医疗救助}

A child pack's file overrides its parent's workflow by name (whole workflow), referral by programme, and top-level
settings one by one. Malformed files are refused with the file, the place and a Chinese message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.core.workdays import CalendarError, china_date, end_of_day
from jiuzhu.policy import yamlsrc
from jiuzhu.policy.packs import ChainedFile
from jiuzhu.workorders.deadlines import DeadlineRule, parse_rule
from jiuzhu.workorders.errors import WorkOrderError

FILE = "workflows.yaml"
STEPS = ("investigation", "verification", "appraisal", "review", "notice", "approval")
STEP_LABELS = {
    "investigation": "入户调查",
    "verification": "家庭经济状况核对",
    "appraisal": "民主评议",
    "review": "街道（乡镇）审核",
    "notice": "公示",
    "approval": "审批（审核确认）",
}
LIMIT_NAMES = {*STEPS, "total", "total_extended", "total_delegated", "refusal_letter", "advance"}
APPRAISAL_MODES = ("always", "when_contested", "never")
ON_FILE_CHECKS = ("household_on_file", "id_numbers_on_file", "disability_on_file", "authorization_signed")
WORKFLOW_KEYS = {
    "label",
    "reference",
    "programmes",
    "steps",
    "appraisal",
    "approval_by",
    "min_investigators",
    "spot_check_ratio",
    "verification_valid_days",
    "notice_days",
    "advance",
    "limits",
}
TOP_KEYS = {"name", "notes", "residence_applications", "materials_on_file", "workflows", "referrals"}


def due_or_provisional(rule: DeadlineRule, start: datetime) -> tuple[datetime, str]:
    """The due time, and a note when it had to be reckoned without the holidays of a year the calendar does not know
    yet (Monday to Friday counted as working days: never later than the true limit but for make-up Saturdays).
    An application accepted in December must not wait for next year's holiday schedule to be loaded."""
    try:
        return rule.due(start), ""
    except CalendarError as exc:
        day, counted = china_date(start), 0
        while counted < rule.amount:
            day += timedelta(days=1)
            counted += day.weekday() < 5
        return end_of_day(day), f"（{exc.params.get('year')}年节假日未载入，暂按周一至周五计）"


@dataclass(frozen=True)
class Limit:
    rule: DeadlineRule
    from_accepted: bool = False
    start_only: bool = False

    def due(self, *, accepted_at: datetime, step_started_at: datetime) -> tuple[datetime, str]:
        return due_or_provisional(self.rule, accepted_at if self.from_accepted else step_started_at)


@dataclass(frozen=True)
class Workflow:
    name: str
    label: str
    reference: str
    programmes: tuple[str, ...]
    steps: tuple[str, ...]
    appraisal: str = "when_contested"
    approval_by: str = "district"
    min_investigators: int = 2
    spot_check_ratio: float = 0.0
    verification_valid_days: int = 90
    notice_days: int = 7
    advance: bool = False
    limits: dict[str, Limit] = field(default_factory=dict)
    source: str = ""

    def limit(self, name: str) -> Limit | None:
        return self.limits.get(name)

    def required_steps(self, *, contested: bool) -> list[str]:
        """The steps a case must pass, in order (民主评议 only where configured or contested)."""
        steps = []
        for step in self.steps:
            if step == "appraisal" and (
                self.appraisal == "never" or (self.appraisal == "when_contested" and not contested)
            ):
                continue
            steps.append(step)
        return steps


@dataclass(frozen=True)
class Referral:
    programme: str
    department: str
    need: str


@dataclass(frozen=True)
class Config:
    residence_applications: bool
    materials_on_file: dict[str, str]
    workflows: dict[str, Workflow]
    referrals: dict[str, Referral]

    def workflow_for(self, programme: str) -> Workflow | None:
        return next((w for w in self.workflows.values() if programme in w.programmes), None)


def _invalid(file: str, where: str, problem: str) -> CaseError:
    return CaseError(E.CONFIG_INVALID, file=file, where=where, problem=problem)


def _limit(spec, *, file: str, where: str) -> Limit:
    if not isinstance(spec, dict):
        raise _invalid(file, where, "时限应写成键值对，如 {working_days: 10, label: …, reference: …}")
    extra = {k: spec[k] for k in ("from", "start_only") if k in spec}
    base = {k: v for k, v in spec.items() if k not in extra}
    if extra.get("from", "step") not in ("step", "accepted"):
        raise _invalid(file, where, "from 只能写 step（自本环节开始起算）或 accepted（自受理之日起算）")
    if not isinstance(extra.get("start_only", False), bool):
        raise _invalid(file, where, "start_only 只能写 true 或 false")
    try:
        rule = parse_rule(base, file=file, where=where)
    except WorkOrderError as exc:
        raise _invalid(file, where, exc.params.get("problem", exc.message)) from None
    return Limit(rule=rule, from_accepted=extra.get("from") == "accepted", start_only=extra.get("start_only", False))


def _workflow(name: str, spec, *, file: str, where: str) -> Workflow:
    if not isinstance(spec, dict):
        raise _invalid(file, where, "每个流程应为键值对")
    unknown = sorted(str(k) for k in spec if k not in WORKFLOW_KEYS)
    if unknown:
        raise _invalid(file, where, f"不认识的项目 {'、'.join(unknown)}；可用：{'、'.join(sorted(WORKFLOW_KEYS))}")
    programmes = spec.get("programmes")
    if not isinstance(programmes, list) or not programmes:
        raise _invalid(file, where, "programmes 应列出适用的救助项目代码，如 [dibao, marginal]")
    steps = spec.get("steps")
    if not isinstance(steps, list) or not steps:
        raise _invalid(file, where, f"steps 应按顺序列出环节，可用：{'、'.join(STEPS)}")
    for step in steps:
        if step not in STEPS:
            raise _invalid(file, where, f"不认识的环节“{step}”；可用：{'、'.join(STEPS)}")
    if len(set(steps)) != len(steps) or steps[-1] != "approval":
        raise _invalid(file, where, "环节不能重复，且最后一个环节须为 approval（审批）")
    appraisal = spec.get("appraisal", "when_contested")
    if appraisal not in APPRAISAL_MODES:
        raise _invalid(file, where, f"appraisal 只能是 {'、'.join(APPRAISAL_MODES)}")
    approval_by = spec.get("approval_by", "district")
    if approval_by not in ("district", "street"):
        raise _invalid(file, where, "approval_by 只能是 district（区县审批）或 street（下放街道乡镇）")
    numbers = {}
    for key, low, high, default in (
        ("min_investigators", 1, 10, 2),
        ("verification_valid_days", 1, 3650, 90),
        ("notice_days", 0, 60, 7),
    ):
        value = spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _invalid(file, where, f"{key} 应为 {low} 到 {high} 之间的整数，这里是“{value}”")
        numbers[key] = value
    ratio = spec.get("spot_check_ratio", 0)
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise _invalid(file, where, f"spot_check_ratio 应为 0 到 1 之间的比例，这里是“{ratio}”")
    limits_in = spec.get("limits") or {}
    if not isinstance(limits_in, dict):
        raise _invalid(file, where, "limits 应按名称列出时限")
    limits = {}
    for key, lspec in limits_in.items():
        lwhere = f"{where}.limits.{key}（{yamlsrc.line_label(limits_in, key)}）"
        if key not in LIMIT_NAMES:
            raise _invalid(file, lwhere, f"不认识的时限“{key}”；可用：{'、'.join(sorted(LIMIT_NAMES))}")
        limits[str(key)] = _limit(lspec, file=file, where=lwhere)
    if "total" not in limits:
        raise _invalid(file, where, "须配置 limits.total（自受理之日起的办结时限）")
    if spec.get("advance") and "advance" not in limits:
        raise _invalid(file, where, "允许先行救助（advance: true）时须配置 limits.advance（先行救助时限）")
    return Workflow(
        name=name,
        label=str(spec.get("label") or name),
        reference=str(spec.get("reference") or ""),
        programmes=tuple(str(p) for p in programmes),
        steps=tuple(steps),
        appraisal=appraisal,
        approval_by=approval_by,
        spot_check_ratio=float(ratio),
        advance=bool(spec.get("advance", False)),
        limits=limits,
        source=f"{file} {where}",
        **numbers,
    )


def load_file(path) -> dict:
    """One workflows.yaml, validated: what it sets."""
    file = f"{path.parent.name}/{FILE}"
    doc = yamlsrc.load_config(path, TOP_KEYS, _invalid)
    found: dict = {"workflows": {}, "referrals": {}}
    if "residence_applications" in doc:
        if not isinstance(doc["residence_applications"], bool):
            raise _invalid(
                file, yamlsrc.line_label(doc, "residence_applications"), "residence_applications 只能写 true 或 false"
            )
        found["residence_applications"] = doc["residence_applications"]
    if "materials_on_file" in doc:
        on_file = doc["materials_on_file"]
        if not isinstance(on_file, dict):
            raise _invalid(
                file, yamlsrc.line_label(doc, "materials_on_file"), "materials_on_file 应为“材料关键词: 核验方式”"
            )
        for key, check in on_file.items():
            if check not in ON_FILE_CHECKS:
                raise _invalid(
                    file,
                    f"materials_on_file.{key}（{yamlsrc.line_label(on_file, key)}）",
                    f"不认识的核验方式“{check}”；可用：{'、'.join(ON_FILE_CHECKS)}",
                )
        found["materials_on_file"] = {str(k): str(v) for k, v in on_file.items()}
    workflows = doc.get("workflows") or {}
    if not isinstance(workflows, dict):
        raise _invalid(file, yamlsrc.line_label(doc, "workflows"), "workflows 应按名称列出流程")
    for name, spec in workflows.items():
        where = f"workflows.{name}（{yamlsrc.line_label(workflows, name)}）"
        found["workflows"][str(name)] = None if spec is None else _workflow(str(name), spec, file=file, where=where)
    referrals = doc.get("referrals") or {}
    if not isinstance(referrals, dict):
        raise _invalid(file, yamlsrc.line_label(doc, "referrals"), "referrals 应按项目列出承办部门")
    for programme, spec in referrals.items():
        where = f"referrals.{programme}（{yamlsrc.line_label(referrals, programme)}）"
        if spec is None:
            found["referrals"][str(programme)] = None
            continue
        if not isinstance(spec, dict) or not spec.get("department") or not spec.get("need"):
            raise _invalid(file, where, "应写成 {department: 部门代码, need: 转介事项}")
        found["referrals"][str(programme)] = Referral(str(programme), str(spec["department"]), str(spec["need"]))
    return found


def _merged(files) -> Config:
    merged: dict = {"residence_applications": False, "materials_on_file": {}, "workflows": {}, "referrals": {}}
    for path in reversed(files):
        part = load_file(path)
        if "residence_applications" in part:
            merged["residence_applications"] = part["residence_applications"]
        merged["materials_on_file"] |= part.get("materials_on_file", {})
        merged["workflows"] |= part["workflows"]
        merged["referrals"] |= part["referrals"]
    return Config(
        residence_applications=merged["residence_applications"],
        materials_on_file=merged["materials_on_file"],
        workflows={k: v for k, v in merged["workflows"].items() if v is not None},
        referrals={k: v for k, v in merged["referrals"].items() if v is not None},
    )


# The locality's handling configuration: its own workflows.yaml over its parents' (national last).
config = ChainedFile(FILE, _merged)
clear_cache = config.clear
