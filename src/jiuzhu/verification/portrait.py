"""The economic portrait of a household (家庭经济状况画像) as of a date, and its comparison: declared vs department.

Everything is computed from the household's evidence records (registry: IncomeRecord, AssetRecord, ExpenseRecord),
each of which says where it came from: 申报 (declared by the applicant), 部门 (a department's data, with the feed
batch and row it was derived from) or 入户调查 (the home investigation).

The 12-month window
    The 12 calendar months ending with the month of `as_of`, cut off at `as_of` (a record that begins after `as_of`
    is not seen). A *monthly* record counts its amount in every month of the window it holds on at least one day;
    an *annual* record counts a twelfth of its amount in each such month; a *one-off* record counts once, in the
    month of its `valid_from`. Incomes of the kinds 57号 第十三条 excludes (优抚, 计生奖扶, 社会救助款物, 基础养老金,
    地方规定) are listed but never summed.

Totals are kept per source and never mixed: the declared total, the department total and the investigation total
are three different statements about the same household.

The comparison
    *Income*, per category and member (or for the whole household when the declaration names no member): the monthly
    amount on `as_of` (monthly records holding that day, plus annual ÷ 12) that departments report vs the one
    declared; and the one-off amounts of the window. *Financial assets* (deposits, securities, insurance, internet
    finance, claims), per kind and member: the department's value vs the declared value (only more than declared is
    a difference). *Vehicles, properties, business registrations*: every department item must match a declared item
    of the same kind (same plate / certificate / credit code when both give one, otherwise the same member).

The tolerance (settings, each also read from the environment variable of the same name)
    JIUZHU_VERIFICATION_TOLERANCE_RATE    0.10  a difference within 10 % of the larger amount is not flagged …
    JIUZHU_VERIFICATION_TOLERANCE_INCOME  100   … nor one within 100 元 (per month for incomes, 元 for one-offs) …
    JIUZHU_VERIFICATION_TOLERANCE_ASSET   1000  … nor, for financial assets, one within 1,000 元.
    A difference is flagged only when it exceeds both: |a − b| > max(absolute, rate × max(a, b)).

The result is plain JSON (amounts as strings with two decimals, dates ISO) so that it can be frozen as it is.
"""

from __future__ import annotations

import os
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from jiuzhu.core.masking import mask_id_number
from jiuzhu.registry import choices as c
from jiuzhu.registry.models import Household

CENT = Decimal("0.01")
ZERO = Decimal("0")
WINDOW_MONTHS = 12
SOURCES = [c.EvidenceSource.DECLARED, c.EvidenceSource.DEPARTMENT, c.EvidenceSource.INVESTIGATION]
FINANCIAL_KINDS = [
    c.AssetKind.DEPOSIT,
    c.AssetKind.SECURITIES,
    c.AssetKind.INSURANCE,
    c.AssetKind.INTERNET_FINANCE,
    c.AssetKind.CLAIM,
]
ITEM_KINDS = [c.AssetKind.VEHICLE, c.AssetKind.PROPERTY, c.AssetKind.BUSINESS, c.AssetKind.OTHER]
COUNTED_INCOME = [v for v in c.IncomeCategory.values if not v.startswith("excluded_")]
RECEIVED_INCOME = {"pension", "unemployment_benefit", "support_received", "transfer"}  # 领取; the others are 取得
DISABILITY_VEHICLE_EXEMPTION = "残疾人机动轮椅车/代步车，认定家庭财产时豁免"


# --- Tolerance ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    rate: Decimal = Decimal("0.10")
    income_yuan: Decimal = Decimal("100")
    asset_yuan: Decimal = Decimal("1000")

    def differs(self, a: Decimal, b: Decimal, absolute: Decimal) -> bool:
        return abs(a - b) > max(absolute, self.rate * max(a, b))

    def as_json(self) -> dict:
        return {"rate": str(self.rate), "income_yuan": str(self.income_yuan), "asset_yuan": str(self.asset_yuan)}


def _setting(name: str, default: Decimal) -> Decimal:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    if value in ("", None):
        return default
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} should be a number, not {value!r}") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name} must not be negative")
    return number


