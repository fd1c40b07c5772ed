"""The demo district's organisation tree: a pure specification, and its creation through the org services.

Division codes follow GB/T 2260 with the statistical extension (GB/T 10114 style): a street is the district code
plus 3 digits, a community the street code plus 3 digits (居委会 001–199, 村委会 201–399), a grid the community code
plus 2 digits. The specification depends only on the district code and names, never on the household seed, so the
same district always has the same streets and communities.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the ORM is needed only by create_district, imported there
    from jiuzhu.org.models import Department, OrgUnit


def word_list(text: str) -> tuple[str, ...]:
    """A tuple from a space-separated list, to keep long lists of names readable."""
    return tuple(text.split())


HOUSEHOLDS_PER_GRID = 300
MAX_GRIDS_PER_COMMUNITY = 99  # two digits of grid code

# (name, is_urban): the last four are rural towns that became 街道 in name only.
DEFAULT_STREETS: tuple[tuple[str, bool], ...] = (
    ("拓东街道", True),
    ("鼓楼街道", True),
    ("东华街道", True),
    ("联盟街道", True),
    ("金辰街道", True),
    ("青云街道", True),
    ("龙泉街道", True),
    ("茨坝街道", True),
    ("双龙街道", False),
    ("松华街道", False),
    ("滇源街道", False),
    ("阿子营街道", False),
)

URBAN_STEMS = word_list(
    "金星 银河 东风 青年 白塔 穿金 桃源 北辰 园西 新迎 小坝 虹山 圆通 双塔 塘子巷 月牙塘 霖雨 万宏 学府 世博 沣源 "
    "金康 云波 盘江 北京路 太和 金色 尚义 江岸 南站 大树营 菊花 书林 金江 烟草 北市 新兴 白龙 云山 长青 东庄 金沙 "
    "吴井 北仓 松园 和平 丰宁 瑞和 欣城 华西 金马 银泉 明通 樱花 春城 龙翔 金尚 花园 东站 云秀 欣悦 江东 北岭 "
    "兴隆 福德 金牛 昙华 金鼎 岗头 上坝 下坝 马村 波罗 白沙 金瑞 同德 雨花 彩云"
)
RURAL_STEMS = word_list(
    "大营 小河 甸尾 白邑 中所 三瓦 新桥 花箐 龙潭 马军 麦冲 上蒜 大河 阿达龙 果东 团结 竹园 青龙 落水洞 麦地 "
    "石头 小哨 冷水 大哨 牧羊 水井 河西 双哨 三家 沙沟 关坡 九龙 海子 岩头 赵营 老街 横冲 大摆 白石岩 哨上"
)
ROADS = word_list(
    "北京路 白塔路 东风东路 人民东路 青年路 环城北路 金星路 小康大道 龙泉路 北辰大道 沣源路 世博路 金实路 联盟路 "
    "学府路 万宏路 霖雨路 新迎路 桃源街 虹山东路 圆通北路 穿金路 尚义街 拓东路 盘江东路 东华路 金尚路 菊华路 "
    "茨坝路 云波路 松华路 鼓楼路 白龙路 欣悦路 江东路 和平路 金江路 北站横路 岗头路 沙河路"
)

# (code, name with "{d}" for the district name and "{c}" for the city, duties): the joint-meeting members.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("civil_affairs", "{d}民政局", "牵头社会救助工作，低保、特困、临时救助审核确认"),
    ("hrss", "{d}人力资源和社会保障局", "社保参保、养老金、失业保险金、就业信息"),
    ("medical_insurance", "{d}医疗保障局", "医疗保险报销、医疗救助、自付费用信息"),
    ("disability_federation", "{d}残疾人联合会", "残疾人证、残疾人两项补贴"),
    ("public_security", "{c}公安局{s}分局", "户籍、死亡注销、机动车登记信息"),
    ("housing", "{d}住房和城乡建设局", "住房救助、公租房保障"),
    ("education", "{d}教育体育局", "学生资助、教育救助、在学信息"),
    ("health", "{d}卫生健康局", "计划生育特别扶助、家庭医生签约、重病信息"),
    ("finance", "{d}财政局", "救助资金保障与发放、财政供养人员信息"),
    ("tax", "国家税务总局{c}{d}税务局", "个人所得税、纳税信息"),
    ("market_regulation", "{d}市场监督管理局", "市场主体登记信息"),
    ("natural_resources", "{d}自然资源局（不动产登记中心）", "不动产登记信息"),
    ("housing_fund", "{c}住房公积金管理中心{s}管理部", "住房公积金缴存信息"),
    ("agriculture", "{d}农业农村局（乡村振兴）", "防止返贫监测、农村经营收入"),
    ("trade_union", "{d}总工会", "困难职工帮扶"),
    ("womens_federation", "{d}妇女联合会", "困难妇女儿童关爱"),
    ("youth_league", "共青团{d}委员会", "青少年关爱、志愿服务"),
    ("veterans", "{d}退役军人事务局", "优抚对象、抚恤补助"),
    ("justice", "{d}司法局", "法律援助"),
    ("emergency", "{d}应急管理局", "受灾人员救助"),
    ("petitions", "{d}信访局", "信访线索移交"),
    ("statistics", "{d}统计局", "居民收支统计"),
    ("red_cross", "{d}红十字会", "人道救助、大病救助"),
    ("charity_federation", "{d}慈善总会", "慈善救助项目"),
    ("court", "{d}人民法院", "司法救助"),
    ("data_bureau", "{d}政务服务管理局（大数据中心）", "政务数据共享交换"),
    ("people_hospital", "{d}人民医院", "住院费用、重大疾病诊断信息"),
)
SOCIAL_ORGANISATION = ("sunshine_social_work", "{d}阳光社工服务中心", "社会工作服务、探访关爱、个案帮扶")


@dataclass(frozen=True, slots=True)
class CommunitySpec:
    code: str
    name: str
    street_name: str
    is_urban: bool
    weight: float  # relative share of the district's households
    roads: tuple[str, ...]  # urban: the roads of its residence addresses


@dataclass(frozen=True, slots=True)
class StreetSpec:
    code: str
    name: str
    is_urban: bool
    communities: tuple[CommunitySpec, ...]


@dataclass(frozen=True, slots=True)
class DistrictSpec:
    code: str
    name: str
    city: str
    streets: tuple[StreetSpec, ...]
    communities: tuple[CommunitySpec, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "communities", tuple(c for s in self.streets for c in s.communities))

    @property
    def short_name(self) -> str:
        """盘龙区 → 盘龙, for names such as 昆明市公安局盘龙分局."""
        return self.name[:-1] if len(self.name) > 2 and self.name[-1] in "区县市" else self.name


def build_district_spec(
    *,
    district_code: str = "530103",
    district_name: str = "盘龙区",
    city: str = "昆明市",
    streets: Sequence[tuple[str, bool]] = DEFAULT_STREETS,
    communities: int = 100,
) -> DistrictSpec:
    """The tree for a district: streets as given, about `communities` communities spread 8–9 per street."""
    if len(district_code) != 6 or not district_code.isdigit():
        raise ValueError(f"district code must be 6 digits, got {district_code!r}")
    if not streets or len(streets) > 99:
        raise ValueError("a district needs 1–99 streets")
    rng = random.Random(f"district:{district_code}:{district_name}")
    base, extra = divmod(communities, len(streets))
    counts = [base + (1 if i < extra else 0) for i in range(len(streets))]
    rng.shuffle(counts)
    urban_stems, rural_stems, roads = list(URBAN_STEMS), list(RURAL_STEMS), list(ROADS)
    for pool in (urban_stems, rural_stems):
        rng.shuffle(pool)
    built: list[StreetSpec] = []
    for i, ((name, is_urban), count) in enumerate(zip(streets, counts, strict=True), start=1):
        street_code = f"{district_code}{i:03d}"
        members = []
        for j in range(1, max(count, 1) + 1):
            pool = urban_stems if is_urban else rural_stems
            stem = pool.pop() if pool else f"{name[:2]}第{j}"
            code = f"{street_code}{j:03d}" if is_urban else f"{street_code}{200 + j:03d}"
            members.append(
                CommunitySpec(
                    code=code,
                    name=f"{stem}社区" if is_urban else f"{stem}村",
                    street_name=name,
                    is_urban=is_urban,
                    weight=round(rng.lognormvariate(0.0, 0.45) * (1.0 if is_urban else 0.6), 4),
                    roads=tuple(rng.sample(roads, 3)) if is_urban else (),
                )
            )
        built.append(StreetSpec(code=street_code, name=name, is_urban=is_urban, communities=tuple(members)))
    return DistrictSpec(code=district_code, name=district_name, city=city, streets=tuple(built))


def district_names(code: str) -> tuple[str, str]:
    """(district, city) for a 6-digit code from the GB/T 2260 table, e.g. 530102 → ("五华区", "昆明市")."""
    from jiuzhu.core.id_number import region_name

    full = region_name(code)
    if full is None or code.endswith("00"):
        raise ValueError(f"{code} is not a county-level code in the GB/T 2260 table")
    province = region_name(code[:2] + "0000") or ""
    city = (region_name(code[:4] + "00") or "").removeprefix(province)
    if city in ("", "市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位"):
        city = province
    rest = full.removeprefix(province)
    return (rest.removeprefix(city) or rest), city


def allocate_households(spec: DistrictSpec, households: int) -> list[int]:
    """Households per community (in spec order), proportional to the weights, largest remainder first."""
    if households < 0:
        raise ValueError("households must not be negative")
    weights = [c.weight for c in spec.communities]
    total = sum(weights)
    shares = [households * w / total for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: households - sum(counts)]:
        counts[i] += 1
    return counts


def grid_count(households: int) -> int:
    """One grid per ~300 households, at least one, at most 99 (two code digits)."""
    return max(1, min(MAX_GRIDS_PER_COMMUNITY, round(households / HOUSEHOLDS_PER_GRID)))


def grid_code(community_code: str, index: int) -> str:
    return f"{community_code}{index:02d}"


@dataclass
class CreatedDistrict:
    district: OrgUnit
    streets: dict[str, OrgUnit]
    communities: dict[str, OrgUnit]
    grids: dict[str, OrgUnit]
    departments: dict[str, Department]


def _phone(rng: random.Random) -> str:
    return f"0871-6{rng.randrange(10**7):07d}"


def create_district(spec: DistrictSpec, allocation: Sequence[int]) -> CreatedDistrict:
    """Create the district, streets, communities, grids, service points and departments (actor None).

    `allocation` gives the households of each community (from allocate_households), which fixes its grids.
    The caller wraps this in a transaction.
    """
    from jiuzhu.org.models import Department, OrgUnit, ServicePoint
    from jiuzhu.org.services import department_create, org_unit_create, service_point_create

    rng = random.Random(f"points:{spec.code}")

    def unit_with_point(name: str, level: str, code: str, parent, is_urban: bool, point: str, kind: str, address: str):
        """A street or community and its service point (window or station)."""
        unit = org_unit_create(actor=None, name=name, level=level, division_code=code, parent=parent, is_urban=is_urban)
        service_point_create(
            actor=None,
            org_unit=unit,
            name=point,
            kind=kind,
            address=address,
            phone=_phone(rng),
            opening_hours="周一至周五 9:00-12:00 14:00-17:30",
        )
        return unit

    district = org_unit_create(
        actor=None, name=spec.name, level=OrgUnit.Level.DISTRICT, division_code=spec.code, parent=None
    )
    made = CreatedDistrict(district=district, streets={}, communities={}, grids={}, departments={})
    sizes = dict(zip((c.code for c in spec.communities), allocation, strict=True))
    for s in spec.streets:
        street = made.streets[s.code] = unit_with_point(
            s.name,
            OrgUnit.Level.STREET,
            s.code,
            district,
            s.is_urban,
            f"{s.name}一门受理窗口",
            ServicePoint.Kind.WINDOW,
            f"{spec.city}{spec.name}{s.name}便民服务中心一楼",
        )
        for c in s.communities:
            committee = "居委会" if c.is_urban else "村委会"
            community = made.communities[c.code] = unit_with_point(
                c.name,
                OrgUnit.Level.COMMUNITY,
                c.code,
                street,
                c.is_urban,
                f"{c.name}社会救助服务站",
                ServicePoint.Kind.STATION,
                f"{spec.city}{spec.name}{s.name}{c.name}{committee}",
            )
            for g in range(1, grid_count(sizes[c.code]) + 1):
                made.grids[grid_code(c.code, g)] = org_unit_create(
                    actor=None,
                    name=f"{c.name}第{g}网格",
                    level=OrgUnit.Level.GRID,
                    division_code=grid_code(c.code, g),
                    parent=community,
                    is_urban=c.is_urban,
                )
    names = {"d": spec.name, "c": spec.city, "s": spec.short_name}
    for code, name, duties in DEPARTMENTS:
        made.departments[code] = department_create(
            actor=None, code=code, name=name.format(**names), district=district, duties=duties
        )
    code, name, duties = SOCIAL_ORGANISATION
    made.departments[code] = department_create(
        actor=None,
        code=code,
        name=name.format(**names),
        district=district,
        kind=Department.Kind.SOCIAL,
        is_joint_meeting_member=False,
        duties=duties,
    )
    return made
