"""What the staff pages of applications and cases share: labels, who acts at each step, countdowns, small helpers."""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiuzhu.cases import steps
from jiuzhu.cases.models import Case
from jiuzhu.cases.workflows import STEP_LABELS
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.org.permissions import (
    APPROVE_CASE,
    INVESTIGATE,
    REVIEW_CASE,
)
from jiuzhu.registry.models import Household

ACTION_LABELS = {
    "open": gettext_lazy("受理"),
    "conflict": gettext_lazy("近亲属关系单独登记备案"),
    "start": gettext_lazy("启动"),
    steps.DONE: gettext_lazy("完成"),
    "contested": gettext_lazy("提请民主评议"),
    "objection": gettext_lazy("公示异议"),
    "extend": gettext_lazy("延期"),
    "escalate": gettext_lazy("督办"),
    "spot_check": gettext_lazy("抽查核实"),
    "advance": gettext_lazy("先行救助"),
    "meeting": gettext_lazy("一事一议"),
    "approve": gettext_lazy("批准"),
    "refuse": gettext_lazy("不予批准"),
    "delivered": gettext_lazy("文书送达"),
    "note": gettext_lazy("说明"),
}
# Who moves a case on at each step (the services decide; the page only offers the form to those who may).
STEP_PERMISSION = {
    "investigation": INVESTIGATE,
    "verification": INVESTIGATE,
    "appraisal": INVESTIGATE,
    "review": REVIEW_CASE,
    "notice": REVIEW_CASE,
    "approval": APPROVE_CASE,
}
STEP_ACTORS = {
    "investigation": gettext_lazy("社区救助协理员或街道（乡镇）工作人员"),
    "verification": gettext_lazy("社区救助协理员或街道（乡镇）工作人员（核对由区县核对机构完成）"),
    "appraisal": gettext_lazy("社区救助协理员或街道（乡镇）工作人员"),
    "review": gettext_lazy("街道（乡镇）民政事务员"),
    "notice": gettext_lazy("街道（乡镇）民政事务员"),
}
WORKER_ROLES_EXCLUDED = (
    Staff.Role.ADMIN,
    Staff.Role.DEPARTMENT_LIAISON,
    Staff.Role.SOCIAL_ORGANISATION,
    Staff.Role.SUPERVISOR,
)


# --- Small helpers ----------------------------------------------------------------------------------------------


def countdown(due_at: datetime | None, now: datetime | None = None) -> dict | None:
    """{"state": "due" | "overdue", "text": "剩余3天", "soon": bool} for a deadline; None without one."""
    if due_at is None:
        return None
    seconds = (due_at - (now or timezone.now())).total_seconds()
    if seconds >= 0:
        hours = math.ceil(seconds / 3600)
        text = _("剩余%(n)s小时") % {"n": hours} if hours <= 48 else _("剩余%(n)s天") % {"n": hours // 24}
        return {"state": "due", "text": text, "soon": hours <= 48}
    late = -seconds
    if late < 86400:
        return {"state": "overdue", "text": _("已超期%(n)s小时") % {"n": math.ceil(late / 3600)}, "soon": True}
    return {"state": "overdue", "text": _("已超期%(n)s天") % {"n": math.ceil(late / 86400)}, "soon": True}


def _may(actor: Staff, perm: str) -> bool:
    """The actor's role may do this kind of change at all (where and when is for the service to say)."""
    return actor.is_active and actor.has_perm(perm) and not actor.is_read_only and not actor.is_department_member


def _district_of(unit: OrgUnit) -> OrgUnit:
    return next((u for u in unit.ancestors() if u.level == OrgUnit.Level.DISTRICT), unit)


def _departments(household: Household | None):
    if household is None:
        return Department.objects.none()
    return Department.objects.filter(district=_district_of(household.org_unit)).order_by("name")


def _error_status(exc: JiuzhuError) -> int:
    return exc.http_status


def next_step_label(case: Case) -> str:
    """The step after the current one, or what follows the decision."""
    if case.status == Case.Status.APPROVED:
        return _("按月发放") if case.payment_from else _("发放")
    if case.status == Case.Status.REFUSED:
        return _("书面告知申请人（不予批准告知书）")
    if not case.is_open:
        return ""
    try:
        required = steps.required_steps(case)
    except JiuzhuError:
        return ""
    if case.step in required and required.index(case.step) + 1 < len(required):
        return STEP_LABELS[required[required.index(case.step) + 1]]
    return _("作出决定")
