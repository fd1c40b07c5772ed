"""Exchange pages: upload a department file and follow it, the rejected rows as Excel, the link review queue,
the configured sources and push tokens, and the monthly 疑点信息反馈表."""

from __future__ import annotations

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.audit import services as audit
from jiuzhu.core.errors import NotFound
from jiuzhu.core.parsing import parse_month
from jiuzhu.exchange import selectors, services, store
from jiuzhu.exchange.errors import ExchangeError
from jiuzhu.exchange.feedback import feedback_workbook
from jiuzhu.exchange.models import FeedBatch, SourceToken, Suspicion
from jiuzhu.exchange.sources import all_sources
from jiuzhu.org.models import Department
from jiuzhu.org.permissions import IMPORT_FEED, MANAGE_FEED_TOKENS, REVIEW_LINK
from jiuzhu.registry.selectors import household_list

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 200


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404


def _xlsx(filename: str, fill) -> HttpResponse:
    buffer = io.BytesIO()
    fill(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def batch_list(request):
    _need(request, IMPORT_FEED)
    sources = selectors.importable_sources(actor=request.user)
    if request.method == "POST" and request.FILES.get("file"):
        try:
            outcome = services.upload_receive(
                actor=request.user,
                source=request.POST.get("source", ""),
                uploaded=request.FILES["file"],
                kind=request.POST.get("kind", ""),
                sheet=request.POST.get("sheet", ""),
            )
        except ExchangeError as exc:
            messages.error(request, exc.message)
            return redirect("exchange:batches")
        if outcome.duplicate:
            messages.info(request, _("这个文件此前已经导入过，本次未做任何改动。"))
        return redirect("exchange:batch", outcome.batch.pk)
    batches = selectors.batch_list(actor=request.user)[:100]
    return render(request, "exchange/batch_list.html", {"batches": batches, "sources": sources})


def _batch(request, batch_id) -> FeedBatch:
    _need(request, IMPORT_FEED)
    try:
        return selectors.batch_get(actor=request.user, id=batch_id)
    except NotFound:
        raise Http404 from None


@login_required
def batch_detail(request, batch_id):
    batch = _batch(request, batch_id)
    preview = []
    if batch.status == FeedBatch.Status.COMMITTED and batch.rejected:
        table = store.read_rejected(batch).slice(0, PREVIEW_ROWS).to_pydict()
        preview = list(zip(table["_row"], table["_reason"], strict=True))
    template = "exchange/_batch_status.html" if request.htmx else "exchange/batch_detail.html"
    kind = all_sources().get(batch.source, None)
    kind = kind.kinds.get(batch.kind) if kind else None
    labels = {name: f.label or name for name, f in kind.fields.items()} if kind else {}
    columns = {k: labels.get(v, v) for k, v in batch.columns.items() if k != "_headers"}
    context = {"batch": batch, "preview": preview, "columns": columns, "kind_label": kind.label if kind else batch.kind}
    return render(request, template, context)


@login_required
def batch_rejected(request, batch_id):
    batch = _batch(request, batch_id)
    if batch.status != FeedBatch.Status.COMMITTED:
        raise Http404
    audit.record(actor=request.user, action="feed_batch.download_rejected", obj=batch)
    name = f"{batch.filename.rsplit('.', 1)[0] or batch.source}-退回数据.xlsx"
    return _xlsx(name, lambda out: store.rejected_workbook(batch, out))


@login_required
def review_list(request):
    _need(request, REVIEW_LINK)
    reviews = list(selectors.review_list(actor=request.user)[:200])
    sources = all_sources()
    for r in reviews:
        kind = sources[r.batch.source].kinds.get(r.batch.kind) if r.batch.source in sources else None
        r.kind_label = kind.label if kind else r.batch.kind
    return render(request, "exchange/review_list.html", {"reviews": reviews})


@login_required
@require_POST
def review_decide(request, review_id: int):
    _need(request, REVIEW_LINK)
    try:
        review = selectors.review_get(actor=request.user, id=review_id)
        services.link_review_decide(
            actor=request.user, review=review, same_person=request.POST.get("decision") == "same"
        )
    except NotFound:
        raise Http404 from None
    except ExchangeError as exc:
        messages.error(request, exc.message)
    return redirect("exchange:reviews")


@login_required
def source_list(request):
    _need(request, IMPORT_FEED)
    can_manage = request.user.has_perm(MANAGE_FEED_TOKENS)
    new_token = None
    if request.method == "POST" and can_manage:
        if request.POST.get("revoke"):
            token = SourceToken.objects.filter(pk=request.POST["revoke"]).first()
            if token:
                services.source_token_revoke(actor=request.user, token=token)
        else:
            try:
                token, new_token = services.source_token_create(
                    actor=request.user, source=request.POST.get("source", ""), name=request.POST.get("name", "").strip()
                )
            except ExchangeError as exc:
                messages.error(request, exc.message)
    context = {
        "sources": all_sources().values(),
        "tokens": SourceToken.objects.filter(is_active=True) if can_manage else [],
        "can_manage": can_manage,
        "new_token": new_token,
    }
    return render(request, "exchange/source_list.html", context)


def _month(request) -> date:
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        from jiuzhu.policy.localities import today

        return today().replace(day=1)


@login_required
def suspicion_list(request):
    _need(request, IMPORT_FEED)
    if request.method == "POST":
        return _suspicion_send(request)
    month = _month(request)
    suspicions = selectors.suspicion_list(actor=request.user).filter(month=month)
    departments = Department.objects.filter(pk__in=suspicions.values("department")).order_by("name")
    context = {
        "month": month,
        "all_departments": Department.objects.filter(kind=Department.Kind.GOVERNMENT).order_by("name"),
        "received": suspicions.filter(direction=Suspicion.Direction.RECEIVED),
        "sent": suspicions.filter(direction=Suspicion.Direction.SENT),
        "departments": departments,
    }
    return render(request, "exchange/suspicion_list.html", context)


def _suspicion_send(request):
    number = request.POST.get("household", "").strip()
    household = household_list(actor=request.user).filter(number=number).first()
    department = Department.objects.filter(code=request.POST.get("department", "")).first()
    content = request.POST.get("content", "").strip()
    if household is None or department is None or not content:
        messages.error(request, _("请填写本辖区的户编号、部门和疑点内容"))
    else:
        services.suspicion_send(actor=request.user, department=department, household=household, content=content)
        messages.success(request, _("已加入发给该部门的本月疑点信息反馈表"))
    return redirect("exchange:suspicions")


@login_required
def suspicion_export(request, department_code: str):
    _need(request, IMPORT_FEED)
    month = _month(request)
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise Http404
    rows = selectors.suspicion_list(actor=request.user).filter(
        department=department, month=month, direction=request.GET.get("direction", Suspicion.Direction.SENT)
    )
    name = f"{department.name}困难群众疑点信息反馈表-{month:%Y%m}.xlsx"
    return _xlsx(name, lambda out: feedback_workbook(rows, department_name=department.name, month=month, out=out))