def tolerance() -> Tolerance:
    base = Tolerance()
    return Tolerance(
        rate=_setting("JIUZHU_VERIFICATION_TOLERANCE_RATE", base.rate),
        income_yuan=_setting("JIUZHU_VERIFICATION_TOLERANCE_INCOME", base.income_yuan),
        asset_yuan=_setting("JIUZHU_VERIFICATION_TOLERANCE_ASSET", base.asset_yuan),
    )


# --- Small helpers ----------------------------------------------------------------------------------------------


def money(value: Decimal) -> str:
    """Two decimals, as stored in the snapshot: Decimal('1850') → '1850.00'."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def yuan(value: Decimal) -> str:
    """For sentences a clerk reads: Decimal('1850') → '1,850.00'."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def month_label(day: date) -> str:
    return f"{day.year}年{day.month}月"


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Month:
    key: str
    first: date
    last: date  # the month's last day, or as_of in the month of as_of

    @property
    def label(self) -> str:
        return month_label(self.first)


def window(as_of: date) -> list[Month]:
    """The 12 calendar months ending with the month of as_of, the last one cut at as_of."""
    months = []
    year, month = as_of.year, as_of.month
    for _ in range(WINDOW_MONTHS):
        first = date(year, month, 1)
        last = min(date(year, month, monthrange(year, month)[1]), as_of)
        months.append(Month(f"{year:04d}-{month:02d}", first, last))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def _overlaps(record, first: date, last: date) -> bool:
    return record.valid_from <= last and (record.valid_to is None or record.valid_to >= first)


def _per_month(record, months: list[Month]) -> dict[str, Decimal]:
    """What a dated amount (income or expense) contributes to each month of the window."""
    if record.period == c.Period.ONE_OFF:
        return {m.key: record.amount for m in months if m.first <= record.valid_from <= m.last}
    share = record.amount if record.period == c.Period.MONTHLY else record.amount / 12
    return {m.key: share for m in months if _overlaps(record, m.first, m.last)}


def _monthly_rate(record, as_of: date) -> Decimal:
    """The recurring monthly amount on as_of: monthly as is, annual ÷ 12, one-off nothing."""
    if record.period == c.Period.ONE_OFF or not record.holds_on(as_of):
        return ZERO
    return record.amount if record.period == c.Period.MONTHLY else record.amount / 12


def _who(record) -> str:
    return record.person.name if record.person_id else "全户"


def _source(record) -> dict:
    department = record.department.name if record.department_id else ""
    if record.source == c.EvidenceSource.DEPARTMENT:
        label = f"部门：{department}" if department else "部门数据"
    else:
        label = {"declared": "申报", "investigation": "入户调查"}.get(record.source, record.get_source_display())
    return {
        "source": record.source,
        "source_label": label,
        "department": department,
        "batch": record.source_batch,
        "row": record.source_row,
    }


def _dated(record) -> dict:
    return {
        "id": record.pk,
        "person_id": record.person_id,
        "person": _who(record),
        "valid_from": record.valid_from.isoformat(),
        "valid_to": record.valid_to.isoformat() if record.valid_to else "",
        "note": record.note,
        **_source(record),
    }


def _departments(records: Iterable) -> str:
    names: list[str] = []
    for r in records:
        name = r.department.name if r.department_id else "部门"
        if name not in names:
            names.append(name)
    return "、".join(names)


# --- The portrait -----------------------------------------------------------------------------------------------


