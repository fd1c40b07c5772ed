"""Plain records produced by the generator: no Django, cheap to build, easy to write to a database or Parquet.

Amounts are whole yuan (int); dates are `datetime.date`. Persons and households carry integer surrogate keys
(1, 2, 3 … in generation order) that the Parquet tables use as keys and the loader maps to database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class SituationRec:
    person_key: int
    kind: str
    valid_from: date
    note: str = ""


@dataclass(slots=True)
class PersonRec:
    key: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    relation: str
    joined_on: date
    ethnicity: str = "汉族"
    phone: str = ""
    labor_capacity: str = "full"
    disability_kind: str = ""
    disability_grade: int | None = None
    serious_illness: str = ""
    chronic_illness: str = ""
    employment: str = ""
    school_stage: str = ""
    age: int = 0  # on the generator's as_of date; not stored in the database


@dataclass(slots=True)
class IncomeRec:
    person_key: int | None
    category: str
    amount: int
    source: str
    department: str  # a Department code, or "" for none
    valid_from: date
    period: str = "monthly"


@dataclass(slots=True)
class AssetRec:
    person_key: int | None
    kind: str
    value: int | None
    source: str
    department: str
    valid_from: date
    quantity: float | None = None
    vehicle_kind: str = ""
    identifier: str = ""
    description: str = ""


@dataclass(slots=True)
class ExpenseRec:
    person_key: int | None
    category: str
    amount: int
    period: str
    source: str
    department: str
    valid_from: date
    note: str = ""


@dataclass(slots=True)
class ProgrammeRec:
    person_key: int | None
    programme: str
    status: str
    since: date
    until: date | None = None
    monthly_amount: int | None = None
    decision_ref: str = ""


@dataclass(slots=True)
class PlanRec:
    needs: str
    measures: str
    next_review_on: date


@dataclass(slots=True)
class HouseholdRec:
    key: int
    number: str
    community_code: str
    grid_code: str
    area_type: str
    phone: str
    hukou_division_code: str
    hukou_address: str
    residence_division_code: str
    residence_address: str
    members: list[PersonRec] = field(default_factory=list)
    situations: list[SituationRec] = field(default_factory=list)
    incomes: list[IncomeRec] = field(default_factory=list)
    assets: list[AssetRec] = field(default_factory=list)
    expenses: list[ExpenseRec] = field(default_factory=list)
    programmes: list[ProgrammeRec] = field(default_factory=list)
    plan: PlanRec | None = None
    color_class: str = ""
    composition: str = ""  # single, elder_alone, couple, nuclear, single_parent, three_gen, skip_gen, siblings
    tier: str = ""  # below (per-capita income under the standard), marginal (1×–2×), above
    per_capita_income: int = 0  # counted monthly income per member, whole yuan

    @property
    def street_code(self) -> str:
        return self.community_code[:9]

    @property
    def plan_needs(self) -> str | None:
        return self.plan.needs if self.plan else None

    @property
    def plan_measures(self) -> str | None:
        return self.plan.measures if self.plan else None

    @property
    def plan_next_review_on(self) -> date | None:
        return self.plan.next_review_on if self.plan else None


@dataclass
class Summary:
    """Counts of what was generated, filled in while iterating."""

    households: int = 0
    persons: int = 0
    memberships: int = 0
    situations: int = 0
    incomes: int = 0
    assets: int = 0
    expenses: int = 0
    programmes: int = 0
    plans: int = 0
    below_standard_households: int = 0
    marginal_households: int = 0
    dibao_households: int = 0
    tekun_households: int = 0
    aged_60_plus: int = 0
    disabled: int = 0

    def add(self, h: HouseholdRec) -> None:
        self.households += 1
        self.persons += len(h.members)
        self.memberships += len(h.members)
        self.situations += len(h.situations)
        self.incomes += len(h.incomes)
        self.assets += len(h.assets)
        self.expenses += len(h.expenses)
        self.programmes += len(h.programmes)
        self.plans += h.plan is not None
        self.below_standard_households += h.tier == "below"
        self.marginal_households += h.tier == "marginal"
        active = {p.programme for p in h.programmes if p.status in ("active", "gradual_exit")}
        self.dibao_households += "dibao" in active
        self.tekun_households += "tekun" in active
        self.aged_60_plus += sum(m.age >= 60 for m in h.members)
        self.disabled += sum(bool(m.disability_kind) for m in h.members)
