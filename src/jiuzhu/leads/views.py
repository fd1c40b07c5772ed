"""Pages of leads and points: a grid worker's phone form, a clerk's form for the other channels, the scoped list and
a lead's page (with its work order and the verification form), the photo behind a permission check, the staff
points page; and two public pages without log-in — a resident's own report and the points balance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiuzhu.audit import services as audit
from jiuzhu.audit.middleware import request_client_address
from jiuzhu.core.errors import JiuzhuError, NotFound
from jiuzhu.leads import photos, selectors, services
from jiuzhu.leads.forms import ChannelLeadForm, GridLeadForm, PhoneForm, PublicLeadForm, RedeemForm, VerifyForm
from jiuzhu.leads.models import Channel, Lead, Reporter
from jiuzhu.leads.phones import normalize_mobile
from jiuzhu.org.models import OrgUnit


def _person(request, person_id):
    """The picked person, within the actor's jurisdiction (None when nothing was picked)."""
    if not person_id:
        return None
    from jiuzhu.registry.selectors import person_get

    return person_get(actor=request.user, id=person_id)


def _due_message(lead) -> str:
    order = lead.work_order
    return _("已上报线索%(id)s，派给%(owner)s，须在 %(due)s 前核实（%(rule)s）。") % {
        "id": lead.pk,
        "owner": lead.owner_unit.name,
        "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M"),
        "rule": order.deadline_label,
    }


def _subject_fields(data) -> dict:
    return {
        "subject_name": data["subject_name"],
        "subject_id_number": data["subject_id_number"],
        "subject_phone": data["subject_phone"],
        "subject_address": data["subject_address"],
        "situation": data["situation"],
        "description": data["description"],
    }


@login_required
def lead_new(request):
    """The grid worker's phone form (网格员上报线索)."""
    if request.user.role not in services.GRID_REPORTERS:
        messages.info(request, _("请按来源渠道登记线索。"))
        return redirect("leads:register")
    form = GridLeadForm(request.POST or None, request.FILES or None)
    picked = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            picked = _person(request, data["person"])
            lead = services.lead_report(
                actor=request.user,
                person=picked,
                photo=data["photo"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                reporter_relation=data["reporter_relation"],
                **_subject_fields(data),
            )
        except NotFound:
            form.add_error(None, _("所选人员不在您的网格内，请重新选择"))
        except JiuzhuError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _due_message(lead))
            return redirect("leads:detail", lead_id=lead.pk)
    return render(request, "leads/new.html", {"form": form, "picked": picked}, status=400 if form.errors else 200)


@login_required
def subject_search(request):
    """The people of one's jurisdiction matching a name or the ID number's last digits (a fragment for htmx)."""
    rows = selectors.subject_search(actor=request.user, query=request.GET.get("q", ""))
    return render(request, "leads/_subjects.html", {"rows": rows, "query": request.GET.get("q", "")})


