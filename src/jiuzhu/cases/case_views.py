"""Staff pages of cases (R6.2): the list with countdowns, each case's procedure as a timeline with the current
step's form for the user's role, the actions, investigation photos, and referrals (转介) from a case or an alert.

Thin like the application pages: selectors for reads, services for writes, the services' Chinese message on a
refusal with the form rendered again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.cases import decisions, selectors, steps
from jiuzhu.cases.forms import (
    INVESTIGATION_ITEMS,
    AdvanceForm,
    AppraisalForm,
    DecisionForm,
    ExtendForm,
    InvestigationForm,
    MeetingForm,
    ObjectionForm,
    ReferForm,
    ReviewForm,
    SpotCheckForm,
)
from jiuzhu.cases.models import Case, CaseAction, CasePhoto, Referral
from jiuzhu.cases.page_support import (
    ACTION_LABELS,
    STEP_ACTORS,
    STEP_PERMISSION,
    WORKER_ROLES_EXCLUDED,
    _departments,
    _error_status,
    _may,
    countdown,
    next_step_label,
)
from jiuzhu.cases.photos import PHOTOS
from jiuzhu.cases.referrals import referral_create
from jiuzhu.cases.workflows import STEP_LABELS
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import (
    APPROVE_CASE,
    INVESTIGATE,
    REFER,
    REVIEW_CASE,
)
from jiuzhu.registry.models import Household

# --- Cases: the list -----------------------------------------------------------------------------------------------


@login_required
def case_list_page(request):
    actor: Staff = request.user
    if actor.is_department_member or actor.role == Staff.Role.GRID_WORKER:
        raise PermissionDenied
    step = request.GET.get("step", "")
    if step not in STEP_LABELS:
        step = ""
    status = request.GET.get("status", "")
    if status not in Case.Status.values:
        status = ""
    overdue, escalated = request.GET.get("overdue") == "1", request.GET.get("escalated") == "1"
    qs = selectors.case_list(actor=actor, step=step, status=status, overdue=overdue, escalated=escalated)
    qs = qs.annotate(next_due=Coalesce("step_due_at", "due_at")).order_by("status", "next_due", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "case": c,
            "step": STEP_LABELS.get(c.step, ""),
            "step_countdown": countdown(c.step_due_at, now) if c.is_open else None,
            "countdown": countdown(c.due_at, now) if c.is_open else None,
            "overdue": c.is_overdue(now),
        }
        for c in page.object_list
    ]
    scope = selectors.case_list(actor=actor, status=Case.Status.IN_PROGRESS)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": rows,
            "step": step,
            "status": status,
            "overdue": overdue,
            "escalated": escalated,
            "steps": list(STEP_LABELS.items()),
            "statuses": Case.Status.choices,
            "counts": {
                "open": scope.count(),
                "overdue": selectors.case_list(actor=actor, overdue=True).count(),
                "escalated": selectors.case_list(actor=actor, escalated=True).count(),
            },
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def cases_awaiting(*, actor: Staff):
    """Open cases in the actor's scope whose current step is theirs to do, the most urgent first (the workbench)."""
    if actor.is_department_member or actor.is_read_only or actor.role == Staff.Role.GRID_WORKER:
        return Case.objects.none()
    mine = Q(pk__in=[])
    for step, perm in STEP_PERMISSION.items():
        if step == "approval":
            continue
        if _may(actor, perm):
            mine |= Q(step=step)
    if _may(actor, APPROVE_CASE) and actor.org_unit.level == OrgUnit.Level.DISTRICT:
        mine |= Q(step="approval")
    elif _may(actor, REVIEW_CASE):  # where approval is delegated, or small temporary aid (by amount tiers)
        mine |= Q(step="approval") & (Q(approval_by="street") | Q(programme="temporary_aid"))
    qs = selectors.case_list(actor=actor, status=Case.Status.IN_PROGRESS).filter(mine)
    return qs.annotate(next_due=Coalesce("step_due_at", "due_at")).order_by("next_due", "pk")


# --- One case ----------------------------------------------------------------------------------------------------


@dataclass
class Node:
    step: str
    label: str
    state: str  # done | current | pending | skipped
    actions: list


def timeline(case: Case, actions: list[CaseAction]) -> tuple[list[Node], list[CaseAction]]:
    """The required steps in order, each with its state and everything done at it; and actions at no such step."""
    states = steps.step_states(case, actions)
    nodes = [Node(step, STEP_LABELS[step], state, [a for a in actions if a.step == step]) for step, state in states]
    required = {step for step, _state in states}
    return nodes, [a for a in actions if a.step not in required]


