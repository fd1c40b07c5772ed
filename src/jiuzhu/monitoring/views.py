"""Pages of active discovery: alerts with why they were raised and where they went; 政策找人 runs with their
findings by street and the comparison with the previous run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.monitoring import screening, selectors, services
from jiuzhu.monitoring.models import Alert
from jiuzhu.monitoring.scenarios import load_config
from jiuzhu.policy.localities import home_locality
from jiuzhu.registry import selectors as registry_selectors


@login_required
def alert_list_page(request):
    status = request.GET.get("status", "open")
    if status not in ("", "open", *Alert.Status.values):
        status = "open"
    scenario = request.GET.get("scenario", "")
    qs = selectors.alert_list(actor=request.user, status=status, scenario=scenario)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    scoped = selectors.alert_list(actor=request.user, status="open")
    context = {
        "page": page,
        "status": status,
        "scenario": scenario,
        "statuses": Alert.Status.choices,
        "scenarios": sorted(load_config(home_locality()).scenarios.values(), key=lambda s: s.name),
        "open_count": scoped.count(),
        "high_count": scoped.filter(severity=Alert.Severity.HIGH).count(),
        "unlinked_count": scoped.filter(status=Alert.Status.UNLINKED).count(),
    }
    return render(request, "monitoring/alerts.html", context)


@login_required
def alert_detail(request, alert_id: int):
    from jiuzhu.workorders.models import WorkOrder

    alert = selectors.alert_get(actor=request.user, id=alert_id)
    orders = WorkOrder.objects.filter(origin="alert", origin_id=alert.pk).select_related(
        "owner_unit", "owner_department"
    )
    heads = registry_selectors.head_names(households=[alert.household]) if alert.household else {}
    context = {"alert": alert, "orders": orders, "head": heads.get(alert.household_id, "")}
    if alert.household is not None:  # 转介: the household's need to a department of its district (cases app)
        from jiuzhu.cases.models import Referral
        from jiuzhu.org.models import Department

        district = alert.household.org_unit.ancestors().filter(level="district").first()
        context["departments"] = Department.objects.filter(district=district).order_by("name") if district else []
        context["referrals"] = Referral.objects.filter(origin="alert", origin_id=alert.pk).select_related("department")
    return render(request, "monitoring/alert_detail.html", context)


@login_required
@require_POST
def alert_dismiss_view(request, alert_id: int):
    alert = selectors.alert_get(actor=request.user, id=alert_id)
    try:
        services.alert_dismiss(actor=request.user, alert=alert, reason=request.POST.get("reason", ""))
        messages.success(request, "预警已排除，相关工单已关闭。")
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:alert", alert_id=alert.pk)


@login_required
def screening_list(request):
    runs = selectors.screening_run_list(actor=request.user)[:30]
    return render(request, "monitoring/screening.html", {"runs": runs})


@login_required
@require_POST
def screening_start_view(request):
    try:
        run = screening.screening_start(actor=request.user)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return redirect("monitoring:screening")
    return redirect("monitoring:screening_run", run_id=run.pk)


@login_required
def screening_detail(request, run_id: int):
    run = selectors.screening_run_get(actor=request.user, id=run_id)
    context = {"run": run, "programmes": screening.screenable_programmes(run.locality)}
    if run.status == run.Status.DONE:
        comparison = screening.compare(run, actor=request.user)
        kind = request.GET.get("show", "new")
        shown = {"new": comparison.new, "still": comparison.still_open, "resolved": comparison.resolved}.get(
            kind, comparison.new
        )
        page = Paginator(sorted(shown, key=lambda f: (f.kind, f.programme, f.household.number)), 100).get_page(
            request.GET.get("page")
        )
        rows = list(page.object_list)
        for f in rows:
            f.programme_name = context["programmes"].get(f.programme, f.programme)
        heads = registry_selectors.head_names(households=[f.household for f in rows])
        context |= {
            "comparison": comparison,
            "show": kind,
            "page": page,
            "rows": [(f, heads.get(f.household_id, "")) for f in rows],
            "streets": screening.by_street(comparison.new + comparison.still_open),
            "undispatched": screening.findings_in_scope(run, actor=request.user)
            .filter(work_order_id__isnull=True)
            .values("household_id", "kind")
            .distinct()
            .count(),
        }
    return render(request, "monitoring/screening_run.html", context)


@login_required
@require_POST
def screening_dispatch_view(request, run_id: int):
    run = selectors.screening_run_get(actor=request.user, id=run_id)
    try:
        made = screening.screening_dispatch(actor=request.user, run=run)
        messages.success(request, f"已派发 {made} 张核实工单到各社区。")
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    return redirect("monitoring:screening_run", run_id=run.pk)


@login_required
def screening_progress(request, run_id: int):
    run = selectors.screening_run_get(actor=request.user, id=run_id)
    response = render(request, "monitoring/_progress.html", {"run": run})
    if run.status in (run.Status.DONE, run.Status.FAILED):
        response["HX-Refresh"] = "true"  # the finished run's page shows the findings
    return response
