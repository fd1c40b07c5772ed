"""A registered household's file (一户一档) as a household-facts document, for the policy engine.

What the file holds on the decision date becomes the facts: members with their ages and situations, income
records in force (monthly, or yearly ÷ 12), assets in force, rigid expenses of the last 12 months, and the
programmes the household and its members receive. What the file does not record is said in `assumed`, so the
clerk sees what the decision took for granted (the six self-care activities, whether a supporter is able).

tests/policy/test_registry_facts.py keeps the bulk conversion (`population.py`) equal to this one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jiuzhu.registry import choices as c
from jiuzhu.registry.models import AssetRecord, ExpenseRecord, Household, IncomeRecord, ProgrammeStatus

FINANCIAL = {c.AssetKind.DEPOSIT, c.AssetKind.SECURITIES, c.AssetKind.INSURANCE, c.AssetKind.INTERNET_FINANCE}
FINANCIAL |= {c.AssetKind.CLAIM}
RECEIVING = {c.ProgrammeStatusValue.ACTIVE, c.ProgrammeStatusValue.GRADUAL_EXIT}
ASSUMED = [
    "生活自理能力：档案未记录六项指标，按全部能自理计",
    "法定赡养/抚养/扶养人：档案未记录其履行能力，按有能力计",
]


def _holds(record, day: date) -> bool:
    return record.valid_from <= day and (record.valid_to is None or day <= record.valid_to)


def monthly(amount: Decimal, period: str) -> Decimal:
    if period == c.Period.MONTHLY:
        return amount
    if period == c.Period.ANNUAL:
        return (amount / 12).quantize(Decimal("0.01"))
    return Decimal(0)  # a one-off receipt is not a monthly income


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def household_document(household: Household, *, as_of: date) -> dict[str, Any]:
    """The facts document of a registered household as its file stands on `as_of`."""
    memberships = [
        m
        for m in household.memberships.select_related("person").order_by("joined_on", "pk")
        if m.joined_on <= as_of and (m.left_on is None or as_of < m.left_on)
    ]
    people = [m.person for m in memberships if m.person.death_date is None or m.person.death_date > as_of]
    index = {p.pk: i for i, p in enumerate(people)}
    head = next((i for i, m in enumerate(memberships) if m.relation == c.Relation.HEAD), 0)

    income: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in IncomeRecord.objects.filter(household=household, valid_from__lte=as_of):
        if _holds(r, as_of):
            who = index.get(r.person_id, head) if r.person_id else head
            income[who][r.category] += monthly(r.amount, r.period)

    assets = {"financial": Decimal(0), "vehicles": [], "homes": 0, "business_registrations": 0}
    assets["business_capital"] = Decimal(0)
    for a in AssetRecord.objects.filter(household=household, valid_from__lte=as_of):
        if not _holds(a, as_of) or (a.person_id and a.person_id not in index):
            continue
        if a.kind in FINANCIAL:
            assets["financial"] += a.value or 0
        elif a.kind == c.AssetKind.VEHICLE:
            kind = a.vehicle_kind or c.VehicleKind.CAR
            bought = a.valid_from > as_of - timedelta(days=365)
            assets["vehicles"].append({"kind": kind, "value": str(a.value or 0), "bought_within_12_months": bought})
        elif a.kind == c.AssetKind.PROPERTY:
            assets["homes"] += 1
        elif a.kind == c.AssetKind.BUSINESS:
            assets["business_registrations"] += 1
            assets["business_capital"] += a.value or 0

    expenses: dict[str, Decimal] = defaultdict(Decimal)
    year_ago = as_of - timedelta(days=365)
    for e in ExpenseRecord.objects.filter(household=household, valid_from__lte=as_of):
        if e.period == c.Period.ONE_OFF:
            if e.valid_from > year_ago:
                expenses[e.category] += e.amount
        elif _holds(e, as_of):
            expenses[e.category] += e.amount * 12 if e.period == c.Period.MONTHLY else e.amount

    household_receives, member_receives = set(), defaultdict(set)
    exit_months, previous_benefit = 0, Decimal(0)
    for s in ProgrammeStatus.objects.filter(household=household, since__lte=as_of, status__in=RECEIVING):
        if s.until is not None and s.until < as_of:
            continue
        if s.person_id and s.person_id in index:
            member_receives[index[s.person_id]].add(s.programme)
        elif not s.person_id:
            household_receives.add(s.programme)
        if s.programme == c.Programme.DIBAO and s.status == c.ProgrammeStatusValue.GRADUAL_EXIT:
            exit_months = months_between(s.since, as_of) + 1
            previous_benefit = s.monthly_amount or Decimal(0)

    situations: dict[int, list[str]] = defaultdict(list)
    for p in people:
        situations[index[p.pk]] = [s.kind for s in p.situations.all() if _holds(s, as_of)]
    relation = {m.person_id: m.relation for m in memberships}
    members = []
    for i, p in enumerate(people):
        member: dict[str, Any] = {
            "id": str(p.pk),
            "name": p.name,
            "relation": relation[p.pk],
            "birth_date": p.birth_date.isoformat(),
            "sex": p.sex,
            "labor_capacity": p.labor_capacity,
            "serious_illness": bool(p.serious_illness),
            "chronic_illness": bool(p.chronic_illness),
            "employment": p.employment,
            "school_stage": p.school_stage,
            "situations": situations[i],
            "income": {k: str(v) for k, v in income[i].items() if v},
            "receives": sorted(member_receives[i]),
        }
        if p.disability_kind and p.disability_grade:
            member["disability"] = {"kind": p.disability_kind, "grade": p.disability_grade}
        members.append(member)
    return {
        "area_type": household.area_type,
        "members": members,
        "assets": {
            **assets,
            "financial": str(assets["financial"]),
            "business_capital": str(assets["business_capital"]),
        },
        "expenses_12m": {k: str(v) for k, v in expenses.items() if v},
        "receives": sorted(household_receives),
        "gradual_exit": {"months": exit_months, "previous_benefit": str(previous_benefit)},
    }