def _team(household: Household):
    """Who may investigate this household: active staff of its unit and the units above it (57号 第十六条: ≥ 2)."""
    return (
        Staff.objects.filter(is_active=True, org_unit__in=household.org_unit.ancestors())
        .exclude(role__in=WORKER_ROLES_EXCLUDED)
        .select_related("org_unit")
        .order_by("org_unit__path", "role", "full_name")
    )


def _may_decide(actor: Staff, case: Case, level: int) -> bool:
    if not _may(actor, APPROVE_CASE) and not _may(actor, REVIEW_CASE):
        return False
    if actor.has_perm(APPROVE_CASE) and actor.org_unit.level == OrgUnit.Level.DISTRICT:
        return True
    return level == decisions.LEVEL_STREET and actor.has_perm(REVIEW_CASE)


def _assessment(case: Case, today) -> tuple[dict, bool]:
    """The rules' view of the case: the one recorded at review or decision, else today's estimate."""
    basis = (case.amount_basis or {}).get("decision") or case.amount_basis or {}
    if basis or not case.is_open or case.household is None:
        return basis, False
    try:
        return decisions.assess(case, today).basis, True
    except Exception:  # an estimate only: the page shows without it rather than fail
        return {}, False


def _case_forms(case: Case, basis: dict, bound: dict) -> dict:
    household = case.household
    failed = [c["label"] for c in basis.get("conditions", []) if c.get("held") is False]
    forms = {
        "investigation_form": InvestigationForm(team=_team(household)),
        "appraisal_form": AppraisalForm(),
        "review_form": ReviewForm(),
        "objection_form": ObjectionForm(),
        "decision_form": DecisionForm(initial={"reasons": "\n".join(failed)}),
        "spot_check_form": SpotCheckForm(),
        "meeting_form": MeetingForm(),
        "advance_form": AdvanceForm(),
        "extend_form": ExtendForm(),
        "refer_form": ReferForm(departments=_departments(household)),
    }
    forms.update({k: v for k, v in bound.items() if v is not None})
    return forms


def _case_context(request, case: Case, **bound) -> dict:
    actor: Staff = request.user
    now = timezone.now()
    today = china_date(now)
    application = case.application
    household = case.household
    workflow = steps.workflow_of(case)
    actions = list(case.actions.select_related("actor").prefetch_related("photos"))
    nodes, others = timeline(case, actions)
    basis, estimated = _assessment(case, today)
    level, level_label = decisions.approval_level(case, case.meeting_amount or case.proposed_amount, today)
    started = any(a.action == "start" and a.at >= (case.step_started_at or a.at) for a in actions)
    decided = case.status in (Case.Status.APPROVED, Case.Status.REFUSED)
    open_step = case.step if case.is_open else ""
    can = {
        "start": open_step == "investigation" and _may(actor, INVESTIGATE) and not started,
        "investigate": open_step == "investigation" and _may(actor, INVESTIGATE),
        "verified": open_step == "verification" and _may(actor, INVESTIGATE),
        "appraise": open_step == "appraisal" and _may(actor, INVESTIGATE),
        "review": open_step == "review" and _may(actor, REVIEW_CASE),
        "close_notice": open_step == "notice" and _may(actor, REVIEW_CASE),
        "objection": open_step == "notice" and _may(actor, INVESTIGATE),
        "decide": open_step == "approval" and _may_decide(actor, case, level),
        "spot_check": open_step == "approval"
        and case.spot_check_required
        and case.spot_checked_at is None
        and _may(actor, APPROVE_CASE),
        "meeting": case.is_open and case.programme == "temporary_aid" and _may(actor, APPROVE_CASE),
        "advance": case.is_open
        and workflow.advance
        and application.emergency
        and case.advance_paid_at is None
        and _may(actor, REVIEW_CASE),
        "extend": case.is_open
        and not case.extended_reason
        and workflow.limit("total_extended") is not None
        and _may(actor, REVIEW_CASE),
        "delivered": decided and case.letter_delivered_at is None and _may(actor, REVIEW_CASE),
        "refer": _may(actor, REFER) and household is not None,
    }
    step_forms = ("start", "investigate", "verified", "appraise", "review", "close_notice", "objection", "decide")
    verification = case.verification
    stale = bool(
        verification
        and verification.completed_at
        and (now - verification.completed_at).days > workflow.verification_valid_days
    )
    limit_of = {name: workflow.limit(name) for name in ("refusal_letter", "advance", "verification", "investigation")}
    return {
        "c": case,
        "a": application,
        "household": household,
        "head": household.head() if household else None,
        "members": household.current_memberships().count() if household else 0,
        "workflow": workflow,
        "timeline": nodes,
        "other_actions": others,
        "action_labels": ACTION_LABELS,
        "investigation_items": INVESTIGATION_ITEMS,
        "step_label": STEP_LABELS.get(case.step, "") if case.is_open else "",
        "next_step": next_step_label(case),
        "step_countdown": countdown(case.step_due_at, now) if case.is_open else None,
        "countdown": countdown(case.due_at, now) if case.is_open else None,
        "overdue": case.is_overdue(now),
        "step_limit_met": case.is_open and case.step_due_at is None and started,
        "advance_countdown": countdown(case.advance_due_at, now) if case.advance_due_at else None,
        "advance_limit": limit_of["advance"].rule if limit_of["advance"] else None,
        "letter_countdown": countdown(case.letter_due_at, now)
        if case.letter_due_at and not case.letter_delivered_at
        else None,
        "letter_limit": limit_of["refusal_letter"].rule if limit_of["refusal_letter"] else None,
        "basis": basis,
        "estimated": estimated,
        "approval_level": level_label,
        "step_actor": STEP_ACTORS.get(case.step) or level_label,
        "verification": verification,
        "verification_stale": stale,
        "notice_running": open_step == "notice" and case.notice_ends_on is not None and today <= case.notice_ends_on,
        "can": can,
        "can_any_step": any(can[k] for k in step_forms),
        "referrals": Referral.objects.filter(Q(origin="case", origin_id=case.pk) | Q(application=application))
        .select_related("department", "work_order")
        .order_by("pk"),
        **_case_forms(case, basis, bound),
    }


