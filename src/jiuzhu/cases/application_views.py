"""Staff pages of applications (R6.1): the list, the window's intake with the one-time notice (一次性告知), the
application's page ("one matter" with its cases and referrals), materials brought later, acceptance, withdrawal.

Thin, like every page here: reads through the selectors (scoped to the user; missing and not-allowed alike are 404),
writes through the services. A change the services refuse shows their Chinese message above the form, which is
rendered again with what was typed (never lost)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.cases import intake, selectors
from jiuzhu.cases.forms import (
    ApplicationForm,
    MaterialsForm,
    WithdrawForm,
)
from jiuzhu.cases.materials import MaterialsStatus, materials_for, materials_status
from jiuzhu.cases.models import Application
from jiuzhu.cases.page_support import _error_status, _may, countdown, next_step_label
from jiuzhu.cases.workflows import STEP_LABELS, config
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.masking import mask_phone
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import (
    ACCEPT_APPLICATION,
    APPLY_ON_BEHALF,
)
from jiuzhu.policy.packs import load_pack
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.models import Household

# --- Applications: list and intake --------------------------------------------------------------------------------


@login_required
def application_list_page(request):
    actor: Staff = request.user
    if actor.is_department_member:
        raise PermissionDenied
    status = request.GET.get("status", "")
    if status not in Application.Status.values:
        status = ""
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.application_list(actor=actor, status=status, query=query)
    page = Paginator(qs.order_by("-created_at", "-pk").prefetch_related("cases"), 50).get_page(request.GET.get("page"))
    counted = dict(
        selectors.application_list(actor=actor).order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    )
    pack_names = _programme_names(page.object_list)
    rows = [(a, [pack_names.get((a.locality, p), p) for p in a.programmes]) for a in page.object_list]
    return render(
        request,
        "cases/application_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "query": query,
            "statuses": [(value, label, counted.get(value, 0)) for value, label in Application.Status.choices],
            "total": sum(counted.values()),
            "can_apply": _may(actor, APPLY_ON_BEHALF),
        },
    )


def _programme_names(applications) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for locality in {a.locality for a in applications}:
        try:
            for code, programme in load_pack(locality).programmes.items():
                names[(locality, code)] = programme.name
        except Exception:  # a pack that no longer loads: show the codes rather than fail the list
            continue
    return names


def _streets(actor: Staff, household: Household | None) -> list[OrgUnit]:
    """Where the application is registered: the household's street, else the actor's (a district officer picks)."""
    if household is not None:
        return [intake.street_of(household.org_unit)]
    street = intake.street_of(actor.org_unit)
    if street.level == OrgUnit.Level.STREET:
        return [street]
    return list(actor.org_unit.subtree().filter(level=OrgUnit.Level.STREET, is_active=True).order_by("path"))


def programme_choices(locality: str) -> list[tuple[str, str, str]]:
    """(code, name, how it is handled) of every programme of the pack one can apply for here: those with a workflow
    (decided by civil affairs) and those another department handles (a referral)."""
    pack, handling = load_pack(locality), config(locality)
    out = []
    for code, programme in pack.programmes.items():
        if (workflow := handling.workflow_for(code)) is not None:
            out.append((code, programme.name, workflow.label))
        elif (referral := handling.referrals.get(code)) is not None:
            out.append((code, programme.name, _("转介%(dept)s办理") % {"dept": programme.department or referral.need}))
    return out


def _checklist(status: MaterialsStatus, chosen: list[str]) -> list[dict]:
    """The materials of the chosen programmes, each with what the window does with it."""
    rows = []
    for material in status.required:
        if material in status.held:
            state = "held"
        elif material in status.optional:
            state = "optional"
        else:
            state = "needed"
        rows.append({"name": material, "state": state, "checked": material in chosen})
    return rows


def _intake_materials(locality: str, programmes: list[str], household, signed_on, chosen: list[str]) -> dict:
    status = materials_status(
        locality=locality,
        programmes=programmes,
        household=household,
        authorization_signed_on=signed_on,
        provided=chosen,
    )
    return {"checklist": _checklist(status, chosen), "status": status, "programmes_chosen": bool(programmes)}


def _household_from(request) -> Household | None:
    raw = request.POST.get("household") or request.GET.get("household")
    if not raw:
        return None
    return registry_selectors.household_get(actor=request.user, id=raw)  # NotFound → 404


def _intake_form(actor: Staff, household: Household | None, data=None) -> tuple[ApplicationForm, str, list]:
    streets = _streets(actor, household)
    if not streets:
        raise Http404
    locality = intake.locality_of(streets[0])
    choices = programme_choices(locality)
    initial: dict[str, Any] = {}
    if actor.role == Staff.Role.GRID_WORKER:
        initial["channel"] = Application.Channel.GRID
    if household is not None and (head := household.head()) is not None:
        initial["applicant_name"] = head.name
    form = ApplicationForm(
        data,
        initial=initial,
        streets=[(str(s.pk), s.name) for s in streets],
        programmes=[(code, name) for code, name, _how in choices],
        materials=materials_for(locality, [code for code, _name, _how in choices]),
    )
    return form, locality, choices


def _intake_context(request, household, form: ApplicationForm, locality: str, choices) -> dict:
    actor: Staff = request.user
    if form.is_bound:
        programmes = [p for p in form.data.getlist("programmes") if p in {c[0] for c in choices}]
        chosen = form.data.getlist("materials")
        signed_on = form.cleaned_data.get("authorization_signed_on") if hasattr(form, "cleaned_data") else None
    else:
        programmes, chosen, signed_on = [], [], None
    query = request.GET.get("q", "").strip()[:50]
    found = []
    if household is None and query:
        households = list(registry_selectors.household_list(actor=actor, query=query)[:10])
        heads = registry_selectors.head_names(households=households)
        found = [(h, heads.get(h.pk, "")) for h in households]
    on_file = intake.phone_on_file(household)
    return {
        "form": form,
        "household": household,
        "head": household.head() if household else None,
        "how": {code: how for code, _name, how in choices},
        "query": query,
        "found": found,
        "phone_on_file": mask_phone(on_file) if on_file else "",
        "locality": locality,
        **_intake_materials(locality, programmes, household, signed_on, chosen),
    }


@login_required
def application_new(request):
    """登记申请: from a household on file (?household=<id>) or a search for one; online applications come in through
    the citizen pages and are accepted here."""
    actor: Staff = request.user
    if not _may(actor, APPLY_ON_BEHALF):
        raise PermissionDenied
    household = _household_from(request)
    if request.method != "POST":
        form, locality, choices = _intake_form(actor, household)
        return render(
            request, "cases/application_new.html", _intake_context(request, household, form, locality, choices)
        )
    form, locality, choices = _intake_form(actor, household, request.POST)

    def again(status: int):
        context = _intake_context(request, household, form, locality, choices)
        return render(request, "cases/application_new.html", context, status=status)

    if request.POST.get("refresh"):  # without JavaScript: show the checklist for the programmes ticked
        form.is_valid()
        return again(200)
    if not form.is_valid():
        messages.error(request, _("申请未登记：请按提示修改后再提交。"))
        return again(400)
    data = form.cleaned_data
    street = OrgUnit.objects.get(pk=data["street"])
    try:
        application = intake.application_create(
            actor=actor,
            unit=street,
            channel=data["channel"],
            applicant_name=data["applicant_name"],
            phone=data["phone"] or intake.phone_on_file(household),
            programmes=data["programmes"],
            household=household,
            applicant=intake.applicant_of(household, data["applicant_name"], data["applicant_id_number"]),
            applicant_id_number=data["applicant_id_number"],
            situation=data["situation"],
            materials_provided=data["materials"],
            authorisation=data["authorisation"],
            authorization_signed_on=data["authorization_signed_on"],
            declared=form.declared(),
            conflict_of_interest=data["conflict_of_interest"],
            conflict_note=data["conflict_note"],
            emergency=data["emergency"],
            based_on=data["based_on"],
        )
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return again(_error_status(exc))
    if application.status == Application.Status.DRAFT:
        messages.warning(
            request,
            _("申请 %(number)s 已登记，材料不齐，保存为“待补齐材料”。请向申请人出具一次性告知书。")
            % {"number": application.number},
        )
    else:
        messages.success(request, _("申请 %(number)s 已登记，材料齐全。") % {"number": application.number})
    return redirect("cases:application", application_id=application.pk)


@login_required
@require_GET
def intake_materials(request):
    """The materials checklist for the programmes ticked so far (htmx, while the intake form is filled in)."""
    actor: Staff = request.user
    if not _may(actor, APPLY_ON_BEHALF):
        raise PermissionDenied
    household = _household_from(request)
    _form, locality, choices = _intake_form(actor, household)
    codes = {c[0] for c in choices}
    programmes = [p for p in request.GET.getlist("programmes") if p in codes]
    signed_on = None
    if raw := request.GET.get("authorization_signed_on"):
        try:
            signed_on = datetime.fromisoformat(raw).date()
        except ValueError:
            signed_on = None
    context = _intake_materials(locality, programmes, household, signed_on, request.GET.getlist("materials"))
    return render(request, "cases/_intake_materials.html", context)


# --- One application: the one-time notice, acceptance, the one matter ---------------------------------------------


def _application_context(request, application: Application, **forms) -> dict:
    actor: Staff = request.user
    now = timezone.now()
    materials = intake.materials_of(application)
    editable = application.status in (Application.Status.DRAFT, Application.Status.SUBMITTED)
    rows = [
        {
            "case": case,
            "step": STEP_LABELS.get(case.step, ""),
            "next": next_step_label(case),
            "step_countdown": countdown(case.step_due_at, now) if case.is_open else None,
            "countdown": countdown(case.due_at, now) if case.is_open else None,
        }
        for case in application.cases.all().order_by("pk")
    ]
    referrals = [
        (r, countdown(r.work_order.due_at, now) if not r.work_order.is_closed else None)
        for r in application.referrals.select_related("department", "work_order").order_by("pk")
    ]
    can_accept = _may(actor, ACCEPT_APPLICATION) and editable
    candidates: list = []
    query = ""
    if can_accept and application.household_id is None:
        query = (request.GET.get("hq") or application.applicant_id_number or application.applicant_name).strip()[:50]
        households = list(registry_selectors.household_list(actor=actor, query=query)[:10])
        heads = registry_selectors.head_names(households=households)
        candidates = [(h, heads.get(h.pk, "")) for h in households]
    missing_and_optional = [*materials.missing, *materials.optional]
    names = _programme_names([application])
    return {
        "a": application,
        "materials": materials,
        "rows": rows,
        "referrals": referrals,
        "notifications": [(n, mask_phone(n.phone)) for n in application.notifications.all()[:20]],
        "phone": mask_phone(application.phone) if application.phone else "",
        "can_accept": can_accept,
        "can_edit": _may(actor, APPLY_ON_BEHALF) and editable,
        "can_withdraw": _may(actor, APPLY_ON_BEHALF) and application.is_open,
        "candidates": candidates,
        "household_query": query,
        "materials_form": forms.get("materials_form") or MaterialsForm(materials=missing_and_optional),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "programme_names": [names.get((application.locality, p), p) for p in application.programmes],
    }


@login_required
def application_detail(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    return render(request, "cases/application_detail.html", _application_context(request, application))


def _application_error(request, application: Application, exc: JiuzhuError | None, status: int = 400, **forms):
    if exc is not None:
        messages.error(request, exc.message)
        status = _error_status(exc)
    application.refresh_from_db()
    context = _application_context(request, application, **forms)
    return render(request, "cases/application_detail.html", context, status=status)


@login_required
@require_POST
def application_materials(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    materials = intake.materials_of(application)
    form = MaterialsForm(request.POST, materials=[*materials.missing, *materials.optional])
    if not form.is_valid():
        return _application_error(request, application, None, materials_form=form)
    try:
        application = intake.application_update_materials(
            actor=request.user,
            application=application,
            materials_provided=form.cleaned_data["materials"],
            authorization_signed_on=form.cleaned_data["authorization_signed_on"],
        )
    except JiuzhuError as exc:
        return _application_error(request, application, exc, materials_form=form)
    if application.materials_missing:
        messages.warning(request, _("已记录。尚缺：%(m)s") % {"m": "、".join(application.materials_missing)})
    else:
        messages.success(request, _("已记录补交的材料，材料已齐全，可以受理。"))
    return redirect("cases:application", application_id=application.pk)


@login_required
@require_POST
def application_accept_view(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    household = None
    if raw := request.POST.get("household"):
        household = registry_selectors.household_get(actor=request.user, id=raw)
    try:
        application = intake.application_accept(actor=request.user, application=application, household=household)
    except JiuzhuError as exc:
        return _application_error(request, application, exc)
    cases = application.cases.count()
    parts = application.referrals.count()
    messages.success(
        request,
        _("已受理：%(cases)s 个项目进入审核流程，%(parts)s 项转介相关部门。") % {"cases": cases, "parts": parts},
    )
    return redirect("cases:application", application_id=application.pk)


@login_required
@require_POST
def application_withdraw_view(request, application_id: int):
    application = selectors.application_get(actor=request.user, id=application_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _application_error(request, application, None, withdraw_form=form)
    try:
        intake.application_withdraw(actor=request.user, application=application, reason=form.cleaned_data["reason"])
    except JiuzhuError as exc:
        return _application_error(request, application, exc, withdraw_form=form)
    messages.success(request, _("申请已撤回。"))
    return redirect("cases:application", application_id=application.pk)
