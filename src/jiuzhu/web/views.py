"""Pages. Thin: each view reads through a selector and writes through a service, like the API and the CLI."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiuzhu.audit.selectors import audit_list
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org import selectors as org_selectors
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD, VIEW_AUDIT
from jiuzhu.registry import selectors, services
from jiuzhu.registry.models import Person
from jiuzhu.web.forms import PersonEditForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:login")


@login_required
def workbench(request):
    actor = request.user
    today = timezone.localdate()
    households = selectors.household_list(actor=actor)
    context = {
        "today": today,
        "household_count": households.count(),
        "recent_changes": audit_list(actor=actor, mine=True)[:10],
    }
    # What awaits each role (the work-order, alert and case queues join here as those modules arrive).
    if actor.is_department_member:
        context["shares"] = selectors.open_shares(actor=actor)[:50]
        from jiuzhu.policy.catalogue import entries_due_for_review
        from jiuzhu.policy.localities import home_locality

        # Every April each department confirms its entries of the policy list (003).
        context["catalogue_due"] = entries_due_for_review(actor=actor, locality=home_locality(), today=today)
    else:
        context["to_visit"] = selectors.households_to_visit(actor=actor, today=today)[:20]
        context["reviews_due"] = selectors.plan_reviews_due(actor=actor, by=today + timedelta(days=14))[:20]
        context["without_plan"] = selectors.assisted_households_without_plan(actor=actor)[:20]
    if actor.has_perm(VIEW_AUDIT):
        context["scope_audit"] = audit_list(actor=actor)[:10]
    from jiuzhu.workorders.selectors import counts as work_order_counts

    context["work_orders"] = work_order_counts(actor=actor)  # open, overdue and escalated (督办), in the actor's scope
    from jiuzhu.monitoring.selectors import alert_list

    context["open_alerts"] = alert_list(actor=actor, status="open").count()
    return render(request, "web/workbench.html", context)


@login_required
def household_search(request):
    query = request.GET.get("q", "")
    qs = selectors.household_list(actor=request.user, query=query)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    heads = selectors.head_names(households=list(page.object_list))
    rows = [(h, heads.get(h.pk, "")) for h in page.object_list]
    template = "web/_household_rows.html" if request.htmx else "web/household_search.html"
    return render(request, template, {"query": query, "page": page, "rows": rows})


@login_required
def household_detail(request, household_id: int):
    household = selectors.household_get(actor=request.user, id=household_id)
    services.household_view_record(actor=request.user, household=household)
    context = {
        "household": household,
        "today": timezone.localdate(),
        "history": selectors.household_history(household=household, limit=50),
        **selectors.household_file(household=household),
    }
    if not request.user.is_department_member:  # 三色管理与复核 (jiuzhu.reviews)
        from jiuzhu.reviews.selectors import household_reviews

        context["reviews"] = household_reviews(household=household)
    return render(request, "web/household_detail.html", context)


@login_required
@require_POST
def person_reveal(request, person_id: int, field: str):
    person = selectors.person_get(actor=request.user, id=person_id)
    try:
        value = services.identity_reveal(actor=request.user, person=person, field=field)
    except JiuzhuError as exc:
        return HttpResponse(exc.message, status=exc.http_status)
    return render(request, "web/_revealed.html", {"value": value, "field": field})


@login_required
def person_edit(request, person_id: int):
    person = selectors.person_get(actor=request.user, id=person_id)
    household = person.current_membership().household
    if not request.user.has_perm(CHANGE_HOUSEHOLD):
        raise Http404
    # The form writes into its instance while validating; the service must compare against the stored person.
    form = PersonEditForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "reason"}
        try:
            services.person_update(actor=request.user, person=person, reason=form.cleaned_data["reason"], **fields)
        except JiuzhuError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存对%(name)s的修改。") % {"name": person.name})
            return redirect("web:household_detail", household_id=household.pk)
    return render(request, "web/person_edit.html", {"form": form, "person": person, "household": household})


@login_required
def org_tree(request):
    return render(request, "web/org_tree.html", {"tree": org_selectors.org_tree(actor=request.user)})


@login_required
def audit_log(request):
    if not request.user.has_perm(VIEW_AUDIT):
        raise Http404
    page = Paginator(audit_list(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "web/audit_log.html", {"page": page})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