@login_required
def case_detail(request, case_id: int):
    case = selectors.case_get(actor=request.user, id=case_id)
    return render(request, "cases/case_detail.html", _case_context(request, case))


def _investigate(actor, case, form, request):
    photos = [PHOTOS.checked_image(f) for f in form.cleaned_data["photos"]]
    return steps.case_investigate(
        actor=actor,
        case=case,
        investigators=list(form.cleaned_data["investigators"]),
        findings=form.cleaned_data["findings"],
        form=form.record(),
        photos=photos,
    )


def _decide(actor, case, form, request):
    return decisions.case_decide(
        actor=actor,
        case=case,
        approve=form.cleaned_data["decision"] == "approve",
        opinion=form.cleaned_data["opinion"],
        reasons=form.reason_list(),
        amount=form.cleaned_data["amount"],
    )


def _refer(actor, case, form, request):
    return referral_create(
        actor=actor,
        household=case.household,
        department=form.cleaned_data["department"],
        need=form.cleaned_data["need"].strip(),
        application=case.application,
        origin="case",
        origin_id=case.pk,
        note=form.cleaned_data["note"],
    )


def _decided_message(case: Case) -> str:
    case.refresh_from_db()
    if case.status == Case.Status.APPROVED:
        start = _("，自%(m)s起发放") % {"m": f"{case.payment_from:%Y年%m月}"} if case.payment_from else ""
        return _("已批准%(start)s。决定书编号 %(n)s。") % {"start": start, "n": case.decision_number}
    due = f"{timezone.localtime(case.letter_due_at):%Y-%m-%d}" if case.letter_due_at else ""
    return _("已作出不予批准决定，请于 %(due)s 前书面告知申请人并说明理由。") % {"due": due}


@dataclass(frozen=True)
class CaseAct:
    form: str | None  # the context name of its form, None for a button
    run: Any
    done: str


