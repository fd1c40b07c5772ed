"""Printed documents of applications and cases (PDF through WeasyPrint with the CJK font), each print audited:

  one-time notice (一次性告知书)      /applications/<id>/notice.pdf  what is missing, what is held, where to go
  decision letter (审批/认定决定书)    /cases/<id>/decision.pdf       amount, payment from, basis, appeal rights
  refusal letter (不予批准告知书)      /cases/<id>/refusal.pdf        reasons, basis, delivery deadline, appeal rights
  notice card (民政兜底保障对象公示卡)  /cases/<id>/notice-card.pdf    for the door of a household approved (003 附件2)
  public notice list (公示名单)        /notices/?unit=…, /notices.pdf  name, household size and amount only (57号)

Everything is read through the cases selectors: outside the reader's jurisdiction a document is "not found"."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiuzhu.audit import services as audit
from jiuzhu.cases import intake, selectors
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.steps import workflow_of
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, ServicePoint, Staff
from jiuzhu.org.permissions import VIEW_HOUSEHOLD
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.packs import load_pack

# The standard wording of the right to appeal (《行政复议法》第二十条, 《行政诉讼法》第四十六条).
APPEAL_DECISION = "如对本决定不服，可在收到本决定书之日起60日内依法申请行政复议，或者6个月内依法提起行政诉讼。"
APPEAL_REFUSAL = "如对本决定不服，可在收到本告知书之日起60日内依法申请行政复议，或者6个月内依法提起行政诉讼。"
# 三色管理 (003 四（二）): how often each colour of household is reviewed, printed on the notice card.
COLOUR_REVIEW = {
    "red": "每年动态管理一次",
    "yellow": "每年动态管理一次，每半年核对一次家庭经济状况",
    "green": "每半年动态管理和核对家庭经济状况一次，每月了解生活和收支情况",
}


def _pdf(request, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(template, context | {"printed_at": timezone.now()}, request=request)
    if request.GET.get("preview"):  # the same document as a web page, for the browser's own print dialogue
        return HttpResponse(html)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _ancestor(unit: OrgUnit, level: str) -> OrgUnit | None:
    return next((u for u in unit.ancestors() if u.level == level), None)


def _office(unit: OrgUnit) -> str:
    """The name a unit signs with: the district's civil affairs bureau, a street's office, a town's government."""
    if unit.level == OrgUnit.Level.DISTRICT:
        return f"{unit.name}民政局"
    if unit.level == OrgUnit.Level.STREET:
        return f"{unit.name}办事处" if unit.name.endswith("街道") else f"{unit.name}人民政府"
    return unit.name


def _issuer(case: Case) -> str:
    """Who decided: the district's civil affairs bureau, or the street where the decision was delegated to it (or
    a temporary-aid amount within the street's tier)."""
    decider = case.decided_by.org_unit if case.decided_by_id else None
    street = case.application.unit
    if case.approval_by == "street" or (decider is not None and decider.level != OrgUnit.Level.DISTRICT):
        return _office(street)
    return _office(_ancestor(street, OrgUnit.Level.DISTRICT) or street)


def _programme(case: Case):
    try:
        return load_pack(case.application.locality).programmes.get(case.programme)
    except PolicyError:
        return None


def _household_size(case: Case) -> int:
    household = case.household or case.application.household
    return household.current_memberships().count() if household is not None else 0


def _legal_basis(case: Case) -> list[str]:
    """The workflow's reference, then the programme's legal basis from the pack, then the rules' (no repeats)."""
    found: list[str] = []
    with contextlib.suppress(CaseError):
        found.append(workflow_of(case).reference)
    programme = _programme(case)
    found += list(programme.legal_basis) if programme is not None else []
    found += list((case.amount_basis or {}).get("decision", {}).get("legal_basis", []))
    return [b for i, b in enumerate(found) if b and b not in found[:i]]


def _breakdown(case: Case) -> list[dict]:
    """The rules' amounts at the decision, without the lines that came to nothing (the last, the result, stays)."""
    amounts = list((case.amount_basis or {}).get("decision", {}).get("amounts", []))
    shown = [a for a in amounts[:-1] if a.get("value") not in (None, 0, "0", False)]
    return shown + amounts[-1:]


