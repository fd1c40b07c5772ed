"""Registered households' files (一户一档) as household-facts documents, for the policy engine.

What a file holds on the decision date becomes the facts: members with their ages and situations, income records
in force (monthly, or yearly ÷ 12), assets in force, rigid expenses of the last 12 months, and the programmes the
household and its members receive. What the file does not record is said in `ASSUMED`, so the clerk sees what the
decision took for granted (the six self-care activities, whether a supporter is able).

One household (its file page) and thousands (what-if, screening) go through the same function: the records of all
the households asked for are read in one query per kind and grouped in memory.
tests/policy/test_population.py keeps the bulk conversion from Parquet (`population.py`) equal to this one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from jiuzhu.registry import choices as c
from jiuzhu.registry.models import (
    AssetRecord,
    ExpenseRecord,
    Household,
    IncomeRecord,
    Membership,
    ProgrammeStatus,
    SpecialSituation,
)

FINANCIAL = {c.AssetKind.DEPOSIT, c.AssetKind.SECURITIES, c.AssetKind.INSURANCE, c.AssetKind.INTERNET_FINANCE}
FINANCIAL |= {c.AssetKind.CLAIM}
RECEIVING = {c.ProgrammeStatusValue.ACTIVE, c.ProgrammeStatusValue.GRADUAL_EXIT}
ASSUMED = [
    "生活自理能力：档案未记录六项指标，按全部能自理计",
    "法定赡养/抚养/扶养人：档案未记录其履行能力，按有能力计",
]


def _holds(record, day: date, start: str = "valid_from", end: str = "valid_to") -> bool:
    return getattr(record, start) <= day and (getattr(record, end) is None or day <= getattr(record, end))


def monthly(amount: Decimal, period: str) -> Decimal:
    if period == c.Period.MONTHLY:
        return amount
    if period == c.Period.ANNUAL:
        return (amount / 12).quantize(Decimal("0.01"))
    return Decimal(0)  # a one-off receipt is not a monthly income


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def household_document(household: Household, *, as_of: date) -> dict[str, Any]:
    """The facts document of one registered household as its file stands on `as_of`."""
    return household_documents([household], as_of=as_of)[household.pk]


def household_documents(households: Iterable[Household], *, as_of: date) -> dict[int, dict[str, Any]]:
    """Facts documents of many households, by household id, in one query per kind of record."""
    by_id = {h.pk: h for h in households}
    ids = list(by_id)
    memberships: dict[int, list[Membership]] = defaultdict(list)
    for m in (
        Membership.objects.filter(household_id__in=ids, joined_on__lte=as_of)
        .select_related("person")
        .order_by("joined_on", "pk")
    ):
        person = m.person
        alive = person.death_date is None or person.death_date > as_of
        if (m.left_on is None or as_of < m.left_on) and alive:
            memberships[m.household_id].append(m)

    def records(model, **extra):
        grouped = defaultdict(list)
        for r in model.objects.filter(household_id__in=ids, **extra):
            grouped[r.household_id].append(r)
        return grouped

    incomes = records(IncomeRecord, valid_from__lte=as_of)
    assets = records(AssetRecord, valid_from__lte=as_of)
    expenses = records(ExpenseRecord, valid_from__lte=as_of)
    statuses = records(ProgrammeStatus, since__lte=as_of, status__in=RECEIVING)
    person_ids = [m.person_id for ms in memberships.values() for m in ms]
    situations = defaultdict(list)
    for s in SpecialSituation.objects.filter(person_id__in=person_ids, valid_from__lte=as_of):
        if _holds(s, as_of):
            situations[s.person_id].append(s.kind)
    return {
        hid: _document(
            by_id[hid],
            memberships[hid],
            incomes[hid],
            assets[hid],
            expenses[hid],
            statuses[hid],
            situations,
            as_of,
        )
        for hid in ids
    }


def _document(household, memberships, incomes, assets_in, expenses_in, statuses, situations, as_of) -> dict:
    index = {m.person_id: i for i, m in enumerate(memberships)}
    head = next((i for i, m in enumerate(memberships) if m.relation == c.Relation.HEAD), 0)

    income: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in incomes:
        if _holds(r, as_of) and (r.person_id is None or r.person_id in index):
            who = index[r.person_id] if r.person_id else head
            income[who][r.category] += monthly(r.amount, r.period)

    financial, capital = Decimal(0), Decimal(0)
    vehicles, homes, businesses = [], 0, 0
    year_ago = as_of - timedelta(days=365)
    for a in assets_in:
        if not _holds(a, as_of) or (a.person_id and a.person_id not in index):
            continue
        if a.kind in FINANCIAL:
            financial += a.value or 0
        elif a.kind == c.AssetKind.VEHICLE:
            bought = a.valid_from > year_ago
            vehicles.append(
                {
                    "kind": a.vehicle_kind or c.VehicleKind.CAR,
                    "value": str(a.value or 0),
                    "bought_within_12_months": bought,
                }
            )
        elif a.kind == c.AssetKind.PROPERTY:
            homes += 1
        elif a.kind == c.AssetKind.BUSINESS:
            businesses += 1
            capital += a.value or 0

    expenses: dict[str, Decimal] = defaultdict(Decimal)
    for e in expenses_in:
        if e.period == c.Period.ONE_OFF:
            if e.valid_from > year_ago:
                expenses[e.category] += e.amount
        elif _holds(e, as_of):
            expenses[e.category] += e.amount * 12 if e.period == c.Period.MONTHLY else e.amount

    household_receives, member_receives = set(), defaultdict(set)
    exit_months, previous_benefit = 0, Decimal(0)
    for s in statuses:
        if s.until is not None and s.until < as_of:
            continue
        if s.person_id:
            if s.person_id in index:
                member_receives[index[s.person_id]].add(s.programme)
        else:
            household_receives.add(s.programme)
        if s.programme == c.Programme.DIBAO and s.status == c.ProgrammeStatusValue.GRADUAL_EXIT:
            exit_months = months_between(s.since, as_of) + 1
            previous_benefit = s.monthly_amount or Decimal(0)

    members = []
    for i, m in enumerate(memberships):
        p = m.person
        member: dict[str, Any] = {
            "id": str(p.pk),
            "name": p.name,
            "relation": m.relation,
            "birth_date": p.birth_date.isoformat(),
            "sex": p.sex,
            "labor_capacity": p.labor_capacity,
            "serious_illness": bool(p.serious_illness),
            "chronic_illness": bool(p.chronic_illness),
            "employment": p.employment,
            "school_stage": p.school_stage,
            "situations": sorted(situations.get(p.pk, [])),
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
            "financial": str(financial),
            "vehicles": vehicles,
            "homes": homes,
            "business_registrations": businesses,
            "business_capital": str(capital),
        },
        "expenses_12m": {k: str(v) for k, v in expenses.items() if v},
        "receives": sorted(household_receives),
        "gradual_exit": {"months": exit_months, "previous_benefit": str(previous_benefit)},
    }
