"""Writes to the organisation: units of the tree and staff accounts, delegated down the levels (R1.3)."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.audit import services as audit
from jiuzhu.org.errors import OrgError
from jiuzhu.org.errors import OrgErrorCode as E
from jiuzhu.org.models import ApiClient, Department, OrgUnit, ServicePoint, Staff
from jiuzhu.org.permissions import MANAGE_STAFF

# The level at which each role works; staff accounts sit on a unit of that level.
ROLE_LEVEL = {
    Staff.Role.ADMIN: OrgUnit.Level.DISTRICT,
    Staff.Role.DISTRICT_APPROVER: OrgUnit.Level.DISTRICT,
    Staff.Role.SUPERVISOR: OrgUnit.Level.DISTRICT,
    Staff.Role.DEPARTMENT_LIAISON: OrgUnit.Level.DISTRICT,
    Staff.Role.SOCIAL_ORGANISATION: OrgUnit.Level.DISTRICT,
    Staff.Role.STREET_OFFICER: OrgUnit.Level.STREET,
    Staff.Role.COMMUNITY_COORDINATOR: OrgUnit.Level.COMMUNITY,
    Staff.Role.GRID_WORKER: OrgUnit.Level.GRID,
}


@transaction.atomic
def org_unit_create(
    *,
    actor: Staff | None,
    name: str,
    level: str,
    division_code: str,
    parent: OrgUnit | None,
    is_urban: bool = True,
) -> OrgUnit:
    if actor is not None:
        is_admin = actor.is_superuser or actor.role == Staff.Role.ADMIN
        if not is_admin or parent is None or not actor.org_unit.contains(parent):
            raise OrgError(E.NOT_ALLOWED)
    expected_depth = 0 if parent is None else parent.depth + 1
    if expected_depth >= len(OrgUnit.LEVEL_ORDER) or OrgUnit.LEVEL_ORDER[expected_depth] != level:
        raise OrgError(
            E.LEVEL_ORDER,
            child=OrgUnit.Level(level).label,
            parent=parent.get_level_display() if parent else "（无上级）",
        )
    unit = OrgUnit(name=name, level=level, division_code=division_code, parent=parent, is_urban=is_urban, path="")
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit.record(actor=actor, action="org_unit.create", obj=unit)
    return unit


@transaction.atomic
def service_point_create(*, actor: Staff | None, org_unit: OrgUnit, name: str, **fields) -> ServicePoint:
    point = ServicePoint(org_unit=org_unit, name=name, **fields)
    point.full_clean()
    point.save()
    audit.record(actor=actor, action="service_point.create", obj=point)
    return point


@transaction.atomic
def department_create(*, actor: Staff | None, code: str, name: str, district: OrgUnit, **fields) -> Department:
    department = Department(code=code, name=name, district=district, **fields)
    department.full_clean()
    department.save()
    audit.record(actor=actor, action="department.create", obj=department)
    return department


def _check_delegation(actor: Staff, role: str, unit: OrgUnit) -> None:
    if actor.is_superuser or actor.role == Staff.Role.ADMIN:
        if not actor.org_unit.contains(unit):
            raise OrgError(E.OUT_OF_JURISDICTION)
        return
    if not actor.has_perm(MANAGE_STAFF):
        raise OrgError(E.NOT_ALLOWED)
    if not actor.org_unit.contains(unit):
        raise OrgError(E.OUT_OF_JURISDICTION)
    # 逐级下放: one may create accounts only for units strictly below one's own.
    if unit.depth <= actor.org_unit.depth:
        raise OrgError(E.ROLE_ABOVE_ACTOR)


@transaction.atomic
def staff_create(
    *,
    actor: Staff | None,
    username: str,
    full_name: str,
    role: str,
    org_unit: OrgUnit,
    password: str | None = None,
    phone: str = "",
    department: Department | None = None,
    service_point: ServicePoint | None = None,
    superuser: bool = False,
) -> Staff:
    """Create an account. `actor` None is the installer (the demo or `jiuzhu createadmin`), the only one who may
    make a superuser (the district's first administrator, who then has the admin site)."""
    if actor is not None:
        _check_delegation(actor, role, org_unit)
    if superuser and (actor is not None or role != Staff.Role.ADMIN):
        raise OrgError(E.NOT_ALLOWED)
    if role in (Staff.Role.DEPARTMENT_LIAISON, Staff.Role.SOCIAL_ORGANISATION) and department is None:
        raise OrgError(E.ROLE_NEEDS_DEPARTMENT)
    if ROLE_LEVEL[Staff.Role(role)] != org_unit.level:
        raise OrgError(E.ROLE_LEVEL, role=Staff.Role(role).label, level=OrgUnit.Level(ROLE_LEVEL[role]).label)
    staff = Staff(
        username=username,
        full_name=full_name,
        role=role,
        org_unit=org_unit,
        phone=phone,
        department=department,
        service_point=service_point,
        is_staff=role == Staff.Role.ADMIN,
        is_superuser=superuser,
    )
    if password:
        staff.set_password(password)
    else:
        staff.set_unusable_password()
    staff.full_clean(exclude=["password"])
    staff.save()
    audit.record(actor=actor, action="staff.create", obj=staff, changes={"role": role, "org_unit": org_unit.name})
    return staff


@transaction.atomic
def api_client_create(*, actor: Staff | None, name: str, staff: Staff) -> tuple[ApiClient, str]:
    """Issue a token for a machine. The token is shown once; only its hash is kept."""
    token = ApiClient.new_token()
    client = ApiClient.objects.create(
        name=name, staff=staff, token_hash=ApiClient.hash_token(token), token_prefix=token[:8]
    )
    audit.record(actor=actor, action="api_client.create", obj=client)
    return client, token