def _monthly(case: Case) -> bool:
    programme = _programme(case)
    return case.payment_from is not None or (programme is not None and programme.benefit_period == "monthly")


def _service_points(unit: OrgUnit, kinds=(ServicePoint.Kind.WINDOW,)) -> list[ServicePoint]:
    return list(ServicePoint.objects.filter(org_unit=unit, kind__in=kinds).order_by("pk")[:3])


def _letter(request, case: Case, template: str, document: str, **extra) -> HttpResponse:
    workflow = workflow_of(case)
    refusal = workflow.limit("refusal_letter")
    context = {
        "c": case,
        "a": case.application,
        "household_size": _household_size(case),
        "monthly": _monthly(case),
        "legal_basis": _legal_basis(case),
        "amounts": _breakdown(case),
        "issuer": _issuer(case),
        "decided_on": china_date(case.decided_at),
        "title": case.programme_name + (_("认定决定书") if "认定" in workflow.label else _("审批决定书")),
        "refusal_limit": refusal.rule if refusal else None,
        "points": _service_points(case.application.unit),
        **extra,
    }
    audit.record(actor=request.user, action="case.print", obj=case, changes={"document": document})
    return _pdf(request, template, context, f"{document}-{case.pk}.pdf")


@login_required
@require_GET
def decision_letter_pdf(request, case_id: int):
    """审批（认定）决定书 of an approved case; a refused one has its 不予批准告知书 instead."""
    case = selectors.case_get(actor=request.user, id=case_id)
    if case.status == Case.Status.REFUSED:
        return redirect("cases:refusal_letter_pdf", case_id=case.pk)
    if case.status != Case.Status.APPROVED:
        raise Http404(_("该事项尚未作出决定"))
    return _letter(request, case, "cases/print/decision_letter.html", "decision", appeal=APPEAL_DECISION)


@login_required
@require_GET
def refusal_letter_pdf(request, case_id: int):
    """不予批准告知书: the reasons (the rules' failed conditions), the basis, the delivery deadline, appeal rights."""
    case = selectors.case_get(actor=request.user, id=case_id)
    if case.status == Case.Status.APPROVED:
        return redirect("cases:decision_letter_pdf", case_id=case.pk)
    if case.status != Case.Status.REFUSED:
        raise Http404(_("该事项尚未作出决定"))
    failed = [c for c in (case.amount_basis or {}).get("decision", {}).get("conditions", []) if c.get("held") is False]
    return _letter(
        request,
        case,
        "cases/print/refusal_letter.html",
        "refusal",
        appeal=APPEAL_REFUSAL,
        failed=[c for c in failed if c.get("label") in case.reasons],
    )


@login_required
@require_GET
def notice_card_pdf(request, case_id: int):
    """民政兜底保障对象公示卡 (003 附件2) of an approved household, for its door: who, what, how much, since when, the
    management colour and whom to call — no ID number, no phone of the family."""
    case = selectors.case_get(actor=request.user, id=case_id)
    if case.status != Case.Status.APPROVED:
        raise Http404(_("只有已批准的保障对象才有公示卡"))
    household = case.household
    programme = _programme(case)
    size = _household_size(case)
    head = household.head() if household is not None else None
    plan = getattr(household, "plan", None) if household is not None else None
    others = []
    if household is not None:
        others = [
            p
            for p in household.programmes.filter(status="active", until__isnull=True).exclude(programme=case.programme)
            if p.programme
        ]
    street = case.application.unit
    district = _ancestor(street, OrgUnit.Level.DISTRICT)
    community = _ancestor(household.org_unit, OrgUnit.Level.COMMUNITY) if household is not None else None
    context = {
        "c": case,
        "head_name": head.name if head is not None else case.application.applicant_name,
        "covered": 1 if programme is not None and programme.unit == "member" else size,
        "household_size": size,
        "monthly": _monthly(case),
        "community": community,
        "street": street,
        "others": others,
        "colour": household.get_color_class_display() if household is not None and household.color_class else "",
        "colour_review": COLOUR_REVIEW.get(household.color_class, "") if household is not None else "",
        "responsible": plan.responsible if plan is not None and plan.responsible_id else None,
        "street_points": _service_points(street, (ServicePoint.Kind.WINDOW, ServicePoint.Kind.CENTRE)),
        "district_points": _service_points(district, tuple(ServicePoint.Kind.values)) if district else [],
        "district_office": _office(district) if district else "",
        "issuer": _issuer(case),
    }
    audit.record(actor=request.user, action="case.print", obj=case, changes={"document": "notice_card"})
    return _pdf(request, "cases/print/notice_card.html", context, f"notice-card-{case.pk}.pdf")