def household_portrait(household: Household, *, as_of: date, tol: Tolerance | None = None) -> dict:
    """The portrait and the comparison, as plain JSON. Labels are Chinese whatever the reader's language."""
    tol = tol or tolerance()
    with translation.override("zh-hans"):
        months = window(as_of)
        members = _members(household, as_of)
        incomes = _relevant(household.incomerecord_records, months, as_of)
        assets = [
            r
            for r in household.assetrecord_records.select_related("person", "department").order_by("valid_from", "pk")
            if r.holds_on(as_of)
        ]
        expenses = _relevant(household.expenserecord_records, months, as_of)
        return {
            "as_of": as_of.isoformat(),
            "window": {
                "from": months[0].first.isoformat(),
                "to": as_of.isoformat(),
                "months": [{"key": m.key, "label": m.label} for m in months],
            },
            "household": {
                "id": household.pk,
                "number": household.number,
                "org_unit": household.org_unit.full_name(),
                "area_type": household.get_area_type_display(),
                "residence_address": household.residence_address,
                "hukou_address": household.hukou_address,
            },
            "members": members,
            "income": _income(incomes, months, as_of, len(members)),
            "assets": _assets(assets),
            "expenses": _expenses(expenses, months),
            "comparison": _comparison(incomes, assets, months, as_of, tol),
        }


def _members(household: Household, as_of: date) -> list[dict]:
    memberships = (
        household.memberships.filter(joined_on__lte=as_of)
        .exclude(left_on__lte=as_of)
        .select_related("person")
        .order_by("joined_on", "pk")
    )
    order = {value: i for i, value in enumerate(c.Relation.values)}
    rows = sorted(memberships, key=lambda m: (order.get(m.relation, 99), m.joined_on, m.pk))
    return [
        {
            "person_id": m.person_id,
            "name": m.person.name,
            "relation": m.get_relation_display(),
            "sex": m.person.get_sex_display(),
            "age": m.person.age_on(as_of),
            "id_number_masked": mask_id_number(m.person.id_number),
            "disability": (
                f"{m.person.get_disability_kind_display()}{m.person.get_disability_grade_display() or ''}"
                if m.person.disability_kind
                else ""
            ),
            "labor_capacity": m.person.get_labor_capacity_display(),
        }
        for m in rows
    ]


def _relevant(manager, months: list[Month], as_of: date) -> list:
    """Records that count in the window or hold on as_of; never one that begins after as_of."""
    records = manager.select_related("person", "department").order_by("valid_from", "pk")
    return [
        r
        for r in records
        if r.valid_from <= as_of and (_per_month(r, months) or (r.period != c.Period.ONE_OFF and r.holds_on(as_of)))
    ]


