"""The economic side of a synthetic household: employment, incomes, assets, expenses, programmes and plan.

Each household is first given an income tier from how vulnerable it is (rural, severe disability, serious illness,
single parent, no able-bodied member …): about 5 % fall below the 低保 standard, about 5 % between 1× and 2× it,
the rest well above. Incomes are drawn from employment and then scaled so the household's counted per-capita
monthly income lands in its tier. About 85 % of households below the standard receive 低保 — the rest are left
for 政策找人 screening to find — and about 0.3 % are 特困. Colours follow the 003 rules (R2.5).
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

from jiuzhu.registry.synth.district import DistrictSpec
from jiuzhu.registry.synth.records import (
    AssetRec,
    ExpenseRec,
    HouseholdRec,
    IncomeRec,
    PersonRec,
    PlanRec,
    ProgrammeRec,
)

T = TypeVar("T")
STANDARD = 735  # yuan per person per month
# 57号 第十三条: the classes counted in a household's income; the excluded_* categories are not.
COUNTED = frozenset(
    {"wage", "business", "property", "transfer", "pension", "unemployment_benefit", "support_received", "other"}
)
BASIC_PENSION = 163  # 城乡居民基础养老金, not counted as income
P_BELOW, P_MARGINAL = 0.022, 0.037  # before the vulnerability multiplier
P_DIBAO_TAKEN_UP = 0.85
WORK = {  # (urban, tier) → employment weights for a working-age adult
    (True, "above"): (("employed", "flexible", "self_employed", "unemployed", "not_applicable"), (62, 78, 90, 95, 100)),
    (True, "marginal"): (
        ("employed", "flexible", "self_employed", "unemployed", "not_applicable"),
        (30, 65, 73, 95, 100),
    ),
    (True, "below"): (("employed", "flexible", "self_employed", "unemployed", "not_applicable"), (8, 43, 45, 90, 100)),
    (False, "above"): (("farming", "flexible", "employed", "self_employed", "unemployed"), (35, 65, 85, 97, 100)),
    (False, "marginal"): (("farming", "flexible", "employed", "self_employed", "unemployed"), (50, 80, 86, 90, 100)),
    (False, "below"): (("farming", "flexible", "employed", "self_employed", "unemployed"), (55, 72, 74, 75, 100)),
}
DISABILITY_LABELS = dict(
    zip(
        ("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple"),
        ("肢体", "视力", "听力", "言语", "智力", "精神", "多重"),
        strict=True,
    )
)
BANKS = ("中国工商银行", "中国农业银行", "中国建设银行", "中国银行", "富滇银行", "云南省农村信用社", "中国邮政储蓄银行")
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
PROGRAMME_ABBR = {"dibao": "低", "tekun": "特", "marginal": "边", "relapse_watch": "监"}


def pick(rng: random.Random, values: Sequence[T], cum_weights: Sequence[float]) -> T:
    """One weighted choice: what `rng.choices(values, cum_weights=…)[0]` does, with less overhead."""
    return values[bisect(cum_weights, rng.random() * cum_weights[-1])]


class Economy:
    """Fills the economic part of households, sharing the generator's random stream."""

    def __init__(self, rng: random.Random, spec: DistrictSpec, as_of: date, standard: int = STANDARD) -> None:
        self.rng, self.spec, self.as_of, self.standard = rng, spec, as_of, standard
        self._decision = 0

    def fill(self, h: HouseholdRec, *, tekun: bool) -> None:
        h.tier = "below" if tekun else self._tier(h)
        self._employment(h)
        self._incomes(h)
        self._calibrate(h, tekun)
        self._assets(h)
        self._expenses(h)
        self._programmes(h, tekun)
        self._plan(h)

    # --- helpers ---------------------------------------------------------------------------------------------
    def _days_ago(self, lo: int, hi: int) -> date:
        return self.as_of - timedelta(days=self.rng.randint(lo, hi))

    def _money(self, median: float, sigma: float) -> int:
        return max(1, round(self.rng.lognormvariate(0.0, sigma) * median))

    def _income(self, h: HouseholdRec, p: PersonRec | None, category: str, amount: int, dept: str = "") -> None:
        source = "department" if dept else "declared"
        valid_from = self._days_ago(30, 900)
        if p is not None:
            valid_from = max(valid_from, p.joined_on)
        h.incomes.append(IncomeRec(p.key if p else None, category, amount, source, dept, valid_from))

    def _ref(self, programme: str, since: date) -> str:
        self._decision += 1
        abbr = PROGRAMME_ABBR.get(programme, "救")
        return f"{self.spec.short_name[0]}民{abbr}〔{since.year}〕{self._decision % 10000:04d}号"

    # --- tier and employment -------------------------------------------------------------------------------------
    def _tier(self, h: HouseholdRec) -> str:
        m, v = h.members, 1.0
        if h.area_type == "rural":
            v *= 1.6
        if any(p.disability_grade in (1, 2) for p in m):
            v *= 3.0
        elif any(p.disability_grade for p in m):
            v *= 1.5
        if any(p.serious_illness for p in m):
            v *= 3.0
        if h.composition in ("single_parent", "skip_gen"):
            v *= 2.2
        elif h.composition == "elder_alone":
            v *= 1.8
        able = sum(p.labor_capacity == "full" for p in m)
        v *= 1.8 if able == 0 else 1.3 if able / len(m) < 0.4 else 1.0
        p_below, p_marginal = min(0.85, P_BELOW * v), min(0.5, P_MARGINAL * v**0.6)
        x = self.rng.random()
        return "below" if x < p_below else "marginal" if x < p_below + p_marginal else "above"

    def _employment(self, h: HouseholdRec) -> None:
        rng, r, urban = self.rng, self.rng.random, h.area_type == "urban"
        for p in h.members:
            age = p.age
            if age < 6:
                p.employment, p.school_stage = "not_applicable", "preschool" if age >= 3 and r() < 0.85 else ""
                continue
            if age < 15:
                p.employment, p.school_stage = "student", "primary" if age < 12 else "junior"
                continue
            if age < 18 and r() < 0.9:
                p.employment, p.school_stage = "student", "senior" if r() < 0.68 else "vocational"
                continue
            if 18 <= age <= 22 and r() < (0.55 if h.tier == "above" else 0.35):
                p.employment, p.school_stage = "student", "undergraduate" if r() < 0.55 else "college"
                continue
            if 23 <= age <= 25 and h.tier == "above" and r() < 0.08:
                p.employment, p.school_stage = "student", "postgraduate"
                continue
            if p.labor_capacity == "none" or age < 16:
                p.employment = "not_applicable"
            elif age >= 60 or (urban and p.sex == "F" and age >= 55 and r() < 0.6):
                retired = (0.85 if h.tier != "below" else 0.45) if urban else 0.1
                p.employment = (
                    "retired" if r() < retired else "farming" if not urban and r() < 0.55 else "not_applicable"
                )
            else:
                tier = h.tier if p.labor_capacity == "full" else "below"
                names, cum = WORK[(urban, tier)]
                p.employment = pick(rng, names, cum)

    # --- incomes ------------------------------------------------------------------------------------------------
    def _incomes(self, h: HouseholdRec) -> None:
        r, urban = self.rng.random, h.area_type == "urban"
        for p in h.members:
            e = p.employment
            if e == "employed":
                self._income(h, p, "wage", self._money(5200 if urban else 3800, 0.4), "hrss")
            elif e == "flexible":
                self._income(h, p, "wage", self._money(3000, 0.45))
            elif e == "self_employed":
                self._income(h, p, "business", self._money(5000, 0.6))
            elif e == "farming":
                self._income(h, p, "business", self._money(1200, 0.5), "agriculture" if r() < 0.5 else "")
            elif e == "unemployed" and r() < 0.3:
                self._income(h, p, "unemployment_benefit", 1512, "hrss")
            elif e == "retired":
                self._income(h, p, "pension", self._money(3400 if urban else 2400, 0.35), "hrss")
            if p.age >= 60 and e != "retired":
                self._income(h, p, "excluded_basic_pension", BASIC_PENSION, "hrss")
        if all(p.age >= 60 for p in h.members) and r() < 0.6:
            self._income(h, h.members[0], "support_received", self._money(700, 0.5))
        if urban and r() < 0.06:
            self._income(h, h.members[0], "property", self._money(1800, 0.5))

    def _counted(self, h: HouseholdRec) -> int:
        return sum(i.amount for i in h.incomes if i.category in COUNTED)

    def _calibrate(self, h: HouseholdRec, tekun: bool) -> None:
        """Scale counted incomes so the per-capita income falls in the household's tier."""
        r, size, std = self.rng.random, len(h.members), self.standard
        if tekun:  # no supporter, no means: at most a little
            h.incomes = [i for i in h.incomes if i.category not in ("support_received", "property")]
            target = 0.0 if r() < 0.5 else std * 0.4 * r()
        elif h.tier == "below":
            target = std * (0.05 + 0.92 * r() ** 0.7)
        elif h.tier == "marginal":
            target = std * (1.03 + 0.94 * r())
        elif self._counted(h) >= 2.05 * std * size:
            target = None
        else:
            self._put_to_work(h)
            target = None if self._counted(h) >= 2.05 * std * size else std * (2.1 + 1.5 * r())
        if target is not None:
            total = target * size
            if total and not self._counted(h) and not tekun:
                self._first_income(h)
            self._drop_excess(h, total)
            natural = self._counted(h)
            factor = total / natural if natural else 0.0
            kept = []
            for i in h.incomes:
                if i.category in COUNTED:
                    i.amount = round(i.amount * factor)
                    if i.amount <= 0:
                        continue
                kept.append(i)
            h.incomes = kept
        h.per_capita_income = round(self._counted(h) / size)

    def _drop_excess(self, h: HouseholdRec, total: float) -> None:
        """Far too much income for the tier: the biggest earners lose that income (job lost, no pension) before
        the rest is scaled, so that what remains stays plausible (no 200-yuan urban pensions)."""
        people = {p.key: p for p in h.members}
        while self._counted(h) > 2 * total:
            counted = [i for i in h.incomes if i.category in COUNTED]
            if len(counted) < 2:
                return
            biggest = max(counted, key=lambda i: i.amount)
            h.incomes.remove(biggest)
            p = people.get(biggest.person_key) if biggest.person_key else None
            if p is None or biggest.category not in ("wage", "business", "pension"):
                continue
            p.employment = "unemployed" if p.age < 60 and p.labor_capacity != "none" else "not_applicable"
            if p.age >= 60 and biggest.category == "pension":
                self._income(h, p, "excluded_basic_pension", BASIC_PENSION, "hrss")

    def _put_to_work(self, h: HouseholdRec) -> None:
        """An above-tier household short of income: its idle able adults work."""
        for p in h.members:
            if 18 <= p.age < 60 and p.labor_capacity != "none" and p.employment in ("unemployed", "not_applicable"):
                p.employment = "employed" if h.area_type == "urban" else "flexible"
                self._income(h, p, "wage", self._money(4500, 0.35), "hrss" if p.employment == "employed" else "")

    def _first_income(self, h: HouseholdRec) -> None:
        """A household with no counted income that must have some: odd jobs, else support from relatives."""
        for p in h.members:
            if 18 <= p.age < 60 and p.labor_capacity != "none" and p.employment != "student":
                p.employment = "flexible" if h.area_type == "urban" else "farming"
                self._income(h, p, "wage" if h.area_type == "urban" else "business", 1000)
                return
        self._income(h, h.members[0], "support_received", 500)

    # --- assets and expenses ---------------------------------------------------------------------------------------
    def _asset(self, h: HouseholdRec, key: int, kind: str, value: int | None, dept: str, since: date, **kw) -> None:
        h.assets.append(AssetRec(key, kind, value, "department" if dept else "declared", dept, since, **kw))

    def _expense(
        self, h: HouseholdRec, p: PersonRec, category: str, amount: int, period: str, dept: str, note: str
    ) -> None:
        since = max(p.joined_on, self._days_ago(30, 700))
        source = "department" if dept else "declared"
        h.expenses.append(ExpenseRec(p.key, category, amount, period, source, dept, since, note))

    def _code(self, n: int) -> str:
        return "".join(self.rng.choice(PLATE_CHARS) for _ in range(n))

    def _assets(self, h: HouseholdRec) -> None:
        rng, r, tier, head = self.rng, self.rng.random, h.tier, h.members[0].key
        urban, size = h.area_type == "urban", len(h.members)
        if r() < {"above": 0.85, "marginal": 0.6, "below": 0.4}[tier]:
            value = self._money(
                {"above": 60000, "marginal": 12000, "below": 3000}[tier], 0.9 if tier == "above" else 0.7
            )
            if tier == "below":
                value = min(value, 6 * self.standard * size)
            desc = f"{rng.choice(BANKS)}储蓄存款"
            self._asset(h, head, "deposit", value, "", self._days_ago(10, 200), description=desc)
        homes = 1 if r() < ({"above": 0.75, "marginal": 0.55, "below": 0.35}[tier] if urban else 0.9) else 0
        homes += tier == "above" and r() < 0.08
        for _ in range(homes):
            if urban:
                area = round(rng.uniform(45, 140) if tier == "above" else rng.uniform(35, 85), 2)
                value, desc = round(area * rng.uniform(9000, 16000)), f"住宅 {area}㎡"
            else:
                area = round(rng.uniform(80, 260), 2)
                value, desc = round(area * rng.uniform(800, 2000)), f"宅基地自建房 {area}㎡"
            since = self._days_ago(200, 7000)
            ident = f"云（{since.year}）{self.spec.city}不动产权第{rng.randrange(10**7):07d}号"
            extra = {"quantity": area, "identifier": ident, "description": desc}
            self._asset(h, head, "property", value, "natural_resources", since, **extra)
        vehicle = None
        if r() < {"above": 0.28, "marginal": 0.1, "below": 0.0}[tier]:
            vehicle = ("car", self._money(90000, 0.5), "小型汽车")
        elif not urban and tier != "below" and r() < 0.25:
            vehicle = ("motorcycle", rng.randint(3000, 12000), "摩托车")
            if r() < 0.3:
                vehicle = ("agricultural", rng.randint(8000, 30000), "农用车")
        if vehicle:
            kind, value, desc = vehicle
            extra = {"vehicle_kind": kind, "identifier": "云A" + self._code(5), "description": desc}
            self._asset(h, head, "vehicle", value, "public_security", self._days_ago(100, 4000), **extra)
        for p in h.members:
            if p.employment == "self_employed":
                code = f"92{self.spec.code}MA{self._code(8)}"  # 统一社会信用代码 of a 个体工商户 (unchecked)
                extra = {"identifier": code, "description": f"{p.name[0]}记个体工商户"}
                self._asset(h, p.key, "business", None, "market_regulation", self._days_ago(100, 3000), **extra)

    def _expenses(self, h: HouseholdRec) -> None:
        r = self.rng.random
        for p in h.members:
            if p.serious_illness and r() < 0.9:
                amount, note = self._money(30000, 0.7), f"{p.serious_illness}住院及门诊自付"
                self._expense(h, p, "medical", amount, "annual", "medical_insurance", note)
            elif p.chronic_illness and r() < 0.4:
                amount, note = self._money(250, 0.5), f"{p.chronic_illness}门诊慢病自付"
                self._expense(h, p, "medical", amount, "monthly", "medical_insurance", note)
            if p.school_stage in ("college", "undergraduate", "postgraduate") and r() < 0.7:
                self._expense(h, p, "education", self.rng.randint(4500, 12000), "annual", "", "学费及住宿费")
            if p.disability_grade and ((p.age < 18 and r() < 0.6) or r() < 0.08):
                amount = self._money(800, 0.6)
                self._expense(h, p, "rehabilitation", amount, "monthly", "disability_federation", "康复训练")

    # --- programmes, colour, plan --------------------------------------------------------------------------------
    def _programme(
        self,
        h: HouseholdRec,
        p: PersonRec | None,
        programme: str,
        amount: int | None = None,
        *,
        status: str = "active",
        since: date | None = None,
        until: date | None = None,
    ) -> None:
        since = since or self._days_ago(30, 2500)
        ref = self._ref(programme, since)
        h.programmes.append(ProgrammeRec(p.key if p else None, programme, status, since, until, amount, ref))

    def _programmes(self, h: HouseholdRec, tekun: bool) -> None:
        r, std, m, head = self.rng.random, self.standard, h.members, h.members[0]
        urgent = any(p.serious_illness or p.disability_grade in (1, 2) or p.age >= 60 or p.age < 18 for p in m)
        if tekun and r() < 0.9:
            care = 600 if head.disability_grade in (1, 2) or head.age >= 80 else 0
            self._programme(h, head, "tekun", round(1.3 * std) + care)
            h.color_class = "red"
        elif h.tier == "below" and not tekun and r() < P_DIBAO_TAKEN_UP:
            needy = [p for p in m if p.age >= 60 or p.age < 18 or p.disability_grade in (1, 2) or p.serious_illness]
            topups = round(0.1 * std) * len(needy)  # 分类施保
            self._programme(h, None, "dibao", max(50, (std - h.per_capita_income) * len(m) + topups))
            h.color_class = "yellow" if urgent else "green"
        elif h.tier == "marginal":
            if r() < 0.06:  # income rose above the standard through work: 渐退
                until = self.as_of + timedelta(days=self.rng.randint(30, 180))
                self._programme(h, None, "dibao", round(0.3 * std * len(m)), status="gradual_exit", until=until)
                h.color_class = "yellow" if urgent else "green"
            elif r() < 0.35:
                self._programme(h, None, "marginal")
            if h.area_type == "rural" and r() < 0.3:
                self._programme(h, None, "relapse_watch")
        elif r() < 0.01:  # a past recipient whose benefit ended
            since = self._days_ago(1500, 3000)
            until = since + timedelta(days=self.rng.randint(300, 1300))
            self._programme(h, None, "dibao", round(0.5 * std * len(m)), since=since, status="ended", until=until)
        recipient = h.color_class != ""
        for p in m:
            if p.disability_grade in (1, 2) and r() < 0.8:
                self._programme(h, p, "disability_care_subsidy", 100)
            if p.disability_kind and recipient and h.color_class != "red" and r() < 0.85:
                self._programme(h, p, "disability_living_subsidy", 100)
            if p.serious_illness and recipient and r() < 0.7:
                self._programme(h, p, "medical_aid")
            if p.employment == "student" and recipient and r() < 0.5:
                self._programme(h, p, "education_aid")

    def _plan(self, h: HouseholdRec) -> None:
        r = self.rng.random
        if not ((h.color_class and r() < 0.75) or (h.tier != "above" and r() < 0.2)):
            return
        needs, measures = [], []
        for p in h.members:
            if p.serious_illness:
                needs.append(f"{p.name}患{p.serious_illness}，医疗支出大")
                measures.append("申请医疗救助，协助办理大病保险报销")
            if p.disability_grade:
                needs.append(f"{p.name}{DISABILITY_LABELS[p.disability_kind]}残疾{p.disability_grade}级")
                measures.append("落实残疾人两项补贴，对接康复服务")
        if h.composition == "elder_alone":
            needs.append("独居老人，需定期探访")
            measures.append("网格员每周探访，安装安全监测设备")
        students = sum(p.employment == "student" for p in h.members)
        if students:
            needs.append(f"{students}名家庭成员在学")
            measures.append("落实教育资助")
        if any(p.employment == "unemployed" for p in h.members):
            needs.append("家庭成员失业，缺乏稳定收入")
            measures.append("推荐就业岗位，开展技能培训")
        if h.color_class == "red":
            measures.insert(0, "落实特困人员救助供养")
        elif h.color_class:
            measures.insert(0, "按时足额发放低保金")
        if not needs:
            needs.append("家庭收入偏低，生活困难")
            measures.append("纳入动态监测，定期走访")
        review = self.as_of + timedelta(days=self.rng.randint(0, 60))
        h.plan = PlanRec("；".join(dict.fromkeys(needs)), "；".join(dict.fromkeys(measures)), review)
