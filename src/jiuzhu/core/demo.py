"""The demo district's staff accounts, one per role, printed for the person trying jiuzhu out."""

from __future__ import annotations

from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.org.services import staff_create

DEMO_PASSWORD = "Jiuzhu@2026demo"


def demo_accounts() -> list[dict]:
    district = OrgUnit.objects.get(level=OrgUnit.Level.DISTRICT, parent=None)
    streets = list(OrgUnit.objects.filter(parent=district).order_by("division_code")[:2])
    community = OrgUnit.objects.filter(parent=streets[0]).order_by("division_code").first()
    grid = OrgUnit.objects.filter(parent=community).order_by("division_code").first()
    hrss = Department.objects.filter(code="hrss").first() or Department.objects.first()
    return [
        {"username": "admin", "full_name": "系统管理员", "role": Staff.Role.ADMIN, "org_unit": district},
        {
            "username": "approver",
            "full_name": "区民政局审批员",
            "role": Staff.Role.DISTRICT_APPROVER,
            "org_unit": district,
        },
        {
            "username": "street1",
            "full_name": f"{streets[0].name}民政事务员",
            "role": Staff.Role.STREET_OFFICER,
            "org_unit": streets[0],
        },
        {
            "username": "street2",
            "full_name": f"{streets[1].name}民政事务员",
            "role": Staff.Role.STREET_OFFICER,
            "org_unit": streets[1],
        },
        {
            "username": "coord1",
            "full_name": f"{community.name}救助协理员",
            "role": Staff.Role.COMMUNITY_COORDINATOR,
            "org_unit": community,
        },
        {
            "username": "grid1",
            "full_name": f"{grid.name}网格员",
            "role": Staff.Role.GRID_WORKER,
            "org_unit": grid,
        },
        {
            "username": "liaison",
            "full_name": f"{hrss.name}联络员",
            "role": Staff.Role.DEPARTMENT_LIAISON,
            "org_unit": district,
            "department": hrss,
        },
        {
            "username": "supervisor",
            "full_name": "区督查员",
            "role": Staff.Role.SUPERVISOR,
            "org_unit": district,
        },
    ]


def create_demo_accounts(password: str = DEMO_PASSWORD) -> list[Staff]:
    created = []
    for spec in demo_accounts():
        if Staff.objects.filter(username=spec["username"]).exists():
            continue
        superuser = spec["role"] == Staff.Role.ADMIN
        created.append(staff_create(actor=None, password=password, superuser=superuser, **spec))
    return created
