"""The household-facts document (家庭情况) and the columns the rule language reads from it.

A document is what an applicant, a clerk or a caller of the API says about a household; `validate_facts`
checks it whole and lists every problem in Chinese (a member born after the decision date, a negative
income, a disability grade that does not exist …); `facts_rows` turns it into one household row and one row per
member, the two tables the compiled rules run on. The same columns come from the registry for the whole
population, so one household and a million are decided by the same query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from jiuzhu.core.parsing import parse_amount, parse_date
from jiuzhu.policy.errors import FactsInvalid
from jiuzhu.registry import choices as c

Level = Literal["household", "member"]
DType = Literal["number", "integer", "bool", "string"]


@dataclass(frozen=True)
class FactField:
    """One column the rule language can name: at household or member level, with a Chinese label."""

    name: str
    level: Level
    dtype: DType
    label: str
    choices: tuple[str, ...] = ()


INCOME_CATEGORIES = tuple(c.IncomeCategory.values)
EXPENSE_CATEGORIES = tuple(c.ExpenseCategory.values)
PROGRAMME_CODES = tuple(c.Programme.values)
SITUATIONS = tuple(c.Situation.values)
EMERGENCY_KINDS = ("", "accident", "traffic_accident", "fire", "disaster", "illness", "other")


def _member_fields() -> list[FactField]:
    m: Level = "member"
    fields = [
        FactField("age", m, "integer", "年龄（周岁，按决定日期计算）"),
        FactField("sex", m, "string", "性别", tuple(c.Sex.values)),
        FactField("relation", m, "string", "与户主关系", tuple(c.Relation.values)),
        FactField("labor_capacity", m, "string", "劳动能力", tuple(c.LaborCapacity.values)),
        FactField("disability_kind", m, "string", "残疾类别", ("", *c.DisabilityKind.values)),
        FactField("disability_grade", m, "integer", "残疾等级（0 为无）"),
        FactField("serious_illness", m, "bool", "患重病/重特大疾病"),
        FactField("chronic_illness", m, "bool", "患慢性病"),
        FactField("employment", m, "string", "就业状况", ("", *c.Employment.values)),
        FactField("school_stage", m, "string", "在学阶段", tuple(c.SchoolStage.values)),
        FactField("self_care_failed", m, "integer", "六项生活自理指标中不能达到的项数"),
        FactField("supporter_able", m, "bool", "有能履行义务的法定赡养/抚养/扶养人"),
        FactField("institutional", m, "bool", "集中供养（住在供养机构）"),
    ]
    fields += [FactField(f"is_{s}", m, "bool", str(c.Situation(s).label)) for s in SITUATIONS]
    fields += [
        FactField(f"income_{k}", m, "number", f"{c.IncomeCategory(k).label}（元/月）") for k in INCOME_CATEGORIES
    ]
    fields += [FactField(f"on_{p}", m, "bool", f"本人正在享受{c.Programme(p).label}") for p in PROGRAMME_CODES]
    return fields


def _household_fields() -> list[FactField]:
    h: Level = "household"
    fields = [
        FactField("area_type", h, "string", "城乡类别", tuple(c.AreaType.values)),
        FactField("financial_assets", h, "number", "金融资产合计（存款、证券、保险、互联网金融、债权，元）"),
        FactField("vehicles", h, "integer", "机动车辆数（不含残疾人代步车）"),
        FactField("vehicles_exempt", h, "integer", "残疾人机动轮椅车/代步车数"),
        FactField("vehicle_value_max", h, "number", "单辆机动车最高价值（元，不含豁免车辆）"),
        FactField("vehicle_bought_12m_value_max", h, "number", "近12个月购买的机动车最高价格（元）"),
        FactField("homes", h, "integer", "住房套数"),
        FactField("non_residential_properties", h, "integer", "非住宅房产数"),
        FactField("business_registrations", h, "integer", "市场主体（工商）登记数"),
        FactField("business_capital", h, "number", "认缴出资合计（元）"),
        FactField("emergency_kind", h, "string", "急难情形", EMERGENCY_KINDS),
        FactField("emergency_loss", h, "number", "急难造成的损失或支出（元）"),
        FactField("hardship_months", h, "integer", "困难预计持续月数"),
        FactField("exit_months", h, "integer", "因就业收入超过标准后已过月数（渐退）"),
        FactField("previous_benefit", h, "number", "收入超标前的月低保金（元）"),
    ]
    fields += [
        FactField(f"expense_{k}_12m", h, "number", f"近12个月{c.ExpenseCategory(k).label}（元）")
        for k in EXPENSE_CATEGORIES
    ]
    fields += [FactField(f"on_{p}", h, "bool", f"家庭正在享受{c.Programme(p).label}") for p in PROGRAMME_CODES]
    return fields


MEMBER_FIELDS = {f.name: f for f in _member_fields()}
HOUSEHOLD_FIELDS = {f.name: f for f in _household_fields()}


# --- The document ------------------------------------------------------------------------------------------


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _amount(value: Any) -> Decimal:
    amount = parse_amount(value)
    if amount < 0:
        raise ValueError("金额不能为负数")
    if amount >= Decimal("1e10"):
        raise ValueError("金额过大，请检查单位（元）")
    return amount


Amount = Annotated[Decimal, BeforeValidator(_amount)]


class Disability(_Doc):
    kind: c.DisabilityKind
    grade: Literal[1, 2, 3, 4]


class MemberFacts(_Doc):
    id: str | None = Field(None, max_length=40, description="文档内的成员编号（可选）")
    name: str | None = Field(None, max_length=50)
    relation: c.Relation = c.Relation.OTHER
    birth_date: date | None = None
    age: int | None = Field(None, ge=0, le=130)
    sex: c.Sex | None = None
    labor_capacity: c.LaborCapacity = c.LaborCapacity.FULL
    disability: Disability | None = None
    serious_illness: bool = False
    chronic_illness: bool = False
    employment: c.Employment | Literal[""] = ""
    school_stage: c.SchoolStage = c.SchoolStage.NONE
    self_care_failed: int = Field(0, ge=0, le=6)
    supporter_able: bool = True
    institutional: bool = False
    situations: list[c.Situation] = []
    income: dict[c.IncomeCategory, Amount] = {}
    receives: list[c.Programme] = []

    @field_validator("birth_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return None if v in (None, "") else parse_date(v)

    @model_validator(mode="after")
    def _age_given(self) -> MemberFacts:
        if self.birth_date is None and self.age is None:
            raise ValueError("请填写出生日期或年龄")
        return self


class Vehicle(_Doc):
    kind: c.VehicleKind = c.VehicleKind.CAR
    value: Amount = Decimal(0)
    bought_within_12_months: bool = False


class Assets(_Doc):
    financial: Amount = Decimal(0)
    vehicles: list[Vehicle] = []
    homes: int = Field(0, ge=0, le=100)
    non_residential_properties: int = Field(0, ge=0, le=100)
    business_registrations: int = Field(0, ge=0, le=100)
    business_capital: Amount = Decimal(0)


class Emergency(_Doc):
    kind: Literal[EMERGENCY_KINDS] = ""  # type: ignore[valid-type]
    loss: Amount = Decimal(0)
    months: int = Field(1, ge=1, le=24)


class GradualExit(_Doc):
    months: int = Field(0, ge=0, le=120, description="因就业收入超过低保标准后已过的月数")
    previous_benefit: Amount = Decimal(0)


class HouseholdFacts(_Doc):
    """家庭情况: who lives together, what they earn, own and spend, and what they already receive."""

    area_type: c.AreaType = c.AreaType.URBAN
    members: list[MemberFacts] = Field(min_length=1, max_length=30)
    assets: Assets = Assets()
    expenses_12m: dict[c.ExpenseCategory, Amount] = {}
    receives: list[c.Programme] = []
    emergency: Emergency = Emergency()
    gradual_exit: GradualExit = GradualExit()


# --- Validation with every problem in Chinese ----------------------------------------------------------------

_FIELD_LABELS = {
    "area_type": "城乡类别",
    "members": "家庭成员",
    "id": "成员编号",
    "name": "姓名",
    "relation": "与户主关系",
    "birth_date": "出生日期",
    "age": "年龄",
    "sex": "性别",
    "labor_capacity": "劳动能力",
    "disability": "残疾情况",
    "kind": "类别",
    "grade": "残疾等级",
    "serious_illness": "重病",
    "chronic_illness": "慢性病",
    "employment": "就业状况",
    "school_stage": "在学阶段",
    "self_care_failed": "生活自理不能达到的项数",
    "supporter_able": "法定义务人履行能力",
    "institutional": "集中供养",
    "situations": "特殊情形",
    "income": "收入",
    "receives": "正在享受的救助",
    "assets": "财产",
    "financial": "金融资产",
    "vehicles": "车辆",
    "value": "价值",
    "bought_within_12_months": "近12个月购买",
    "homes": "住房套数",
    "non_residential_properties": "非住宅房产数",
    "business_registrations": "工商登记数",
    "business_capital": "认缴出资",
    "expenses_12m": "近12个月刚性支出",
    "emergency": "急难情况",
    "loss": "损失或支出",
    "months": "月数",
    "gradual_exit": "渐退情况",
    "previous_benefit": "原低保金",
    "as_of": "决定日期",
}

_MESSAGES = {
    "missing": "必须填写",
    "extra_forbidden": "不认识的项目，请检查拼写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 是(true) 或 否(false)",
    "bool_type": "应为 是(true) 或 否(false)",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_too_long": "最多 {max_length} 个字",
    "enum": "不是可选的值（可选：{expected}）",
    "literal_error": "不是可选的值（可选：{expected}）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "string_type": "应为文字",
    "date_from_datetime_parsing": "日期应写成 2024-03-05",
    "date_parsing": "日期应写成 2024-03-05",
    "date_type": "日期应写成 2024-03-05",
}


def _where(loc: tuple[Any, ...], doc: Any) -> str:
    parts: list[str] = []
    node = doc
    for i, key in enumerate(loc):
        if isinstance(key, int):
            name = None
            if isinstance(node, list) and 0 <= key < len(node) and isinstance(node[key], dict):
                name = node[key].get("name")
            prev = loc[i - 1] if i else None
            noun = f"第{key + 1}名成员" if prev == "members" else f"第{key + 1}项"
            parts.append(f"{noun}（{name}）" if name else noun)
            node = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
        else:
            if key in ("function-after", "function-before", "function-wrap") or str(key).startswith("function-"):
                continue
            label = _FIELD_LABELS.get(str(key))
            if label is None and parts and parts[-1] in ("收入", "近12个月刚性支出"):
                label = _category_label(str(key))
            parts.append(label or str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " · ".join(parts) or "家庭情况"


def _category_label(key: str) -> str | None:
    for enum in (c.IncomeCategory, c.ExpenseCategory):
        if key in enum.values:
            return str(enum(key).label)
    return None


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = {k: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v) for k, v in (err.get("ctx") or {}).items()}
    if "expected" in ctx:
        options = str(ctx["expected"]).replace(" or ", ", ").replace("'", "").split(", ")
        ctx["expected"] = "、".join(o if o else "空（无）" for o in options)
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(err["msg"])
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def validate_facts(document: Any, *, as_of: date) -> HouseholdFacts:
    """The household-facts document, checked whole; FactsInvalid lists every problem in Chinese."""
    problems: list[dict[str, str]] = []

    def add(loc: tuple[Any, ...], problem: str) -> None:
        problems.append({"field": ".".join(map(str, loc)), "where": _where(loc, document), "problem": problem})

    facts = None
    try:
        facts = HouseholdFacts.model_validate(document)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            # A key pydantic could not match against an enum-keyed dict reports as "<key>.[key]".
            add(tuple(k for k in err["loc"] if k != "[key]"), _message(err))
    members = list(enumerate(facts.members)) if facts else _members_that_validate(document)
    for i, member in members:
        for field, problem in _member_contradictions(member, as_of):
            add(("members", i, field), problem)
    if facts is not None:
        heads = sum(1 for m in facts.members if m.relation == c.Relation.HEAD)
        if heads > 1:
            add(("members",), f"一户只能有一名户主，现有 {heads} 名")
        ids = [m.id for m in facts.members if m.id]
        if len(ids) != len(set(ids)):
            add(("members",), "成员编号重复")
    if problems:
        raise FactsInvalid(problems)
    assert facts is not None
    return facts


def _members_that_validate(document: Any) -> list[tuple[int, MemberFacts]]:
    """When the document as a whole is refused, still check each member that is well-formed on its own."""
    raw = document.get("members") if isinstance(document, dict) else None
    found = []
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        try:
            found.append((i, MemberFacts.model_validate(entry)))
        except ValidationError:
            continue
    return found


def _member_contradictions(member: MemberFacts, as_of: date) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if member.birth_date is not None:
        if member.birth_date > as_of:
            found.append(("birth_date", f"出生日期 {member.birth_date} 晚于决定日期 {as_of}，年龄不能小于零"))
        elif member.age is not None and member.age != age_on(member.birth_date, as_of):
            found.append(("age", f"年龄 {member.age} 与出生日期不符（应为 {age_on(member.birth_date, as_of)} 岁）"))
    if member.labor_capacity == c.LaborCapacity.FULL and member.self_care_failed >= 4:
        found.append(("labor_capacity", "完全丧失生活自理能力的成员不能登记为“有劳动能力”"))
    return found


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- Rows for the engine ------------------------------------------------------------------------------------


def member_row(member: MemberFacts, *, as_of: date) -> dict[str, Any]:
    row: dict[str, Any] = {
        "age": age_on(member.birth_date, as_of) if member.birth_date else member.age,
        "sex": member.sex.value if member.sex else "",
        "relation": member.relation.value,
        "labor_capacity": member.labor_capacity.value,
        "disability_kind": member.disability.kind.value if member.disability else "",
        "disability_grade": member.disability.grade if member.disability else 0,
        "serious_illness": member.serious_illness,
        "chronic_illness": member.chronic_illness,
        "employment": member.employment.value if member.employment else "",
        "school_stage": member.school_stage.value,
        "self_care_failed": member.self_care_failed,
        "supporter_able": member.supporter_able,
        "institutional": member.institutional,
    }
    row |= {f"is_{s}": s in member.situations for s in SITUATIONS}
    row |= {f"income_{k}": float(member.income.get(k, 0)) for k in INCOME_CATEGORIES}
    row |= {f"on_{p}": p in member.receives for p in PROGRAMME_CODES}
    return row


def household_row(facts: HouseholdFacts) -> dict[str, Any]:
    counted = [v for v in facts.assets.vehicles if v.kind != c.VehicleKind.DISABILITY]
    row: dict[str, Any] = {
        "area_type": facts.area_type.value,
        "financial_assets": float(facts.assets.financial),
        "vehicles": len(counted),
        "vehicles_exempt": len(facts.assets.vehicles) - len(counted),
        "vehicle_value_max": float(max((v.value for v in counted), default=0)),
        "vehicle_bought_12m_value_max": float(max((v.value for v in counted if v.bought_within_12_months), default=0)),
        "homes": facts.assets.homes,
        "non_residential_properties": facts.assets.non_residential_properties,
        "business_registrations": facts.assets.business_registrations,
        "business_capital": float(facts.assets.business_capital),
        "emergency_kind": facts.emergency.kind,
        "emergency_loss": float(facts.emergency.loss),
        "hardship_months": facts.emergency.months,
        "exit_months": facts.gradual_exit.months,
        "previous_benefit": float(facts.gradual_exit.previous_benefit),
    }
    row |= {f"expense_{k}_12m": float(facts.expenses_12m.get(k, 0)) for k in EXPENSE_CATEGORIES}
    receiving = set(facts.receives) | {p for m in facts.members for p in m.receives}
    row |= {f"on_{p}": p in receiving for p in PROGRAMME_CODES}
    return row


def facts_rows(facts: HouseholdFacts, *, as_of: date, household_id: int = 1) -> tuple[dict, list[dict]]:
    """One household row and its member rows, keyed by hh_id and member_no (1-based, in document order)."""
    household = {"hh_id": household_id, **household_row(facts)}
    members = [
        {"hh_id": household_id, "member_no": i + 1, **member_row(m, as_of=as_of)} for i, m in enumerate(facts.members)
    ]
    # What the household receives, each member receives with it: receives("dibao") reads the same for a person.
    for row in members:
        for p in facts.receives:
            row[f"on_{p}"] = True
    return household, members
