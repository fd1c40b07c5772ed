"""A deterministic, streaming generator of a district's households — pure Python, no Django ORM.

`HouseholdGenerator(spec, households=N, seed=S, as_of=D)` yields `HouseholdRec`s community by community. The same
(spec, N, seed, as_of) gives the same records, byte for byte (for a given Faker version): every draw comes from one
`random.Random(seed)` and one `Faker("zh_CN")` seeded with `seed_instance`. Memory stays bounded: the only state
kept across households is the ID-number sequence counter per (region, birth date, sex), which is bounded by the
number of such triples, not by N.

Shape: household sizes 1–6 (18/28/27/15/8/4 %), couples, children, elderly parents and grandchildren with
plausible ages; about 15 % aged 60+, 6 % disabled, 3 % seriously and 12 % chronically ill. Incomes, assets,
programmes and plans come from `economy`.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import date, timedelta
from itertools import accumulate

from faker import Faker
from faker.providers.person.zh_CN import Provider as _NameData

from jiuzhu.core.id_number import make_id_number, region_name
from jiuzhu.registry.synth import economy
from jiuzhu.registry.synth.district import (
    CommunitySpec,
    DistrictSpec,
    allocate_households,
    grid_code,
    grid_count,
    word_list,
)
from jiuzhu.registry.synth.economy import pick
from jiuzhu.registry.synth.records import HouseholdRec, PersonRec, SituationRec, Summary

KUNMING_OTHER = ("530102", "530111", "530112", "530113", "530114")
ELSEWHERE = word_list(
    "530124 530181 530302 530402 532301 532901 532502 510104 510107 520102 522401 500103 500112 110105 310115 "
    "440106 430102 450102 420106 330106 370102 410105 610113"
)
MOBILE_PREFIXES = word_list(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 157 158 159 166 173 176 177 178 180 181 182 183 186 187 "
    "188 189 191 198 199"
)
ETHNICITIES = ("汉族", "彝族", "回族", "白族", "哈尼族", "苗族", "壮族", "傣族", "纳西族", "满族")
ETHNICITY_CUM = list(accumulate((84, 5, 3, 2, 1.5, 1.5, 1, 1, 0.5, 0.5)))
MALE_CHARS = "伟强磊洋勇军杰涛超明刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文海东晨瑞泽轩子然博睿德福荣兴"
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲桂英兰萍红琴云莲梅婷雪慧倩颖琳璐欣怡悦涵萱雨佳晶月秀珍凤春"
SERIOUS = ("恶性肿瘤", "尿毒症（透析）", "白血病", "脑卒中后遗症", "慢性肾衰竭", "肝硬化失代偿期", "重性精神疾病")
CHILD_SERIOUS = ("白血病", "先天性心脏病", "儿童恶性肿瘤")
CHRONIC = ("高血压", "糖尿病", "冠心病", "慢性阻塞性肺疾病", "类风湿关节炎", "慢性肾病", "哮喘", "高血压、糖尿病")
DISABILITY_KINDS = ("physical", "visual", "hearing", "speech", "intellectual", "mental", "multiple")
DISABILITY_CUM = list(accumulate((45, 12, 15, 2, 9, 10, 7)))
GRADE_CUM = list(accumulate((12, 21, 30, 37)))  # grades 1–4: a third are 1–2
SIZE_CUM = {True: list(accumulate((18, 28, 27, 15, 8, 4))), False: list(accumulate((15, 25, 25, 18, 11, 6)))}
# Per age band (<18, 18–44, 45–59, 60–74, 75+): probability of disability, serious and chronic illness.
BANDS = (18, 45, 60, 75)
P_DISABLED = (0.015, 0.04, 0.075, 0.13, 0.22)
P_SERIOUS = (0.005, 0.015, 0.04, 0.07, 0.09)
P_CHRONIC = (0.012, 0.05, 0.18, 0.36, 0.45)
P_TEKUN_ARCHETYPE = 0.0035


def _band(age: int) -> int:
    return bisect(BANDS, age)


class HouseholdGenerator:
    """Iterate to get households; iterating again starts over and yields the same records."""

    def __init__(
        self, spec: DistrictSpec, *, households: int, seed: int, as_of: date, standard: int = economy.STANDARD
    ) -> None:
        self.spec, self.households, self.seed, self.as_of, self.standard = spec, households, seed, as_of, standard
        self.allocation = allocate_households(spec, households)
        self.summary = Summary()
        surnames = _NameData.last_names
        self._surnames = list(surnames)
        self._surname_cum = list(accumulate(surnames.values()))
        self._given = {"M": list(_NameData.first_names_male), "F": list(_NameData.first_names_female)}

    def __iter__(self) -> Iterator[HouseholdRec]:
        self.rng = random.Random(self.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)
        self.summary = Summary()
        self._id_seq: dict[tuple[str, int, str], int] = {}
        self._person_key = 0
        self._economy = economy.Economy(self.rng, self.spec, self.as_of, self.standard)
        key = 0
        for community, count in zip(self.spec.communities, self.allocation, strict=True):
            grids = grid_count(count)
            for n in range(1, count + 1):
                key += 1
                grid = grid_code(community.code, (n - 1) * grids // count + 1)
                household = self._household(key, community, n, grid)
                self.summary.add(household)
                yield household

    # --- names, numbers, addresses ---------------------------------------------------------------------------
    def _surname(self) -> str:
        return pick(self.rng, self._surnames, self._surname_cum)

    def _given_name(self, sex: str) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return rng.choice(self._given[sex])
        chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
        return rng.choice(chars) + rng.choice(chars)

    def _id_number(self, region: str, birth: date, sex: str) -> tuple[str, date]:
        """A unique number: the sequence is counted per (region, birth date, sex); a full day moves on a day."""
        while True:
            slot = (region, birth.toordinal(), sex)
            k = self._id_seq.get(slot, 0)
            if k < 500:
                self._id_seq[slot] = k + 1
                start = (birth.toordinal() * 7 + int(region) * 13) % 500
                return make_id_number(region, birth, ((start + k) % 500) * 2 + (sex == "M")), birth
            birth -= timedelta(days=1)

    def _phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _residence(self, c: CommunitySpec) -> str:
        rng, s = self.rng, self.spec
        if c.is_urban:
            floor = rng.randint(1, 28)
            return (
                f"{s.city}{s.name}{c.street_name}{rng.choice(c.roads)}{rng.randint(1, 400)}号"
                f"{rng.randint(1, 24)}栋{rng.randint(1, 6)}单元{floor}{rng.randint(1, 4):02d}室"
            )
        return f"{s.city}{s.name}{c.street_name}{c.name}{rng.randint(1, 14)}组{rng.randint(1, 160)}号"

    # --- composition ---------------------------------------------------------------------------------------------
    def _elder_age(self) -> int:
        rng = self.rng
        base = pick(rng, (60, 70, 80, 90), (52, 86, 98, 100))
        return base + rng.randrange(10)

    def _compose(self, size: int, rural: bool) -> tuple[str, list[tuple[str, int, str, str]]]:
        """(composition, [(relation, age, sex, surname)]) with the head first."""
        rng, r = self.rng, self.rng.random
        fam = self._surname()
        other = self._surname

        def couple(head_age: int) -> list[tuple[str, int, str, str]]:
            male = r() < 0.78
            spouse_age = max(20, head_age + (rng.randint(-5, 2) if male else rng.randint(-2, 5)))
            return [
                ("head", head_age, "M" if male else "F", fam),
                ("spouse", spouse_age, "F" if male else "M", other()),
            ]

        def kids(parents: list, n: int, relation: str = "child", oldest: int = 30) -> list:
            father = next((p for p in parents if p[2] == "M"), parents[0])
            young = min(p[1] for p in parents)
            top = max(0, min(young - 21, oldest))
            ages = sorted((rng.randint(max(0, top - 12), top) for _ in range(n)), reverse=True)
            return [(relation, a, rng.choice("MF"), father[3]) for a in ages]

        def elders(head: tuple, n: int) -> list:
            age = min(98, head[1] + rng.randint(22, 34))
            pair = [("parent", age, "M", head[3]), ("parent", max(60, age - rng.randint(0, 5)), "F", other())]
            return pair[:n] if n == 2 or r() < 0.35 else pair[1:]

        if size == 1:
            if r() < 0.3:
                return "elder_alone", [("head", self._elder_age(), "F" if r() < 0.6 else "M", fam)]
            return "single", [("head", 20 + int(39 * r() ** 1.6), "M" if r() < 0.58 else "F", fam)]
        x = r()
        if size == 2:
            if x < 0.6:
                return "couple", couple(self._elder_age() if r() < 0.26 else rng.randint(22, 59))
            if x < 0.78:
                head = ("head", rng.randint(27, 55), "F" if r() < 0.7 else "M", fam)
                return "single_parent", [head, *kids([head], 1, oldest=25)]
            if x < 0.88:
                head = ("head", rng.randint(30, 58), rng.choice("MF"), fam)
                return "three_gen", [head, *elders(head, 1)]
            if x < 0.96:
                head = ("head", rng.randint(58, 78), "F" if r() < 0.55 else "M", fam)
                return "skip_gen", [head, ("grandchild", rng.randint(3, 15), rng.choice("MF"), fam)]
            return "siblings", [("head", rng.randint(30, 70), "M", fam), ("sibling", rng.randint(28, 72), "F", fam)]
        if x < {3: 0.76, 4: 0.62, 5: 0.18, 6: 0.1}[size]:
            members = couple(rng.randint(25, 52))
            return "nuclear", members + kids(members, size - 2, oldest=26)
        if x < {3: 0.82, 4: 0.8, 5: 0.45, 6: 0.3}[size]:
            members = couple(rng.randint(28, 50))
            n_parents = 1 if size <= 4 else 2
            return "three_gen", members + kids(members, size - 2 - n_parents) + elders(members[0], n_parents)
        if x < {3: 0.89, 4: 0.85, 5: 0.5, 6: 0.33}[size]:
            members = couple(rng.randint(58, 76))
            return "skip_gen", members + [
                ("grandchild", rng.randint(2, 15), rng.choice("MF"), fam) for _ in range(size - 2)
            ]
        if size == 3 and x < 0.94:
            head = ("head", rng.randint(28, 52), "F" if r() < 0.7 else "M", fam)
            return "single_parent", [head, *kids([head], 2)]
        members = couple(rng.randint(50, 72))
        son = r() < 0.7
        child = ("child", max(22, members[0][1] - rng.randint(22, 32)), "M" if son else "F", fam)
        if size == 3:  # an elderly couple with an unmarried adult child
            return "three_gen", [*members, child]
        in_law = ("child_in_law", max(22, child[1] + rng.randint(-3, 3)), "F" if son else "M", other())
        young = [child, in_law] if son else [in_law, child]
        return "three_gen", [*members, child, in_law, *kids(young, size - 4, relation="grandchild")]

    # --- persons -------------------------------------------------------------------------------------------------
    def _person(self, bp: tuple[str, int, str, str], region: str, joined: date) -> PersonRec:
        rng, r = self.rng, self.rng.random
        relation, age, sex, surname = bp
        birth = self.as_of - timedelta(days=int((age + r()) * 365.2425) + 1)
        id_number, birth = self._id_number(region, birth, sex)
        self._person_key += 1
        p = PersonRec(
            key=self._person_key,
            id_number=id_number,
            name=surname + self._given_name(sex),
            sex=sex,
            birth_date=birth,
            relation=relation,
            joined_on=max(joined, birth),
            age=age,
        )
        band = _band(age)
        if r() < P_DISABLED[band]:
            p.disability_kind = pick(rng, DISABILITY_KINDS, DISABILITY_CUM)
            p.disability_grade = pick(rng, (1, 2, 3, 4), GRADE_CUM)
        if r() < P_SERIOUS[band]:
            p.serious_illness = rng.choice(CHILD_SERIOUS if age < 18 else SERIOUS)
        if r() < P_CHRONIC[band]:
            p.chronic_illness = rng.choice(CHRONIC)
        phone_share = 0.0 if age < 14 else 0.5 if age < 18 else 0.97 if age < 70 else 0.8 if age < 80 else 0.5
        if r() < phone_share:
            p.phone = self._phone()
        self._set_labor(p)
        return p

    def _set_labor(self, p: PersonRec) -> None:
        severe = p.disability_grade in (1, 2)
        if p.age < 16 or severe or p.age >= 75 or (p.serious_illness and self.rng.random() < 0.6):
            p.labor_capacity = "none"
        elif p.disability_grade or p.serious_illness or p.age >= 60:
            p.labor_capacity = "partial"

    def _tekun_person(self, p: PersonRec) -> None:
        """Make a person fit 特困: no labour capacity through great age or severe disability."""
        if p.age < 60 or self.rng.random() < 0.3:
            p.disability_kind = p.disability_kind or self.rng.choice(("physical", "intellectual", "mental"))
            p.disability_grade = self.rng.choice((1, 2))
        p.labor_capacity = "none"

    # --- households ----------------------------------------------------------------------------------------------
    def _household(self, key: int, c: CommunitySpec, n: int, grid: str) -> HouseholdRec:
        rng, r = self.rng, self.rng.random
        rural = not c.is_urban
        tekun = r() < P_TEKUN_ARCHETYPE
        size = 1 if tekun else pick(rng, (1, 2, 3, 4, 5, 6), SIZE_CUM[c.is_urban])
        composition, blueprint = self._compose(size, rural)
        origin = self.spec.code
        if r() < 0.2:
            origin = rng.choice(KUNMING_OTHER) if r() < 0.6 else rng.choice(ELSEWHERE)
        residence = self._residence(c)
        hukou_code, hukou = c.code, residence
        if origin != self.spec.code and r() < 0.35:
            hukou_code = origin
            hukou = f"{region_name(origin)}{self.fake.street_name()}{rng.randint(1, 300)}号"
        elif r() < 0.04:
            other = rng.choice(self.spec.communities)
            hukou_code, hukou = other.code, self._residence(other)
        h = HouseholdRec(
            key=key,
            number=f"{c.code}{n:05d}",
            community_code=c.code,
            grid_code=grid,
            area_type="rural" if rural else "urban",
            phone="",
            hukou_division_code=hukou_code,
            hukou_address=hukou,
            residence_division_code=c.code,
            residence_address=residence,
            composition=composition,
        )
        formed = self.as_of - timedelta(days=rng.randint(120, 365 * 30))
        ethnicity = pick(rng, ETHNICITIES, ETHNICITY_CUM)
        for i, bp in enumerate(blueprint):
            region = origin if (bp[1] >= 18 and r() < 0.75) else self.spec.code
            head_joined = h.members[0].joined_on if h.members else formed
            p = self._person(bp, region, head_joined)
            if i == 0:  # a head joins their own household once adult
                adult = p.birth_date + timedelta(days=6575)
                p.joined_on = min(max(formed, adult), self.as_of)
            p.ethnicity = ethnicity if r() < 0.9 else pick(rng, ETHNICITIES, ETHNICITY_CUM)
            h.members.append(p)
        if tekun:
            self._tekun_person(h.members[0])
        if r() < 0.05:
            h.phone = f"0871-6{rng.randrange(10**7):07d}"
        else:
            h.phone = next((m.phone for m in h.members if m.phone), "")
        self._situations(h)
        self._economy.fill(h, tekun=tekun)
        return h

    def _situations(self, h: HouseholdRec) -> None:
        rng, r, as_of = self.rng, self.rng.random, self.as_of

        def since(p: PersonRec, floor_years: int = 0) -> date:
            earliest = max(p.joined_on, p.birth_date + timedelta(days=int(floor_years * 365.25)))
            return max(earliest, as_of - timedelta(days=rng.randint(60, 3000)))

        def add(p: PersonRec, kind: str, floor_years: int = 0, note: str = "") -> None:
            h.situations.append(SituationRec(p.key, kind, min(since(p, floor_years), as_of), note))

        members = h.members
        if len(members) == 1 and members[0].age >= 60:
            add(members[0], "living_alone", 60)
        elif len(members) >= 2 and all(m.age >= 60 for m in members):
            for m in members:
                add(m, "empty_nest", 60)
        adults_ill = any(m.age >= 18 and (m.disability_grade in (1, 2) or m.serious_illness) for m in members)
        for m in members:
            if m.age >= 65 and (m.disability_grade in (1, 2) or (m.serious_illness and r() < 0.5) or r() < 0.02):
                m.labor_capacity = "none"
                add(m, "disabled_care_needed", 65, "日常生活需他人照料")
            if m.age >= 18:
                continue
            if h.composition == "skip_gen":
                x = r()
                if x < 0.008:
                    add(m, "orphan", 0, "父母双亡")
                elif x < 0.04:
                    add(m, "unsupported_child", 0, "父母重残或服刑，事实无人抚养")
                elif m.age < 16:
                    add(m, "left_behind", 0, "父母外出务工")
            elif adults_ill and r() < 0.5:
                add(m, "child_in_difficulty", 0, "家庭成员重残或重病")
