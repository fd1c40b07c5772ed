"""Referrals (转介) and the joint matter (一件事联办, R6.3): a department's part of a family's need, sent once with
everything it needs — the family, the facts on file, what the rules say, the materials already collected — as a
work order the department accepts, handles and reports back on within its limit."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.audit import services as audit
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.models import Application, Referral
from jiuzhu.core.masking import mask_id_number, mask_phone
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.org.permissions import REFER
from jiuzhu.registry.models import Household
from jiuzhu.registry.services import household_share
from jiuzhu.workorders.models import WorkOrder
from jiuzhu.workorders.services import work_order_create


def _district(unit: OrgUnit) -> OrgUnit:
    return next((u for u in unit.ancestors() if u.level == OrgUnit.Level.DISTRICT), unit)


def referral_package(household: Household, *, programme: str = "", application: Application | None = None) -> dict:
    """What the department receives: the family (ID numbers masked; the liaison sees the file through the share),
    what is on file, what the rules say about its programme today, and the materials already collected."""
    from django.utils import timezone

    from jiuzhu.policy.checks import eligibility_check
    from jiuzhu.policy.localities import pack_for_division
    from jiuzhu.policy.registry_facts import household_document

    today = china_date(timezone.now())
    members = [
        {
            "name": m.person.name,
            "relation": m.get_relation_display(),
            "id_number": mask_id_number(m.person.id_number),
            "age": m.person.age_on(today),
            "disability": m.person.get_disability_kind_display()
            + (f"{m.person.disability_grade}级" if m.person.disability_grade else ""),
            "serious_illness": m.person.serious_illness,
        }
        for m in household.current_memberships()
    ]
    rules: dict = {}
    if programme:
        locality = application.locality if application else pack_for_division(household.org_unit.division_code)
        try:
            result = eligibility_check(
                locality=locality, as_of=today, document=household_document(household, as_of=today)
            )
            found = next((p for p in result["programmes"] if p["code"] == programme), None)
            if found:
                rules = {
                    "programme": found["name"],
                    "status": found["status"],
                    "benefit": found.get("benefit"),
                    "conditions": [f"{c['label']}：{c['status']}" for c in found.get("conditions", [])],
                    "materials": found.get("materials", []),
                }
                if "members" in found:  # a programme decided person by person: each member's result
                    rules["members"] = [
                        {
                            "name": m["name"],
                            "status": m["status"],
                            "benefit": m.get("benefit"),
                            "conditions": [f"{c['label']}：{c['status']}" for c in m.get("conditions", [])],
                        }
                        for m in found["members"]
                    ]
        except Exception as exc:  # the package goes out without the rules' view rather than not at all
            rules = {"error": str(exc)}
    return {
        "household": household.number,
        "address": household.residence_address or household.hukou_address,
        "phone": mask_phone(household.phone),
        "members": members,
        "rules": rules,
        "application": application.number if application else "",
        "situation": application.situation if application else "",
        "materials_collected": list(application.materials_provided) if application else [],
        "as_of": today.isoformat(),
    }


@transaction.atomic
def referral_create(
    *,
    actor: Staff,
    household: Household,
    department_code: str = "",
    department: Department | None = None,
    need: str,
    programme: str = "",
    application: Application | None = None,
    origin: str = "",
    origin_id: int | None = None,
    note: str = "",
) -> Referral:
    """Refer a need to a department, from an application, a case or an alert. The department's liaisons see the
    household while the referral is open; the applicant sees it as part of their matter."""
    if not actor.has_perm(REFER) or actor.is_department_member:
        raise CaseError(E.NOT_ALLOWED, what="转介")
    if department is None:
        department = Department.objects.filter(code=department_code, district=_district(household.org_unit)).first()
        if department is None:
            # the message's {code} cannot be a keyword here (JiuzhuError's own first argument is `code`)
            raise CaseError(E.NO_DEPARTMENT, detail=str(E.NO_DEPARTMENT.label).format(code=department_code))
    if Referral.objects.filter(
        household=household, department=department, need=need, origin=origin, origin_id=origin_id
    ).exists():
        raise CaseError(E.REFERRAL_EXISTS, department=department.name, need=need)
    package = referral_package(household, programme=programme, application=application)
    lines = [f"{m['relation']} {m['name']}（{m['age']}岁）{m['disability']}" for m in package["members"]]
    description = "\n".join(
        [
            f"转介事项：{need}",
            f"申请编号：{package['application']}" if package["application"] else "",
            f"困难情况：{package['situation']}" if package["situation"] else "",
            "家庭成员：" + "；".join(lines),
            note,
        ]
    ).strip()
    order = work_order_create(
        actor=actor,
        kind=WorkOrder.Kind.REFERRAL,
        title=f"转介：{need}（{household.number}）",
        description=description,
        household=household,
        owner_department=department,
        origin=origin or "referral",
        origin_id=origin_id,
    )
    household_share(actor=actor, household=household, department=department, reason=f"转介：{need}")
    referral = Referral.objects.create(
        application=application,
        household=household,
        department=department,
        need=need,
        programme=programme,
        origin=origin,
        origin_id=origin_id,
        package=package,
        work_order=order,
        created_by=actor,
    )
    audit.record(actor=actor, action="referral.create", obj=referral, changes={"department": department.code})
    return referral
