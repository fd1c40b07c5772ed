"""Policy pages: the public policy list and self-check, a household's eligibility with reasons (print and PDF),
the departments' upkeep of their entries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jiuzhu.core.parsing import parse_date
from jiuzhu.org.permissions import EDIT_CATALOGUE
from jiuzhu.policy import catalogue as cat
from jiuzhu.policy.checks import eligibility_check
from jiuzhu.policy.errors import FactsInvalid, PolicyError
from jiuzhu.policy.forms import MAX_MEMBERS, HouseholdForm, facts_document, member_forms
from jiuzhu.policy.localities import home_locality, today
from jiuzhu.policy.registry_facts import ASSUMED, household_document
from jiuzhu.registry import selectors, services


def _grouped(result: dict) -> dict[str, list[dict]]:
    """Programmes by what they mean to the applicant: likely, to be checked by staff, not now."""
    groups: dict[str, list[dict]] = {"likely": [], "check": [], "not": []}
    for p in result["programmes"]:
        groups["likely" if p["eligible"] else "check" if p["eligible"] is None else "not"].append(p)
    return groups


def _one_time_notice(groups: dict[str, list[dict]]) -> list[str]:
    """一次性告知: every material for every programme the household may get, each named once."""
    seen: dict[str, None] = {}
    for p in groups["likely"] + groups["check"]:
        for material in p["materials"]:
            seen.setdefault(material, None)
    return list(seen)


# --- Citizen self-check (no log-in; nothing stored) ---------------------------------------------------------


def self_check(request):
    size = _size(request)
    if request.method == "POST":
        household = HouseholdForm(request.POST)
        members = member_forms(request.POST, size)
        problems: list[dict] = []
        if household.is_valid() and all(m.is_valid() for m in members):
            document = facts_document(household.cleaned_data, [m.cleaned_data for m in members])
            try:
                result = eligibility_check(locality=home_locality(), as_of=today(), document=document)
            except FactsInvalid as exc:
                problems = exc.problems
            else:
                groups = _grouped(result)
                context = {"result": result, "groups": groups, "notice": _one_time_notice(groups)}
                return render(request, "policy/self_check_result.html", context)
        return render(
            request,
            "policy/self_check.html",
            {
                "form": household,
                "members": members,
                "size": size,
                "problems": problems,
                "sizes": _sizes(),
                "has_errors": bool(problems or household.errors or any(m.errors for m in members)),
            },
        )
    form = HouseholdForm(initial={"area_type": "urban", "size": size})
    context = {"form": form, "members": member_forms(None, size), "size": size, "sizes": _sizes()}
    return render(request, "policy/self_check.html", context)


def _size(request) -> int:
    try:
        return max(1, min(MAX_MEMBERS, int(request.POST.get("size") or request.GET.get("size") or 1)))
    except ValueError:
        return 1


def _sizes() -> list[int]:
    return list(range(1, MAX_MEMBERS + 1))


# --- The policy list (public) -------------------------------------------------------------------------------


def catalogue_list(request):
    locality = home_locality()
    items = cat.catalogue(locality)
    categories: dict[str, list] = {}
    for item in items:
        categories.setdefault(item.category or _("其他"), []).append(item)
    can_edit = request.user.is_authenticated and request.user.has_perm(EDIT_CATALOGUE)
    due = []
    if request.user.is_authenticated:
        due = cat.entries_due_for_review(actor=request.user, locality=locality, today=today())
    context = {"categories": categories, "locality": locality, "can_edit": can_edit, "due": due}
    return render(request, "policy/catalogue_list.html", context)


def catalogue_detail(request, key: str):
    locality = home_locality()
    item = cat.catalogue_item(locality, key)
    if item is None:
        raise Http404
    standards = []
    if item.decided_by_rules:
        from jiuzhu.policy.checks import program_for

        program = program_for(locality, today())
        names = {p for i in program.closure(key) for p in i.params}
        standards = [p for p in _parameters(program) if p["name"] in names]
    can_edit = request.user.is_authenticated and request.user.has_perm(EDIT_CATALOGUE)
    return render(request, "policy/catalogue_detail.html", {"item": item, "standards": standards, "can_edit": can_edit})


def _parameters(program) -> list[dict]:
    from jiuzhu.policy.explain import parameters_missing, parameters_used

    return parameters_used(program) + parameters_missing(program)


@login_required
def catalogue_edit(request, key: str):
    """A department keeps its entry current; saving confirms it for this year's April review."""
    locality = home_locality()
    departments = cat.editable_departments(request.user)
    if not departments:
        raise Http404
    if key == "new":
        entry, programme, initial = None, "", {}
    else:
        item = cat.catalogue_item(locality, key)
        if item is None:
            raise Http404
        entry = item.entry
        programme = key if item.decided_by_rules else ""
        if entry is not None and entry.department not in departments:
            raise Http404
        initial = {f: getattr(entry, f) for f in cat.EDITABLE} if entry else cat.seed_entry_fields(locality, key)
    fields = {f: request.POST.get(f, initial.get(f, "")) for f in cat.EDITABLE}
    department_id = request.POST.get("department") or (entry.department_id if entry else departments[0].pk)
    error = ""
    if request.method == "POST":
        department = next((d for d in departments if str(d.pk) == str(department_id)), None)
        try:
            if department is None:
                raise PolicyError(cat.PolicyErrorCode.NOT_ALLOWED)
            saved = cat.catalogue_entry_save(
                actor=request.user,
                locality=locality,
                programme=programme,
                entry=entry,
                department=department,
                today=today(),
                **fields,
            )
        except PolicyError as exc:
            error = exc.message
        except Exception as exc:  # a model validation error: show it on the form
            from django.core.exceptions import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
        else:
            messages.success(request, _("已保存并确认“%(name)s”为现行有效。") % {"name": saved.name})
            return redirect("policy:catalogue_detail", key=saved.key)
    context = {
        "fields": fields,
        "departments": departments,
        "department_id": int(department_id),
        "entry": entry,
        "key": key,
        "error": error,
    }
    return render(request, "policy/catalogue_edit.html", context)


