"""Pages of 三色管理 and 台账: the colour distribution by street with the rule each household matched (and the
"classify now" button for the street and the district), the ledgers with their Excel export, and a household's
colour, flags, review schedule and revisits."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.workdays import china_date
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.localities import home_locality
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.choices import ColorClass
from jiuzhu.reviews import selectors, services
from jiuzhu.reviews.config import load_colours
from jiuzhu.reviews.export import ledger_workbook
from jiuzhu.reviews.forms import FlagForm, RevisitForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _no_departments(request) -> None:
    if request.user.is_department_member:
        raise Http404


def _street(request):
    """The street chosen in the filter, if it is one the actor sees."""
    wanted = request.GET.get("street", "")
    return next((s for s in selectors.streets_in_scope(actor=request.user) if str(s.pk) == wanted), None)


def _config_or_error():
    try:
        return load_colours(home_locality()), ""
    except (PolicyError, JiuzhuError) as exc:  # a malformed colours.yaml: say so on the page, with file and line
        return None, exc.message


@login_required
def colours_page(request):
    _no_departments(request)
    colour = request.GET.get("colour", "")
    if colour not in (*ColorClass.values, "none"):
        colour = ""
    rule = request.GET.get("rule", "")
    street = _street(request)
    qs = selectors.classification_list(actor=request.user, colour=colour, street=street, rule=rule)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    items = list(page.object_list)
    heads = registry_selectors.head_names(households=[c.household for c in items])
    config, config_error = _config_or_error()
    context = {
        "distribution": selectors.colour_distribution(actor=request.user),
        "page": page,
        "rows": [(c, heads.get(c.household_id, "")) for c in items],
        "colour": colour,
        "rule": rule,
        "street": street,
        "streets": selectors.streets_in_scope(actor=request.user),
        "colours": ColorClass.choices,
        "config": config,
        "config_error": config_error,
        "can_classify": services.can_classify(request.user),
    }
    return render(request, "reviews/colours.html", context)


@login_required
@require_POST
def colours_run(request):
    if not services.can_classify(request.user):
        raise Http404
    try:
        run = services.colours_classify(actor=request.user)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已按 %(file)s 对 %(n)s 户重新分类，其中 %(changed)s 户颜色改变。")
            % {"file": run.file, "n": run.households, "changed": len(run.changes)},
        )
    return redirect("reviews:colours")


def _ledger_context(request):
    category = request.GET.get("category", "marginal")
    if category not in selectors.LEDGER_CATEGORIES:
        category = "marginal"
    today = china_date(timezone.now())
    street = _street(request)
    households = selectors.ledger_households(actor=request.user, category=category, today=today, street=street)
    return category, today, street, households


@login_required
def ledger_page(request):
    _no_departments(request)
    category, today, street, households = _ledger_context(request)
    page = Paginator(households.select_related("org_unit"), 50).get_page(request.GET.get("page"))
    context = {
        "category": category,
        "category_label": selectors.LEDGER_CATEGORIES[category],
        "categories": list(selectors.LEDGER_CATEGORIES.items()),
        "page": page,
        "rows": selectors.ledger_rows(households=list(page.object_list), category=category, today=today),
        "street": street,
        "streets": selectors.streets_in_scope(actor=request.user),
        "today": today,
    }
    return render(request, "reviews/ledger.html", context)


@login_required
def ledger_export(request):
    _no_departments(request)
    category, today, street, households = _ledger_context(request)
    rows = selectors.ledger_rows(households=list(households.select_related("org_unit")), category=category, today=today)
    scope = street.name if street else request.user.org_unit.name
    title = f"{selectors.LEDGER_CATEGORIES[category]}台账（{scope}，{today.isoformat()}导出，共{len(rows)}户）"
    services.ledger_export_record(actor=request.user, category=category, rows=len(rows))
    buffer = io.BytesIO()
    ledger_workbook(rows, title=title, out=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"{selectors.LEDGER_CATEGORIES[category]}台账-{scope}-{today:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def household_reviews_page(request, household_id: int):
    household = registry_selectors.household_get(actor=request.user, id=household_id)
    _no_departments(request)
    can_record = services.can_record(request.user)
    revisit_form = RevisitForm(request.POST if request.POST.get("action") == "revisit" else None)
    flag_form = FlagForm(request.POST if request.POST.get("action") in ("flag_set", "flag_clear") else None)
    if request.method == "POST":
        if not can_record:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "revisit" and revisit_form.is_valid():
                services.revisit_add(
                    actor=request.user,
                    household=household,
                    visited_on=revisit_form.cleaned_data["visited_on"],
                    notes=revisit_form.cleaned_data["notes"],
                    findings=revisit_form.cleaned_data["findings"],
                )
                messages.success(request, _("已记录回访。"))
                return redirect("reviews:household", household_id=household.pk)
            if action in ("flag_set", "flag_clear") and flag_form.is_valid():
                service = services.household_flag_set if action == "flag_set" else services.household_flag_clear
                service(
                    actor=request.user,
                    household=household,
                    code=flag_form.cleaned_data["code"],
                    reason=flag_form.cleaned_data["reason"],
                )
                messages.success(request, _("已保存标记，并已按本地规则重新分类。"))
                return redirect("reviews:household", household_id=household.pk)
        except JiuzhuError as exc:
            messages.error(request, exc.message)
    config, config_error = _config_or_error()
    data = selectors.household_reviews(household=household)
    set_codes = {f.code for f in data["flags"]}
    context = {
        "household": household,
        "head": household.head(),
        "can_record": can_record,
        "revisit_form": revisit_form,
        "config": config,
        "config_error": config_error,
        "flags_to_set": [(c, label) for c, label in (config.flags.items() if config else []) if c not in set_codes],
        **data,
    }
    invalid = request.method == "POST"
    return render(request, "reviews/household.html", context, status=400 if invalid else 200)
