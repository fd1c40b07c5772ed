"""Pages of 家庭经济状况核对: the list in one's jurisdiction, a household's verifications with the request form,
one verification with its start/complete buttons, and its report (HTML, and PDF for printing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.core.errors import JiuzhuError
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.verification import selectors, services
from jiuzhu.verification.forms import VerificationRequestForm
from jiuzhu.verification.models import VerificationRequest
from jiuzhu.verification.timeline import countdown


def _countdowns(verifications, now) -> dict[int, dict]:
    found = {}
    for v in verifications:
        try:
            found[v.pk] = countdown(v, now)
        except JiuzhuError as exc:  # a calendar year not loaded yet: say so in the row, not a server error
            found[v.pk] = {"state": "error", "days": None, "message": exc.message}
    return found


@login_required
def verification_list_page(request):
    status = request.GET.get("status", "")
    if status not in VerificationRequest.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.verification_list(actor=request.user, status=status, overdue=overdue)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    verifications = list(page.object_list)
    heads = registry_selectors.head_names(households=[v.household for v in verifications])
    overdue_count = selectors.verification_list(actor=request.user, overdue=True).count()
    context = {
        "page": page,
        "rows": [(v, heads.get(v.household_id, "")) for v in verifications],
        "countdowns": _countdowns(verifications, timezone.now()),
        "status": status,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "statuses": VerificationRequest.Status.choices,
    }
    return render(request, "verification/list.html", context)


@login_required
def household_verifications(request, household_id: int):
    household = registry_selectors.household_get(actor=request.user, id=household_id)
    if request.user.is_department_member:
        raise Http404
    can_request = request.user.has_perm(CHANGE_HOUSEHOLD)
    form = VerificationRequestForm(request.POST or None)
    if request.method == "POST":
        if not can_request:
            raise Http404
        if form.is_valid():
            try:
                verification = services.verification_request(
                    actor=request.user,
                    household=household,
                    purpose=form.cleaned_data["purpose"],
                    authorization_signed_on=form.cleaned_data["authorization_signed_on"],
                )
            except JiuzhuError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已提请核对，应在 %(due)s 前启动。")
                    % {"due": timezone.localtime(verification.start_due_at).strftime("%Y-%m-%d %H:%M")},
                )
                return redirect("verification:detail", verification_id=verification.pk)
    verifications = list(selectors.verification_list(actor=request.user, household=household))
    context = {
        "household": household,
        "head": household.head(),
        "form": form,
        "can_request": can_request,
        "open": selectors.open_verification(household=household),
        "verifications": verifications,
        "countdowns": _countdowns(verifications, timezone.now()),
    }
    return render(request, "verification/household.html", context, status=400 if form.errors else 200)


@login_required
def verification_detail(request, verification_id: int):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    context = {
        "v": verification,
        "head": verification.household.head(),
        "countdown": _countdowns([verification], timezone.now())[verification.pk],
        "can_act": request.user.has_perm(CHANGE_HOUSEHOLD),
    }
    return render(request, "verification/detail.html", context)


def _transition(request, verification_id: int, service, done: str):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    try:
        service(actor=request.user, request=verification)
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("verification:detail", verification_id=verification.pk)


@login_required
@require_POST
def verification_start_view(request, verification_id: int):
    return _transition(request, verification_id, services.verification_start, _("已启动核对。"))


@login_required
@require_POST
def verification_complete_view(request, verification_id: int):
    return _transition(
        request, verification_id, services.verification_complete, _("核对已完成，结果已固定，可以打印报告。")
    )


def _report_context(request, verification: VerificationRequest) -> dict:
    data = selectors.verification_report(verification=verification)
    # The month-by-month income table: one row a month, one column a source (declared, department, investigation).
    sources = list(data["income"]["by_source"].values())
    month_table = [
        {"label": month["label"], "values": [s["by_month"][i]["total"] for s in sources]}
        for i, month in enumerate(data["window"]["months"])
    ]
    return {
        "v": verification,
        "data": data,
        "month_sources": [s["label"] for s in sources],
        "month_table": month_table if sources else [],
        "printed_by": request.user,
        "printed_at": timezone.now(),
    }


@login_required
def verification_report_page(request, verification_id: int):
    verification = selectors.verification_get(actor=request.user, id=verification_id)
    context = _report_context(request, verification)
    services.verification_report_record(actor=request.user, request=verification)
    return render(request, "verification/report.html", context)


@login_required
def verification_report_pdf(request, verification_id: int):
    from weasyprint import HTML

    verification = selectors.verification_get(actor=request.user, id=verification_id)
    if not verification.is_completed:
        messages.warning(request, _("核对完成后才能打印报告；未完成时可在网页上预览。"))
        return redirect("verification:detail", verification_id=verification.pk)
    context = _report_context(request, verification)
    html = render_to_string("verification/report_print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    services.verification_report_record(actor=request.user, request=verification, printed=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"verification-{verification.household.number}-{verification.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
