"""Small builders for tests: a district with two streets, staff of every role, households. All through services."""

from __future__ import annotations

import itertools
from datetime import date

from jiuzhu.core.id_number import make_id_number
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.services import department_create, org_unit_create, staff_create
from jiuzhu.registry import services as registry

PASSWORD = "Correct-Horse-Battery-9"
_sequence = itertools.count(100)


def build_district() -> dict[str, OrgUnit]:
    district = org_unit_create(actor=None, name="盘龙区", level="district", division_code="530103", parent=None)
    units = {"district": district}
    for key, code, name in (("a", "001", "拓东街道"), ("b", "002", "鼓楼街道")):
        street = org_unit_create(actor=None, name=name, level="street", division_code=f"530103{code}", parent=district)
        community = org_unit_create(
            actor=None,
            name=f"{name[:2]}社区",
            level="community",
            division_code=f"530103{code}001",
            parent=street,
        )
        grid = org_unit_create(
            actor=None,
            name=f"{name[:2]}第一网格",
            level="grid",
            division_code=f"530103{code}00101",
            parent=community,
        )
        units |= {f"street_{key}": street, f"community_{key}": community, f"grid_{key}": grid}
    units["department"] = department_create(actor=None, code="hrss", name="人力资源和社会保障局", district=district)
    return units


def make_staff(username: str, role: str, org_unit: OrgUnit, **extra) -> Staff:
    return staff_create(
        actor=None,
        username=username,
        full_name=f"测试{username}",
        role=role,
        org_unit=org_unit,
        password=PASSWORD,
        **extra,
    )


def new_id_number(born: date = date(1970, 3, 5), region: str = "530103") -> str:
    return make_id_number(region, born, next(_sequence) % 1000)


def make_household(actor: Staff, grid: OrgUnit, *, head_name: str = "张建国", members: int = 2):
    household = registry.household_create(
        actor=actor,
        org_unit=grid,
        residence_address=f"{grid.name}金星路{next(_sequence)}号",
        residence_division_code=grid.division_code[:12],
        hukou_division_code=grid.division_code[:12],
        phone="13812345678",
    )
    head = registry.person_create(actor=actor, name=head_name, id_number=new_id_number(), phone="13987654321")
    registry.membership_add(actor=actor, household=household, person=head, relation="head", joined_on=date(2010, 1, 1))
    for i in range(members - 1):
        member = registry.person_create(
            actor=actor, name=f"{head_name[0]}小{i + 1}", id_number=new_id_number(date(2012, 6, 1 + i))
        )
        registry.membership_add(
            actor=actor, household=household, person=member, relation="child", joined_on=date(2012, 6, 1)
        )
    return household


def add_income(household, amount: str, *, valid_from: date = date(2024, 1, 1), category: str = "wage"):
    """A monthly income of the head, as a department's data would put it on the file."""
    from decimal import Decimal

    from jiuzhu.registry.models import IncomeRecord

    return IncomeRecord.objects.create(
        household=household,
        person=household.head(),
        category=category,
        amount=Decimal(amount),
        period="monthly",
        source="department",
        valid_from=valid_from,
    )
