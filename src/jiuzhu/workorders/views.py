"""Pages of work orders: the list with countdowns, one order with its log and forms, 督办, and the monthly bulletin
(with charts and an Excel export). Every page reads through the selectors and writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.audit import services as audit
from jiuzhu.core.errors import JiuzhuError, NotFound
from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.workorders import attachments, bulletin, selectors, services
from jiuzhu.workorders.forms import CloseForm, FeedbackForm, ReassignForm, ReturnForm
from jiuzhu.workorders.models import WorkOrder


def _rows(orders, now):
    return [(o, selectors.countdown(o, now)) for o in orders]


@login_required
def work_order_list_page(request):
    status = request.GET.get("status", "")
    if status not in [*WorkOrder.Status.values, "active"]:
        status = ""
    kind = request.GET.get("kind", "")
    if kind not in WorkOrder.Kind.values:
        kind = ""
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.work_order_list(actor=request.user, status=status, kind=kind, overdue=overdue)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _rows(page.object_list, timezone.now()),
        "status": status,
        "kind": kind,
        "overdue": overdue,
        "statuses": WorkOrder.Status.choices,
        "kinds": WorkOrder.Kind.choices,
        "counts": selectors.counts(actor=request.user),
        "query": request.GET.urlencode(),
    }
    template = "workorders/_rows.html" if request.htmx else "workorders/list.html"
    return render(request, template, context)


@login_required
def supervision_page(request):
    orders = selectors.supervision_list(actor=request.user)
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    context = {"page": page, "rows": _rows(page.object_list, timezone.now())}
    return render(request, "workorders/supervision.html", context)


def _detail_context(request, order: WorkOrder, **forms) -> dict:
    actor = request.user
    head = ""
    if order.household_id:
        head = registry_selectors.head_names(households=[order.household]).get(order.household_id, "")
    can_see_household = bool(
        order.household_id and registry_selectors.household_list(actor=actor).filter(pk=order.household_id).exists()
    )
    targets = selectors.reassign_targets(actor=actor, work_order=order)
    return {
        "o": order,
        "head": head,
        "can_see_household": can_see_household,
        "countdown": selectors.countdown(order),
        "actions": order.actions.select_related("actor").prefetch_related("attachments"),
        "can": {
            "accept": order.can_accept(actor),
            "feedback": order.can_feedback(actor),
            "close": order.can_close(actor),
            "return": order.can_return(actor),
            "reassign": bool(targets),
            "assign": order.can_assign(actor),
        },
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "reassign_form": forms.get("reassign_form") or ReassignForm(targets=targets),
        "assignees": selectors.assignee_choices(actor=actor, work_order=order),
    }


@login_required
def work_order_detail(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    return render(request, "workorders/detail.html", _detail_context(request, order))


def _done(request, order: WorkOrder, text: str):
    messages.success(request, text)
    return redirect("workorders:detail", work_order_id=order.pk)


def _form_error(request, order: WorkOrder, name: str, form, exc: JiuzhuError | None = None):
    context = _detail_context(request, order, **{name: form})
    if exc is not None:
        form.add_error(None, exc.message)
        context["error"] = exc.message
    status = 403 if exc is not None and exc.http_status == 403 else 400
    return render(request, "workorders/detail.html", context, status=status)


@login_required
@require_POST
def accept_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    try:
        services.work_order_accept(actor=request.user, work_order=order)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return redirect("workorders:detail", work_order_id=order.pk)
    return _done(request, order, _("已接收，请按期办理并反馈。"))


@login_required
@require_POST
def assign_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    assignee = Staff.objects.filter(pk=request.POST.get("assignee") or 0).first()
    try:
        if assignee is None:
            raise Http404
        services.work_order_assign(actor=request.user, work_order=order, assignee=assignee)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        return redirect("workorders:detail", work_order_id=order.pk)
    return _done(request, order, _("已指派经办人。"))


@login_required
@require_POST
def feedback_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    form = FeedbackForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_error(request, order, "feedback_form", form)
    try:
        services.work_order_feedback(
            actor=request.user,
            work_order=order,
            note=form.cleaned_data["note"],
            photos_in=form.cleaned_data["photos"],
        )
    except JiuzhuError as exc:
        return _form_error(request, order, "feedback_form", form, exc)
    return _done(request, order, _("已记录反馈。"))


@login_required
@require_POST
def close_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _form_error(request, order, "close_form", form)
    try:
        services.work_order_close(actor=request.user, work_order=order, feedback=form.cleaned_data["feedback"])
    except JiuzhuError as exc:
        return _form_error(request, order, "close_form", form, exc)
    return _done(request, order, _("工单已办结。"))


@login_required
@require_POST
def return_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _form_error(request, order, "return_form", form)
    try:
        services.work_order_return(actor=request.user, work_order=order, reason=form.cleaned_data["reason"])
    except JiuzhuError as exc:
        return _form_error(request, order, "return_form", form, exc)
    messages.success(request, _("已退回上级单位。"))
    return _after_move(request, order)


def _after_move(request, order: WorkOrder):
    """After a return or a reassignment the order may be out of the actor's sight: go to the list then."""
    try:
        selectors.work_order_get(actor=request.user, id=order.pk)
    except NotFound:
        return redirect("workorders:list")
    return redirect("workorders:detail", work_order_id=order.pk)