CASE_ACTS: dict[str, CaseAct] = {
    "start": CaseAct(
        None, lambda a, c, f, r: steps.case_investigation_start(actor=a, case=c), gettext_lazy("已启动入户调查。")
    ),
    "investigate": CaseAct("investigation_form", _investigate, gettext_lazy("入户调查已记录，进入下一环节。")),
    "verified": CaseAct(
        None,
        lambda a, c, f, r: steps.case_verification_done(actor=a, case=c),
        gettext_lazy("核对结果已确认，进入下一环节。"),
    ),
    "appraise": CaseAct(
        "appraisal_form",
        lambda a, c, f, r: steps.case_appraise(
            actor=a, case=c, attendees=f.cleaned_data["attendees"], outcome=f.cleaned_data["outcome"]
        ),
        gettext_lazy("民主评议已记录。"),
    ),
    "review": CaseAct(
        "review_form",
        lambda a, c, f, r: steps.case_review(
            actor=a,
            case=c,
            recommend=f.cleaned_data["recommend"] == "approve",
            opinion=f.cleaned_data["opinion"],
            contested=f.cleaned_data["contested"],
        ),
        gettext_lazy("审核意见已记录。"),
    ),
    "objection": CaseAct(
        "objection_form",
        lambda a, c, f, r: steps.case_objection(actor=a, case=c, objection=f.cleaned_data["objection"]),
        gettext_lazy("公示异议已记录，退回重新入户调查。"),
    ),
    "close_notice": CaseAct(
        None, lambda a, c, f, r: steps.case_notice_close(actor=a, case=c), gettext_lazy("公示期满无异议，已报送审批。")
    ),
    "decide": CaseAct("decision_form", _decide, ""),
    "spot_check": CaseAct(
        "spot_check_form",
        lambda a, c, f, r: decisions.case_spot_check(actor=a, case=c, finding=f.cleaned_data["finding"]),
        gettext_lazy("抽查核实结果已记录。"),
    ),
    "meeting": CaseAct(
        "meeting_form",
        lambda a, c, f, r: decisions.case_meeting_decision(
            actor=a, case=c, amount=f.cleaned_data["amount"], meeting_reference=f.cleaned_data["meeting"]
        ),
        gettext_lazy("一事一议决定已记录。"),
    ),
    "advance": CaseAct(
        "advance_form",
        lambda a, c, f, r: decisions.case_advance_aid(
            actor=a, case=c, amount=f.cleaned_data["amount"], note=f.cleaned_data["note"]
        ),
        gettext_lazy("先行救助已记录，后续手续按流程补齐。"),
    ),
    "extend": CaseAct(
        "extend_form",
        lambda a, c, f, r: steps.case_extend(actor=a, case=c, reason=f.cleaned_data["reason"]),
        gettext_lazy("已延长办理期限。"),
    ),
    "delivered": CaseAct(
        None, lambda a, c, f, r: decisions.case_letter_delivered(actor=a, case=c), gettext_lazy("已登记文书送达。")
    ),
    "refer": CaseAct("refer_form", _refer, gettext_lazy("已转介，承办部门将按期办理并反馈。")),
}


def _bound_form(name: str, case: Case, request):
    household = case.household
    if name == "investigation_form":
        return InvestigationForm(request.POST, request.FILES, team=_team(household))
    if name == "refer_form":
        return ReferForm(request.POST, departments=_departments(household))
    form_class = {
        "appraisal_form": AppraisalForm,
        "review_form": ReviewForm,
        "objection_form": ObjectionForm,
        "decision_form": DecisionForm,
        "spot_check_form": SpotCheckForm,
        "meeting_form": MeetingForm,
        "advance_form": AdvanceForm,
        "extend_form": ExtendForm,
    }[name]
    return form_class(request.POST)


@login_required
@require_POST
def case_act(request, case_id: int, action: str):
    actor: Staff = request.user
    case = selectors.case_get(actor=actor, id=case_id)
    act = CASE_ACTS.get(action)
    if act is None:
        raise Http404
    form = _bound_form(act.form, case, request) if act.form else None

    def again(status: int):
        fresh = selectors.case_get(actor=actor, id=case_id)
        context = _case_context(request, fresh, **({act.form: form} if act.form else {}))
        context["failed_action"] = action
        return render(request, "cases/case_detail.html", context, status=status)

    if form is not None and not form.is_valid():
        messages.error(request, _("未提交：请按提示修改后再提交。"))
        return again(400)
    try:
        act.run(actor, case, form, request)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return again(_error_status(exc))
    messages.success(request, act.done or _decided_message(case))
    return redirect(reverse("cases:case", args=[case.pk]) + ("#referrals" if action == "refer" else ""))


@login_required
def case_photo(request, case_id: int, photo_id: int):
    """A photo of the home investigation, only to those who may see the case."""
    case = selectors.case_get(actor=request.user, id=case_id)
    photo = CasePhoto.objects.filter(case=case, pk=photo_id).first()
    if photo is None:
        raise Http404
    try:
        handle = open(PHOTOS.path_of(photo.file), "rb")  # noqa: SIM115 — FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Referral from an alert ----------------------------------------------------------------------------------------


@login_required
@require_POST
def alert_refer(request, alert_id: int):
    """转介 from a monitoring alert: the household's need to a department of its district."""
    from jiuzhu.monitoring.selectors import alert_get

    alert = alert_get(actor=request.user, id=alert_id)
    target = reverse("monitoring:alert", args=[alert.pk])
    if alert.household is None:
        messages.error(request, _("该预警对象未在册，须先核实身份、建立家庭档案后才能转介。"))
        return redirect(target)
    form = ReferForm(request.POST, departments=_departments(alert.household))
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("未转介：%(e)s") % {"e": errors})
        return redirect(target)
    try:
        referral = referral_create(
            actor=request.user,
            household=alert.household,
            department=form.cleaned_data["department"],
            need=form.cleaned_data["need"].strip(),
            origin="alert",
            origin_id=alert.pk,
            note=form.cleaned_data["note"] or f"来源：监测预警“{alert.scenario_name}”",
        )
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    messages.success(
        request, _("已转介%(dept)s：%(need)s。") % {"dept": referral.department.name, "need": referral.need}
    )
    return redirect(target)