@login_required
@require_GET
def one_time_notice_pdf(request, application_id: int):
    """一次性告知书 (57号 第十条): everything still to bring, at once; what the platform holds and will not ask for."""
    application = selectors.application_get(actor=request.user, id=application_id)
    try:
        pack = load_pack(application.locality)
        names = [pack.programmes[p].name if p in pack.programmes else p for p in application.programmes]
    except PolicyError:
        names = list(application.programmes)
    context = {
        "a": application,
        "programmes": names,
        "materials": intake.materials_of(application),
        "points": _service_points(application.unit, tuple(ServicePoint.Kind.values)),
        "complete": application.status != Application.Status.DRAFT and not application.materials_missing,
    }
    audit.record(actor=request.user, action="application.print_notice", obj=application)
    return _pdf(request, "cases/print/one_time_notice.html", context, f"notice-{application.number}.pdf")


# --- The public notice list (公示名单) ----------------------------------------------------------------------------


@dataclass
class NoticeGroup:
    """One community's cases of one programme on the board."""

    community: str
    programme: str
    monthly: bool
    rows: list[dict] = field(default_factory=list)


def _unit_for(request) -> OrgUnit:
    """The unit asked for (?unit=), which must lie in the reader's jurisdiction; their own unit without one."""
    actor: Staff = request.user
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        raise Http404
    raw = request.GET.get("unit", "")
    if not raw:
        return actor.org_unit
    if not raw.isdigit():
        raise Http404
    unit = actor.jurisdiction().filter(pk=int(raw)).first()
    if unit is None:
        raise Http404
    return unit


def _groups(cases: list[Case], *, amount: str, unit: OrgUnit) -> list[NoticeGroup]:
    """Rows of name, household size and amount only (57号 第二十四条), grouped by community and programme."""
    groups: dict[tuple[str, str], NoticeGroup] = {}
    sizes: dict[int, int] = {}
    for case in cases:
        household = case.household
        if household is None:
            continue
        community = _ancestor(household.org_unit, OrgUnit.Level.COMMUNITY) or household.org_unit
        key = (community.name if unit.level in (OrgUnit.Level.DISTRICT, OrgUnit.Level.STREET) else "", case.programme)
        if key not in groups:
            groups[key] = NoticeGroup(key[0], case.programme_name, _monthly(case))
        if household.pk not in sizes:
            sizes[household.pk] = household.current_memberships().count()
        groups[key].rows.append(
            {
                "name": case.application.applicant_name,
                "size": sizes[household.pk],
                "amount": getattr(case, amount),
                "starts": case.notice_starts_on,
                "ends": case.notice_ends_on,
            }
        )
    return sorted(groups.values(), key=lambda g: (g.community, g.programme))


def _notice_context(request) -> dict:
    unit = _unit_for(request)
    board = selectors.notice_list(unit=unit)
    on_notice = _groups(board["on_notice"], amount="proposed_amount", unit=unit)
    approved = _groups(board["approved"], amount="amount", unit=unit)
    return {
        "unit": unit,
        "on_notice": on_notice,
        "approved": approved,
        "total": sum(len(g.rows) for g in on_notice + approved),
        "units": request.user.jurisdiction().filter(
            level__in=[OrgUnit.Level.STREET, OrgUnit.Level.COMMUNITY], is_active=True
        ),
        "today": china_date(timezone.now()),
    }


@login_required
@require_GET
def notice_list(request):
    """The community's public notice list on screen (正在公示, 保障对象公布), with the button to print it."""
    return render(request, "cases/notice_board.html", _notice_context(request))


@login_required
@require_GET
def notice_list_pdf(request):
    """The public notice list to post on the community's board."""
    context = _notice_context(request)
    audit.record(actor=request.user, action="notice.print", obj=context["unit"], changes={"rows": context["total"]})
    return _pdf(request, "cases/print/notice_list.html", context, f"notice-list-{context['unit'].pk}.pdf")