def _sum_by(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for key, value in pairs:
        totals[key] += value
    return totals


def _income(records: list, months: list[Month], as_of: date, size: int) -> dict:
    lines, per_record = [], {}
    for r in records:
        contributions = _per_month(r, months)
        per_record[r.pk] = contributions
        rate = _monthly_rate(r, as_of)
        lines.append(
            _dated(r)
            | {
                "category": r.category,
                "category_label": r.get_category_display(),
                "counted": r.category in COUNTED_INCOME,
                "amount": money(r.amount),
                "period": r.period,
                "period_label": r.get_period_display(),
                "monthly": money(rate) if r.period != c.Period.ONE_OFF else "",
                "window_total": money(sum(contributions.values(), ZERO)),
            }
        )
    by_source = {}
    for source in SOURCES:
        mine = [r for r in records if r.source == source and r.category in COUNTED_INCOME]
        if not mine:
            continue
        total = sum((v for r in mine for v in per_record[r.pk].values()), ZERO)
        by_category = _sum_by((r.category, v) for r in mine for v in per_record[r.pk].values())
        by_member = _sum_by((_who(r), v) for r in mine for v in per_record[r.pk].values())
        by_month = _sum_by(kv for r in mine for kv in per_record[r.pk].items())
        average = total / WINDOW_MONTHS
        by_source[source] = {
            "label": str(c.EvidenceSource(source).label),
            "total": money(total),
            "monthly_average": money(average),
            "per_capita_monthly": money(average / size) if size else "",
            "current_monthly": money(sum((_monthly_rate(r, as_of) for r in mine), ZERO)),
            "by_category": [
                {"category": k, "label": str(c.IncomeCategory(k).label), "total": money(by_category[k])}
                for k in COUNTED_INCOME
                if k in by_category
            ],
            "by_member": [{"person": k, "total": money(v)} for k, v in by_member.items()],
            "by_month": [{"key": m.key, "label": m.label, "total": money(by_month.get(m.key, ZERO))} for m in months],
        }
    return {"lines": lines, "by_source": by_source, "household_size": size}


def _asset_line(r) -> dict:
    exempt_reason = r.exempt_reason or (
        DISABILITY_VEHICLE_EXEMPTION if r.vehicle_kind == c.VehicleKind.DISABILITY else ""
    )
    return _dated(r) | {
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "vehicle_kind": r.vehicle_kind,
        "vehicle_kind_label": r.get_vehicle_kind_display() if r.vehicle_kind else "",
        "value": money(r.value) if r.value is not None else "",
        "quantity": str(r.quantity) if r.quantity is not None else "",
        "identifier": r.identifier,
        "description": r.description,
        "exempt": bool(exempt_reason),
        "exempt_reason": exempt_reason,
    }


def _assets(records: list) -> dict:
    lines = [_asset_line(r) for r in records]
    by_source = {}
    for source in SOURCES:
        mine = [line for line in lines if line["source"] == source]
        if not mine:
            continue
        counted = [line for line in mine if not line["exempt"]]
        by_source[source] = {
            "label": str(c.EvidenceSource(source).label),
            "financial_total": money(
                sum((Decimal(x["value"]) for x in counted if x["kind"] in FINANCIAL_KINDS and x["value"]), ZERO)
            ),
            "vehicles": sum(1 for x in counted if x["kind"] == c.AssetKind.VEHICLE),
            "exempt_vehicles": sum(1 for x in mine if x["kind"] == c.AssetKind.VEHICLE and x["exempt"]),
            "properties": sum(1 for x in counted if x["kind"] == c.AssetKind.PROPERTY),
            "businesses": sum(1 for x in counted if x["kind"] == c.AssetKind.BUSINESS),
        }
    return {"lines": lines, "by_source": by_source}


def _expenses(records: list, months: list[Month]) -> dict:
    lines, per_record = [], {}
    for r in records:
        contributions = _per_month(r, months)
        per_record[r.pk] = contributions
        lines.append(
            _dated(r)
            | {
                "category": r.category,
                "category_label": r.get_category_display(),
                "amount": money(r.amount),
                "period": r.period,
                "period_label": r.get_period_display(),
                "window_total": money(sum(contributions.values(), ZERO)),
            }
        )
    by_source = {}
    for source in SOURCES:
        mine = [r for r in records if r.source == source]
        if not mine:
            continue
        by_category = _sum_by((r.category, v) for r in mine for v in per_record[r.pk].values())
        by_source[source] = {
            "label": str(c.EvidenceSource(source).label),
            "total": money(sum(by_category.values(), ZERO)),
            "by_category": [
                {"category": k, "label": str(c.ExpenseCategory(k).label), "total": money(by_category[k])}
                for k in c.ExpenseCategory.values
                if k in by_category
            ],
        }
    return {"lines": lines, "by_source": by_source}


# --- The comparison ---------------------------------------------------------------------------------------------


def _groups(declared: list, department: list) -> list[tuple[str, list, list]]:
    """Per member, or one group for the whole household when any record of the kind names no member."""
    if any(r.person_id is None for r in declared + department):
        return [("该户", declared, department)]
    people: dict[int, str] = {}
    for r in department + declared:
        people.setdefault(r.person_id, r.person.name)
    return [
        (name, [r for r in declared if r.person_id == pid], [r for r in department if r.person_id == pid])
        for pid, name in people.items()
    ]


def _comparison(incomes: list, assets: list, months: list[Month], as_of: date, tol: Tolerance) -> dict:
    income_rows, asset_rows, flags = [], [], []
    first_day = months[0].first
    for category in COUNTED_INCOME:
        declared = [r for r in incomes if r.category == category and r.source == c.EvidenceSource.DECLARED]
        department = [r for r in incomes if r.category == category and r.source == c.EvidenceSource.DEPARTMENT]
        if not declared and not department:
            continue
        label = str(c.IncomeCategory(category).label)
        verb = "领取" if category in RECEIVED_INCOME else "取得"
        for who, mine, theirs in _groups(declared, department):
            recurring = [r for r in mine + theirs if r.period != c.Period.ONE_OFF and r.holds_on(as_of)]
            if recurring:
                row = _income_row(who, category, label, verb, mine, theirs, as_of, tol)
                income_rows.append(row)
                if row.get("flag"):
                    flags.append(row["flag"])
            one_offs = [r for r in mine + theirs if r.period == c.Period.ONE_OFF and first_day <= r.valid_from]
            if one_offs:
                row = _one_off_row(who, category, label, verb, mine, theirs, first_day, as_of, tol)
                income_rows.append(row)
                if row.get("flag"):
                    flags.append(row["flag"])
    for kind in FINANCIAL_KINDS:
        declared = [r for r in assets if r.kind == kind and r.source == c.EvidenceSource.DECLARED]
        department = [r for r in assets if r.kind == kind and r.source == c.EvidenceSource.DEPARTMENT]
        if not department:
            continue
        for who, mine, theirs in _groups(declared, department):
            if not theirs:
                continue
            row = _financial_row(who, kind, mine, theirs, tol)
            asset_rows.append(row)
            if row.get("flag"):
                flags.append(row["flag"])
    for row in _item_rows(assets):
        asset_rows.append(row)
        if row.get("flag"):
            flags.append(row["flag"])
    return {"tolerance": tol.as_json(), "income": income_rows, "assets": asset_rows, "flags": flags}


def _income_row(who, category, label, verb, mine, theirs, as_of, tol) -> dict:
    mine = [r for r in mine if r.period != c.Period.ONE_OFF]
    theirs = [r for r in theirs if r.period != c.Period.ONE_OFF]
    declared = sum((_monthly_rate(r, as_of) for r in mine), ZERO)
    department = sum((_monthly_rate(r, as_of) for r in theirs), ZERO)
    current = [r for r in theirs if _monthly_rate(r, as_of)]
    row = {
        "who": who,
        "category": category,
        "label": label,
        "basis": "monthly",
        "declared": money(declared),
        "department": money(department),
        "difference": money(department - declared),
        "departments": _departments(current or theirs),
        "batches": _lineage(current or theirs),
    }
    if not theirs:
        return row | {"status": "no_department_data"}
    if not tol.differs(declared, department, tol.income_yuan):
        return row | {"status": "match"}
    depts = _departments(current or theirs)
    if declared == 0:
        since = min(r.valid_from for r in current)
        text = f"{depts}数据显示 {who} {month_label(since)}起{verb}{label} {yuan(department)} 元/月，申报中未填写"
        kind = "income_undeclared"
    else:
        text = (
            f"{depts}数据显示 {who} {label} {yuan(department)} 元/月，申报为 {yuan(declared)} 元/月，"
            f"相差 {yuan(abs(department - declared))} 元/月"
        )
        kind = "income_difference"
    return row | {"status": "undeclared" if declared == 0 else "difference", "flag": {"kind": kind, "text": text}}


def _one_off_row(who, category, label, verb, mine, theirs, first_day, as_of, tol) -> dict:
    def in_window(records):
        return [r for r in records if r.period == c.Period.ONE_OFF and first_day <= r.valid_from <= as_of]

    mine, theirs = in_window(mine), in_window(theirs)
    declared = sum((r.amount for r in mine), ZERO)
    department = sum((r.amount for r in theirs), ZERO)
    row = {
        "who": who,
        "category": category,
        "label": label,
        "basis": "one_off",
        "declared": money(declared),
        "department": money(department),
        "difference": money(department - declared),
        "departments": _departments(theirs),
        "batches": _lineage(theirs),
    }
    if not theirs:
        return row | {"status": "no_department_data"}
    if not tol.differs(declared, department, tol.income_yuan):
        return row | {"status": "match"}
    depts = _departments(theirs)
    first = min(r.valid_from for r in theirs)
    when = day_label(first) if len(theirs) == 1 else f"{day_label(first)}起"
    if declared == 0:
        text = f"{depts}数据显示 {who} {when}{verb}一次性{label} {yuan(department)} 元，申报中未填写"
    else:
        text = (
            f"{depts}数据显示 {who} {when}{verb}一次性{label} 共 {yuan(department)} 元，申报为 {yuan(declared)} 元，"
            f"相差 {yuan(abs(department - declared))} 元"
        )
    status = "undeclared" if declared == 0 else "difference"
    return row | {"status": status, "flag": {"kind": f"income_one_off_{status}", "text": text}}


def _financial_row(who, kind, mine, theirs, tol) -> dict:
    label = str(c.AssetKind(kind).label)
    declared = sum((r.value or ZERO for r in mine), ZERO)
    department = sum((r.value or ZERO for r in theirs), ZERO)
    row = {
        "who": who,
        "kind": kind,
        "label": label,
        "declared": money(declared),
        "department": money(department),
        "difference": money(department - declared),
        "departments": _departments(theirs),
        "batches": _lineage(theirs),
        "description": "",
    }
    # Declaring more than the department knows of is not concealment; only a shortfall beyond tolerance is flagged.
    if department <= declared or not tol.differs(declared, department, tol.asset_yuan):
        return row | {"status": "match"}
    depts = _departments(theirs)
    if declared == 0:
        text = f"{depts}数据显示 {who} 名下有{label} {yuan(department)} 元，申报中未填写"
        status = "undeclared"
    else:
        text = (
            f"{depts}数据显示 {who} 名下{label} {yuan(department)} 元，申报为 {yuan(declared)} 元，"
            f"相差 {yuan(department - declared)} 元"
        )
        status = "difference"
    return row | {"status": status, "flag": {"kind": f"asset_{status}", "text": text}}


def _normalise_identifier(value: str) -> str:
    """Plates, certificate numbers and credit codes compared without spaces, dots or dashes: 云A·12345 = 云a12345."""
    return "".join(ch for ch in value if ch.isalnum()).upper()


def _item_rows(assets: list) -> list[dict]:
    """Every department item (vehicle, property, business registration, other) matched to a declared one."""
    rows = []
    declared_left = [r for r in assets if r.source == c.EvidenceSource.DECLARED and r.kind in ITEM_KINDS]
    for item in (r for r in assets if r.source == c.EvidenceSource.DEPARTMENT and r.kind in ITEM_KINDS):
        match = _find_declared(item, declared_left)
        if match is not None:
            declared_left.remove(match)
        line = _asset_line(item)
        details = [
            line["vehicle_kind_label"],
            line["identifier"],
            line["description"],
            f"{line['quantity']}平方米" if item.kind == c.AssetKind.PROPERTY and line["quantity"] else "",
        ]
        description = "，".join(d for d in details if d)
        row = {
            "who": _who(item),
            "kind": item.kind,
            "label": line["kind_label"],
            "declared": "",
            "department": line["value"],
            "difference": "",
            "departments": _departments([item]),
            "batches": _lineage([item]),
            "description": description,
            "exempt": line["exempt"],
        }
        if match is not None:
            rows.append(row | {"status": "match"})
            continue
        owner = item.person.name if item.person_id else "该户"
        text = f"{_departments([item])}数据显示 {owner} 名下有{line['kind_label']}"
        text += f"（{description}）" if description else ""
        text += "，申报中未填写"
        if line["exempt"]:
            text += f"（{line['exempt_reason']}）"
        rows.append(row | {"status": "undeclared", "flag": {"kind": "asset_undeclared", "text": text}})
    return rows


def _find_declared(item, candidates: list):
    same_kind = [r for r in candidates if r.kind == item.kind]
    key = _normalise_identifier(item.identifier)
    if key:
        for r in same_kind:
            if _normalise_identifier(r.identifier) == key:
                return r
    for r in same_kind:
        if (not key or not r.identifier.strip()) and (r.person_id is None or r.person_id == item.person_id):
            return r
    return None


def _lineage(records: Iterable) -> str:
    """Where the department's figures came from: batch#row of each record, for the officer to look up."""
    return "；".join(
        f"{r.source_batch}#{r.source_row}" if r.source_row else r.source_batch for r in records if r.source_batch
    )