@login_required
@require_POST
def reassign_view(request, work_order_id: int):
    order = selectors.work_order_get(actor=request.user, id=work_order_id)
    form = ReassignForm(request.POST, targets=selectors.reassign_targets(actor=request.user, work_order=order))
    if not order.can_reassign(request.user):
        try:
            services.work_order_reassign(actor=request.user, work_order=order)  # refused, and the refusal audited
        except JiuzhuError as exc:
            return _form_error(request, order, "reassign_form", form, exc)
    if not form.is_valid():
        return _form_error(request, order, "reassign_form", form)
    what, _sep, pk = form.cleaned_data["target"].partition(":")
    to_unit = OrgUnit.objects.get(pk=pk) if what == "unit" else None
    to_department = Department.objects.get(pk=pk) if what == "department" else None
    try:
        services.work_order_reassign(
            actor=request.user,
            work_order=order,
            to_unit=to_unit,
            to_department=to_department,
            note=form.cleaned_data["note"],
        )
    except JiuzhuError as exc:
        return _form_error(request, order, "reassign_form", form, exc)
    messages.success(request, _("已转派，办理期限不变。"))
    return _after_move(request, order)


@login_required
def attachment_view(request, work_order_id: int, attachment_id: int):
    """A photo, only for those who may see its work order; never from a public folder."""
    photo = selectors.attachment_get(actor=request.user, work_order_id=work_order_id, id=attachment_id)
    try:
        handle = attachments.path_of(photo.path).open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _bulletin_or_error(request):
    try:
        month = bulletin.parse_month(request.GET.get("month"))
    except JiuzhuError as exc:
        messages.error(request, exc.message)
        month = bulletin.parse_month(None)
    return bulletin.bulletin(actor=request.user, month=month)


@login_required
def bulletin_page(request):
    report = _bulletin_or_error(request)
    chart = {
        "departments": _chart_data(report.departments),
        "streets": _chart_data(report.streets),
    }
    context = {
        "report": report,
        "month_value": f"{report.month:%Y-%m}",
        "rows": {"departments": report.departments, "streets": report.streets},
        "chart": chart,
        "now": timezone.now(),
    }
    return render(request, "workorders/bulletin.html", context)


def _chart_data(rows) -> dict:
    return {
        "names": [r.name for r in rows],
        "on_time": [r.closed_on_time for r in rows],
        "late": [r.closed_late for r in rows],
        "open": [r.still_open for r in rows],
    }


@login_required
def bulletin_export(request):
    report = _bulletin_or_error(request)
    data = bulletin.workbook(report)
    audit.record(
        actor=request.user,
        action="work_order.bulletin_export",
        changes={"month": f"{report.month:%Y-%m}", "received": report.total.received},
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="workorders-bulletin-{report.month:%Y-%m}.xlsx"'
    return response