@login_required
def lead_register_page(request):
    """A clerk's form for hotline, petition, police/governance and media leads (其他渠道线索登记)."""
    if request.user.role not in services.CHANNEL_CLERKS:
        raise Http404
    streets = list(selectors.streets_for(actor=request.user))
    form = ChannelLeadForm(request.POST or None, request.FILES or None, streets=streets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            street = OrgUnit.objects.filter(pk=data["street"]).first() if data["street"] else None
            lead = services.lead_register(
                actor=request.user,
                channel=data["channel"],
                reference=data["reference"],
                received_at=data["received_at"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                reporter_relation=data["reporter_relation"],
                person=_person(request, data["person"]),
                street=street,
                photo=data["photo"],
                **_subject_fields(data),
            )
        except NotFound:
            form.add_error(None, _("所选人员不在您的管辖范围内，请重新选择"))
        except JiuzhuError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _due_message(lead))
            return redirect("leads:detail", lead_id=lead.pk)
    return render(request, "leads/register.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def lead_list_page(request):
    status = request.GET.get("status", "")
    status = status if status in Lead.Status.values else ""
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    query = request.GET.get("q", "")[:50]
    qs = selectors.lead_list(actor=request.user, status=status, channel=channel, query=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "channel": channel,
        "query": query,
        "statuses": Lead.Status.choices,
        "channels": Channel.choices,
        "can_report": request.user.role in services.GRID_REPORTERS,
        "can_register": request.user.role in services.CHANNEL_CLERKS,
    }
    return render(request, "leads/list.html", context)


@login_required
def lead_detail(request, lead_id: int):
    lead = selectors.lead_get(actor=request.user, id=lead_id)
    can_verify = lead.can_verify() and selectors.lead_can_verify(actor=request.user, lead=lead)
    context = {
        "lead": lead,
        "order": selectors.lead_work_order(lead=lead),
        "form": VerifyForm() if can_verify else None,
        "points": getattr(lead, "points_entry", None) if lead.reporter_id else None,
    }
    return render(request, "leads/detail.html", context)


@login_required
@require_POST
def lead_verify_view(request, lead_id: int):
    lead = selectors.lead_get(actor=request.user, id=lead_id)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择核实结果并写明核实情况。"))
        return redirect("leads:detail", lead_id=lead.pk)
    duplicate_of = None
    if form.cleaned_data["duplicate_of"]:
        try:
            duplicate_of = selectors.lead_get(actor=request.user, id=form.cleaned_data["duplicate_of"])
        except NotFound:
            messages.error(request, _("没有找到编号为 %(id)s 的线索。") % {"id": form.cleaned_data["duplicate_of"]})
            return redirect("leads:detail", lead_id=lead.pk)
    try:
        lead = services.lead_verify(
            actor=request.user,
            lead=lead,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            duplicate_of=duplicate_of,
        )
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记核实结果：%(status)s。") % {"status": lead.get_status_display()})
    return redirect("leads:detail", lead_id=lead.pk)


@login_required
def lead_photo(request, lead_id: int):
    lead = selectors.lead_get(actor=request.user, id=lead_id)
    if not lead.photo_path:
        raise Http404
    try:
        path = photos.path_of(lead.photo_path)
        handle = path.open("rb")
    except OSError:
        raise Http404 from None
    audit.record(actor=request.user, action="lead.photo_view", obj=lead)
    response = FileResponse(handle, content_type=lead.photo_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- Points: staff ---------------------------------------------------------------------------------------------

SESSION_KEY = "leads_points_reporter"


@login_required
def points_page(request):
    """Look a reporter up by their full mobile number; see the ledger; record a redemption (积分兑换)."""
    if request.user.role not in selectors.POINTS_READERS:
        raise Http404
    lookup, redeem = PhoneForm(), RedeemForm()
    reporter = None
    if request.method == "POST" and "phone" in request.POST:
        lookup = PhoneForm(request.POST)
        if lookup.is_valid():
            try:
                reporter = selectors.reporter_find(actor=request.user, phone=lookup.cleaned_data["phone"])
            except NotFound:
                request.session.pop(SESSION_KEY, None)
                lookup.add_error("phone", _("没有该手机号的积分账户（须输入完整的 11 位手机号）"))
            else:
                request.session[SESSION_KEY] = reporter.pk
                services.points_lookup_record(actor=request.user, reporter=reporter)
    elif (reporter_id := request.session.get(SESSION_KEY)) is not None:
        reporter = Reporter.objects.filter(pk=reporter_id).first()
    if request.method == "POST" and "item" in request.POST and reporter is not None:
        redeem = RedeemForm(request.POST)
        if redeem.is_valid():
            try:
                entry = services.points_redeem(
                    actor=request.user,
                    reporter=reporter,
                    points=redeem.cleaned_data["points"],
                    item=redeem.cleaned_data["item"],
                )
            except JiuzhuError as exc:
                redeem.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("已兑换 %(points)s 分，余额 %(balance)s 分。")
                    % {"points": entry.points, "balance": entry.balance_after},
                )
                return redirect("leads:points")
    context = {
        "lookup": lookup,
        "redeem": redeem,
        "reporter": reporter,
        "entries": list(selectors.points_ledger(reporter=reporter)[:200]) if reporter else [],
        "can_redeem": request.user.role in services.REDEEMERS,
    }
    return render(request, "leads/points.html", context, status=400 if redeem.errors else 200)


# --- Public pages (no log-in) -----------------------------------------------------------------------------------


def public_report(request):
    """A resident reports someone in hardship (or themselves). Nothing is stored without consent."""
    streets = list(selectors.streets_for(actor=None))
    form = PublicLeadForm(request.POST or None, streets=streets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.public_request_allow(purpose="report", address=request_client_address(request))
            lead = services.lead_submit_public(
                consent=data["consent"],
                name=data["name"],
                phone=data["phone"],
                relation=data["relation"],
                situation=data["situation"],
                description=data["description"],
                subject_name=data["subject_name"],
                address=data["address"],
                street=OrgUnit.objects.filter(pk=data["street"]).first(),
            )
        except JiuzhuError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "leads/public_thanks.html", {"lead": lead, "street": lead.owner_unit})
    return render(request, "leads/public_report.html", {"form": form}, status=400 if form.errors else 200)


def public_balance(request):
    """A resident sees their points balance by their mobile number: the number masked and the balance, nothing
    else; an unknown number answers 0 like any account without points; each address may ask 5 times in 10
    minutes and everyone together 300 times (see services.PUBLIC_LIMITS)."""
    form = PhoneForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            services.public_request_allow(purpose="balance", address=request_client_address(request))
            phone = normalize_mobile(form.cleaned_data["phone"])
        except JiuzhuError as exc:
            form.add_error(None, exc.message)
        else:
            result = selectors.public_balance(phone=phone)
            form = PhoneForm()  # the full number is not written back into the page
    return render(request, "leads/public_balance.html", {"form": form, "result": result})