# --- A registered household's eligibility (staff) -----------------------------------------------------------


def _household_result(request, household_id: int) -> dict:
    household = selectors.household_get(actor=request.user, id=household_id)
    as_of = today()
    if request.GET.get("as_of"):
        try:
            as_of = parse_date(request.GET["as_of"])
        except ValueError as exc:
            messages.warning(request, _("决定日期有误（%(error)s），已按今天计算。") % {"error": exc})
    services.household_view_record(actor=request.user, household=household)
    context = {"household": household, "as_of": as_of, "assumed": ASSUMED}
    document = household_document(household, as_of=as_of)
    try:
        result = eligibility_check(locality=home_locality(), as_of=as_of, document=document)
    except FactsInvalid as exc:
        # The file itself is incomplete on that date: say what is missing rather than guess.
        return context | {"problems": exc.problems}
    groups = _grouped(result)
    return context | {"result": result, "groups": groups, "notice": _one_time_notice(groups), "document": document}


@login_required
def household_eligibility(request, household_id: int):
    return render(request, "policy/household_eligibility.html", _household_result(request, household_id))


@login_required
def household_eligibility_pdf(request, household_id: int):
    from weasyprint import HTML

    context = _household_result(request, household_id) | {"printed_on": today(), "printed_by": request.user}
    if "problems" in context:
        return render(request, "policy/household_eligibility.html", context, status=422)
    html = render_to_string("policy/eligibility_print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"eligibility-{context['household'].number}-{context['as_of']}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- What-if (staff with the right; over the households of their jurisdiction) ------------------------------


@login_required
def what_if_page(request):
    from jiuzhu.org.permissions import RUN_WHAT_IF
    from jiuzhu.policy.checks import program_for
    from jiuzhu.policy.whatif import parse_changes, what_if

    if not request.user.has_perm(RUN_WHAT_IF):
        raise Http404
    locality = home_locality()
    try:
        as_of = parse_date(request.POST.get("as_of") or request.GET.get("as_of") or today().isoformat())
    except ValueError:
        as_of = today()
    draft = request.POST.get("changes", "")
    result, error = None, ""
    if request.method == "POST":
        try:
            changes = parse_changes(locality, draft.splitlines())
            households = selectors.household_list(actor=request.user)
            result = what_if(households=households, locality=locality, as_of=as_of, changes=changes)
        except PolicyError as exc:
            error = exc.message
        else:
            from jiuzhu.audit import services as audit

            audit.record(actor=request.user, action="policy.what_if", changes={"draft": changes, "as_of": str(as_of)})
    current = _parameters(program_for(locality, as_of))
    context = {"as_of": as_of, "draft": draft, "result": result, "error": error, "parameters": current}
    return render(request, "policy/what_if.html", context)
