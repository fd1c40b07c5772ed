"""Where an alert's work goes (R5.3, 004 二(四)2; 000 adds the place of residence).

* A person on the rolls (在册救助对象) → a work order to each department whose help the scenario implies
  (`route.recipients`: department codes, or `street` for their street to re-check the benefit).
* Anyone else on file → the street of their household registration (户籍地) and, where they live in another street,
  the street of residence (居住地) too; the street assigns a community, which visits, explains every programme
  (the one-time notice) and helps them apply.
* An ID number not on file → a linkage work order at the district: find out who it is before anything is lost.
"""

from __future__ import annotations

from jiuzhu.monitoring.models import Alert
from jiuzhu.monitoring.scenarios import Scenario
from jiuzhu.org.models import Department, OrgUnit
from jiuzhu.registry.models import Household


def street_of_unit(unit: OrgUnit | None) -> OrgUnit | None:
    if unit is None:
        return None
    if unit.level == OrgUnit.Level.STREET:
        return unit
    return unit.ancestors().filter(level=OrgUnit.Level.STREET).first()


def community_of_unit(unit: OrgUnit) -> OrgUnit:
    """The community a household's unit belongs to (its grid's parent), or the unit itself above that level."""
    if unit.level == OrgUnit.Level.GRID and unit.parent_id:
        return unit.parent
    return unit


def street_of_division(code: str) -> OrgUnit | None:
    """The street (or the street above the community) whose division code the given code starts with."""
    code = (code or "").strip()
    if len(code) < 9:
        return None
    found = OrgUnit.objects.filter(division_code__in=[code[:n] for n in (9, 12) if len(code) >= n]).first()
    return street_of_unit(found)


def district_unit() -> OrgUnit:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()


def _describe(alert: Alert) -> str:
    lines = [f"预警场景：{alert.scenario_name}（{alert.get_severity_display()}）"]
    for reason in alert.reasons:
        values = "，".join(f"{k}：{v}" for k, v in reason["values"].items() if v not in (None, ""))
        lines.append(f"· {reason['occurred_on']} {reason['kind']}（{reason['source']}）{values}")
        for check in reason["checks"]:
            shown = f" —— {check['value']}" if "value" in check else ""
            limit = f"，标准 {check['limit']}" if "limit" in check else ""
            basis = f"（{check['reference']}）" if check.get("reference") else ""
            lines.append(f"  条件：{check['rule']}{shown}{limit}{basis}")
    return "\n".join(lines)


def route_alert(*, alert: Alert, scenario: Scenario) -> list:
    """Make the alert's work orders and record where they went."""
    from jiuzhu.workorders.deadlines import parse_rule
    from jiuzhu.workorders.services import work_order_create

    deadline = None
    if scenario.deadline is not None:
        deadline = parse_rule(scenario.deadline, file=scenario.file, where=scenario.deadline_where)
    targets = _targets(alert, scenario)
    description = _describe(alert)
    orders = []
    for target in targets:
        orders.append(
            work_order_create(
                actor=None,
                kind="alert",
                title=f"{scenario.name}：{alert.name or '未具名'}（{target['why']}）",
                description=description + f"\n处置要求：{target['task']}",
                household=alert.household,
                person=alert.person,
                owner_unit=target.get("unit"),
                owner_department=target.get("department"),
                origin="alert",
                origin_id=alert.pk,
                deadline=deadline,
                locality=alert.locality,
            )
        )
    alert.route = [{"to": str(t.get("unit") or t.get("department")), "why": t["why"]} for t in targets]
    alert.status = Alert.Status.UNLINKED if alert.person_id is None else Alert.Status.ROUTED
    alert.save(update_fields=["route", "status"])
    return orders


VISIT = "通知社区入户了解情况，告知可申请的救助政策（一次性告知），本人申请有困难的协助申请"
RECHECK = "核实家庭人口、收入和财产变化，按规定调整、暂停或停止救助待遇"


def _targets(alert: Alert, scenario: Scenario) -> list[dict]:
    if alert.person_id is None:
        return [
            {
                "unit": district_unit(),
                "why": "未在册人员，待核实身份",
                "task": "核实该身份证号对应人员及其家庭、住址，关联到户后按预警场景处置",
            }
        ]
    household: Household | None = alert.household
    if alert.is_recipient:
        targets = []
        for code in scenario.route_recipients:
            if code == "street":
                street = street_of_unit(household.org_unit) if household else None
                if street:
                    targets.append({"unit": street, "why": "在册救助对象", "task": RECHECK})
                continue
            department = Department.objects.filter(code=code).first()
            if department:
                targets.append(
                    {"department": department, "why": "在册救助对象，部门落实帮扶", "task": "按职责审核并落实帮扶措施"}
                )
        if targets:
            return targets
    if scenario.route_others == "none" and not alert.is_recipient:
        return []
    person = alert.person
    hukou_code = (household.hukou_division_code if household else "") or person.hukou_division_code
    hukou = street_of_division(hukou_code)
    residence = street_of_unit(household.org_unit) if household else street_of_division(person.residence_division_code)
    targets = []
    if hukou:
        targets.append({"unit": hukou, "why": "户籍地", "task": VISIT})
    if residence and residence != hukou:
        why = "居住地" if hukou else "居住地（户籍地不在本辖区）"
        targets.append({"unit": residence, "why": why, "task": VISIT})
    if not targets:
        targets.append({"unit": district_unit(), "why": "户籍地和居住地均不在本辖区", "task": VISIT})
    return targets
