"""The citizen's phone pages (网上申请, no staff log-in): log in with the mobile number and a one-time SMS code, apply
for one or more programmes, see what to bring and where (一次性告知), and follow each part of the matter.

The verified phone lives in the session under its own key with its own idle limit (30 minutes), apart from any
staff log-in; every read is through cases.citizen, which only ever answers for that phone. A form sent after the
limit is kept in the session and filled in again once the phone is verified anew, so nothing typed is lost.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.audit.middleware import request_client_address
from jiuzhu.cases import citizen, intake
from jiuzhu.cases.errors import CaseError
from jiuzhu.cases.errors import CaseErrorCode as E
from jiuzhu.cases.forms import EMERGENCY_KINDS
from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.workflows import config
from jiuzhu.core.errors import JiuzhuError, NotFound
from jiuzhu.core.id_number import IdNumberError, parse_id_number
from jiuzhu.core.masking import mask_id_number, mask_phone
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, ServicePoint
from jiuzhu.policy.catalogue import catalogue
from jiuzhu.policy.localities import home_locality
from jiuzhu.policy.packs import load_pack
from jiuzhu.registry.choices import Relation

SESSION_KEY = "citizen_phone"  # {"phone": "139…", "until": POSIX seconds}: never a staff log-in
PENDING_KEY = "citizen_code_phone"  # the number a code was just sent to, to fill the form in again
DRAFT_KEY = "citizen_draft"  # an application form sent after the session ran out
SESSION_IDLE = timedelta(minutes=30)
MEMBER_ROWS = 9  # rows on the page for the other members of the household
MEMBER_ROWS_SHOWN = 3
PREFIX = "/public/apply/"
APPEAL = gettext_lazy(
    "如对决定不服，可以自收到书面决定之日起60日内申请行政复议，或者自收到之日起6个月内向人民法院提起行政诉讼。"
)


# --- The verified phone in the session ----------------------------------------------------------------------------


def citizen_session_start(request, phone: str) -> None:
    request.session.cycle_key()  # a new session id at log-in (no fixation)
    request.session[SESSION_KEY] = {"phone": phone, "until": (timezone.now() + SESSION_IDLE).timestamp()}
    request.session.pop(PENDING_KEY, None)


def verified_phone(request) -> str:
    """The phone verified in this session, renewed for another 30 minutes; "" once it has lapsed or was never set."""
    kept = request.session.get(SESSION_KEY)
    now = timezone.now()
    if not isinstance(kept, dict) or not kept.get("phone") or now.timestamp() > float(kept.get("until") or 0):
        if kept is not None:
            request.session.pop(SESSION_KEY, None)
        return ""
    request.session[SESSION_KEY] = {"phone": kept["phone"], "until": (now + SESSION_IDLE).timestamp()}
    return kept["phone"]


def _login_redirect(request, next_path: str) -> HttpResponseRedirect:
    return redirect(f"{reverse('cases:citizen_login')}?next={next_path}")


def _safe_next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith(PREFIX) and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("cases:citizen_mine")


def _china_day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    day = china_date(moment) if isinstance(moment, datetime) else moment
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _month_day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    day = china_date(moment) if isinstance(moment, datetime) else moment
    return _("%(m)s月%(d)s日") % {"m": day.month, "d": day.day}


# --- Log-in ----------------------------------------------------------------------------------------------------


class LoginForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "11位手机号"}),
    )
    code = forms.CharField(
        label=gettext_lazy("短信验证码"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}
        ),
    )


def citizen_home(request):
    if verified_phone(request):
        return redirect("cases:citizen_mine")
    return redirect("cases:citizen_login")


def citizen_login(request):
    """Step one: the number, and a code is texted to it; step two: the code. Both on one page, one button each."""
    next_url = _safe_next(request)
    if request.method == "GET" and verified_phone(request):
        return redirect(next_url)
    pending = request.session.get(PENDING_KEY, "")
    form = LoginForm(request.POST or None, initial={"phone": pending})
    if request.method == "POST" and form.is_valid():
        phone, action = form.cleaned_data["phone"], request.POST.get("action", "verify")
        try:
            if action == "send":
                citizen.citizen_code_send(phone=phone, address=request_client_address(request))
                number = citizen.citizen_phone_normalize(phone)
                request.session[PENDING_KEY] = number
                messages.success(
                    request,
                    _("验证码已发送至 %(phone)s，%(minutes)s分钟内有效。")
                    % {"phone": mask_phone(number), "minutes": int(citizen.CODE_VALID.total_seconds() // 60)},
                )
                return redirect(f"{reverse('cases:citizen_login')}?next={next_url}")
            if not form.cleaned_data["code"].strip():
                form.add_error("code", _("请输入短信验证码"))
            else:
                number = citizen.citizen_code_verify(phone=phone, code=form.cleaned_data["code"])
                citizen_session_start(request, number)
                return redirect(next_url)
        except CaseError as exc:
            form.add_error("code" if exc.code == E.CODE_WRONG else "phone", exc.message)
    context = {"form": form, "next": next_url, "pending": pending, "code_minutes": 10}
    return render(request, "cases/citizen/login.html", context, status=400 if form.errors else 200)


@require_POST
def citizen_logout(request):
    for key in (SESSION_KEY, PENDING_KEY, DRAFT_KEY):
        request.session.pop(key, None)
    messages.info(request, _("已退出。在公共设备上使用后，请关闭浏览器。"))
    return redirect("cases:citizen_login")


# --- Applying ---------------------------------------------------------------------------------------------------


def _streets():
    return OrgUnit.objects.filter(level=OrgUnit.Level.STREET, is_active=True).order_by("division_code", "pk")


def _locality(street: OrgUnit | None) -> str:
    return intake.locality_of(street) if street is not None else home_locality()


def programme_options(locality: str) -> list[dict]:
    """The programmes one may apply for here, in the policy list's plain words (its departments keep them)."""
    handling = config(locality)
    pack = load_pack(locality)
    options = []
    for item in catalogue(locality):
        if item.key not in pack.programmes:
            continue
        workflow = handling.workflow_for(item.key)
        referral = handling.referrals.get(item.key)
        if workflow is None and referral is None:
            continue
        options.append(
            {
                "code": item.key,
                "name": item.name,
                "description": item.description,
                "handled_by": item.department if referral is not None else "",
            }
        )
    return options


RELATIONS = [(r.value, r.label) for r in Relation if r != Relation.HEAD]


class MemberForm(forms.Form):
    """One other member of the household. A row left empty is ignored."""

    name = forms.CharField(label=gettext_lazy("姓名"), required=False, max_length=50)
    relation = forms.ChoiceField(
        label=gettext_lazy("与申请人关系"), required=False, choices=[("", gettext_lazy("请选择")), *RELATIONS]
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean(self):
        data = super().clean()
        filled = any((data.get(k) or "").strip() for k in ("name", "relation", "id_number"))
        data["filled"] = filled
        if not filled:
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("请填写姓名"))
        if not data.get("relation"):
            self.add_error("relation", _("请选择与申请人的关系"))
        if raw := (data.get("id_number") or "").strip():
            try:
                data["id_number"] = parse_id_number(raw, as_of=china_date(timezone.now())).number
            except IdNumberError as exc:
                self.add_error("id_number", exc.message)
        return data


class ApplyForm(forms.Form):
    street = forms.TypedChoiceField(label=gettext_lazy("向哪个街道（乡镇）申请"), coerce=int)
    based_on = forms.ChoiceField(label=gettext_lazy("按哪里申请"), widget=forms.RadioSelect, initial="hukou")
    applicant_name = forms.CharField(label=gettext_lazy("申请人姓名"), max_length=50)
    applicant_id_number = forms.CharField(
        label=gettext_lazy("申请人身份证号"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("18位；老身份证的15位号码也可以"),
    )
    address = forms.CharField(label=gettext_lazy("现在的居住地址"), max_length=200)
    programmes = forms.MultipleChoiceField(
        label=gettext_lazy("申请哪些救助（可多选）"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": str(E.NO_PROGRAMME.label)},
    )
    situation = forms.CharField(
        label=gettext_lazy("家里遇到的困难"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "例如：丈夫生病住院，没有收入，孩子在上学"}),
    )
    emergency_kind = forms.ChoiceField(
        label=gettext_lazy("最近是否遇到急难"),
        required=False,
        choices=[("", gettext_lazy("没有")), *EMERGENCY_KINDS],
    )
    emergency_loss = forms.DecimalField(
        label=gettext_lazy("急难造成的损失或支出（元，大约即可）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    consent_personal = forms.BooleanField(
        label=gettext_lazy(
            "我同意民政部门为办理本次救助申请，收集、使用我和家庭成员的个人信息（姓名、身份证号、住址、家庭情况），"
            "仅用于审核和救助，不作他用。"
        ),
        required=False,
    )
    consent_verification = forms.BooleanField(
        label=gettext_lazy(
            "我授权民政部门依法查询、核对我和共同生活家庭成员的收入、财产等家庭经济状况"
            "（书面授权书由家庭成员到窗口签字）。"
        ),
        required=False,
    )

    def __init__(self, *args, streets: list[OrgUnit], residence: bool, programmes: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [("", _("请选择")), *[(s.pk, s.name) for s in streets]]
        based_on = [("hukou", _("户籍地（户口所在地）"))]
        if residence:
            based_on.append(("residence", _("居住地（持居住证在这里居住）")))
        self.fields["based_on"].choices = based_on
        self.fields["programmes"].choices = [(p["code"], p["name"]) for p in programmes]

    def clean_applicant_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["applicant_id_number"], as_of=china_date(timezone.now())).number
        except IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_emergency_loss(self) -> Decimal | None:
        return self.cleaned_data.get("emergency_loss")


def member_forms(data=None) -> list[MemberForm]:
    return [MemberForm(data, prefix=f"m{i}") for i in range(MEMBER_ROWS)]


def _apply_context(request, form: ApplyForm, members: list[MemberForm], options: list[dict], phone: str) -> dict:
    filled = [i for i, m in enumerate(members) if any((m[f].value() or "") for f in ("name", "relation", "id_number"))]
    shown = max(MEMBER_ROWS_SHOWN, (filled[-1] + 1) if filled else 0)
    return {
        "form": form,
        "members": [(m, i >= shown) for i, m in enumerate(members)],
        "member_errors": any(m.errors for m in members if m.is_bound),
        "options": options,
        "phone": mask_phone(phone),
    }


def citizen_new(request):
    """The application form; on success the one-time notice (what to bring, where) on the application's page."""
    phone = verified_phone(request)
    if not phone:
        if request.method == "POST":
            request.session[DRAFT_KEY] = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            messages.warning(request, _("登录已超过30分钟，请重新获取验证码。您填写的内容已保留。"))
        return _login_redirect(request, reverse("cases:citizen_new"))
    data = request.POST if request.method == "POST" else None
    if data is None and (kept := request.session.pop(DRAFT_KEY, None)):
        data = MultiValueDict(kept)
    streets = list(_streets())
    chosen = None
    if data is not None and str(data.get("street", "")).isdigit():
        chosen = next((s for s in streets if s.pk == int(data["street"])), None)
    locality = _locality(chosen or (streets[0] if streets else None))
    options = programme_options(locality)
    residence = config(locality).residence_applications
    form = ApplyForm(data, streets=streets, residence=residence, programmes=options)
    members = member_forms(data)
    if request.method == "POST" and form.is_valid() & all([m.is_valid() for m in members]):
        d = form.cleaned_data
        street = next(s for s in streets if s.pk == d["street"])
        rows = [
            {
                "name": m.cleaned_data["name"].strip(),
                "relation": m.cleaned_data["relation"],
                "id_number": m.cleaned_data["id_number"],
            }
            for m in members
            if m.cleaned_data.get("filled")
        ]
        try:
            application = citizen.citizen_apply(
                phone=phone,
                street=street,
                based_on=d["based_on"],
                applicant_name=d["applicant_name"],
                applicant_id_number=d["applicant_id_number"],
                address=d["address"],
                members=rows,
                programmes=d["programmes"],
                situation=d["situation"],
                emergency_kind=d["emergency_kind"],
                emergency_loss=d["emergency_loss"],
                consent_personal=d["consent_personal"],
                consent_verification=d["consent_verification"],
            )
        except JiuzhuError as exc:
            form.add_error("consent_personal" if exc.code == E.CONSENT_REQUIRED else None, exc.message)
        else:
            messages.success(request, _("申请已提交，申请编号 %(number)s。") % {"number": application.number})
            return redirect("cases:citizen_detail", number=application.number)
    context = _apply_context(request, form, members, options, phone)
    bad = request.method == "POST" and (form.errors or context["member_errors"])
    return render(request, "cases/citizen/new.html", context, status=400 if bad else 200)


# --- Following the matter ---------------------------------------------------------------------------------------


def _programme_names(application: Application) -> list[str]:
    try:
        programmes = load_pack(application.locality).programmes
    except JiuzhuError:
        programmes = {}
    return [programmes[c].name if c in programmes else c for c in application.programmes]


def citizen_mine(request):
    phone = verified_phone(request)
    if not phone:
        return _login_redirect(request, reverse("cases:citizen_mine"))
    rows = [
        {"a": a, "programmes": _programme_names(a)}
        for a in citizen.citizen_application_list(phone=phone).prefetch_related("cases")[:50]
    ]
    return render(request, "cases/citizen/mine.html", {"rows": rows, "phone": mask_phone(phone)})


STEP_PLAIN = {
    "investigation": (gettext_lazy("入户调查"), gettext_lazy("社区工作人员上门了解您家的生活、收入和财产情况")),
    "verification": (gettext_lazy("经济状况核对"), gettext_lazy("民政部门通过信息系统核对您家的收入和财产")),
    "appraisal": (gettext_lazy("民主评议"), gettext_lazy("社区组织群众代表对您家的情况进行评议")),
    "review": (gettext_lazy("街道审核"), gettext_lazy("街道（乡镇）审核入户调查和核对的结果")),
    "notice": (gettext_lazy("公示"), gettext_lazy("在社区公示，接受群众监督")),
    "approval": (gettext_lazy("审批"), gettext_lazy("作出是否批准的决定")),
}


def _deciders(case: Case) -> str:
    return _("街道（乡镇）") if case.approval_by == "street" else _("区民政部门")


def _next_step(case: Case) -> str:
    """What happens next, in plain words and with its date (from step, step_due_at and due_at)."""
    step, due = case.step, case.step_due_at
    if step == "investigation":
        if due is not None:
            return _("下一步：社区工作人员将在%(day)s前入户调查，请保持电话畅通。") % {"day": _month_day(due)}
        return _("下一步：社区工作人员正在入户调查，请保持电话畅通。")
    if step == "verification":
        text = _("下一步：民政部门核对您家的收入和财产")
        if due is not None:
            text += _("，将在%(day)s前开始核对") % {"day": _month_day(due)}
        return text + _("；核对完成后由街道审核。")
    if step == "appraisal":
        return _("下一步：社区将组织民主评议，之后由街道审核。")
    if step == "review":
        text = _("下一步：街道（乡镇）审核")
        if due is not None:
            text += _("，将在%(day)s前完成") % {"day": _month_day(due)}
        return text + _("；审核同意的，将在社区公示。")
    if step == "notice":
        return _("正在社区公示（%(start)s至%(end)s），公示期满无异议后由%(who)s审批。") % {
            "start": _month_day(case.notice_starts_on),
            "end": _month_day(case.notice_ends_on),
            "who": _deciders(case),
        }
    if step == "approval":
        return _("下一步：%(who)s将在%(day)s前作出决定。") % {
            "who": _deciders(case),
            "day": _month_day(due or case.due_at),
        }
    return ""


def case_progress(case: Case, now: datetime) -> dict:
    """One programme's state as the applicant reads it."""
    view: dict = {"case": case, "status": case.get_status_display()}
    if case.is_open:
        label, explained = STEP_PLAIN.get(case.step, (case.step, ""))
        view |= {
            "step": label,
            "explained": explained,
            "step_due": _china_day(case.step_due_at),
            "due": _china_day(case.due_at),
            "due_label": case.due_label,
            "next": _next_step(case),
            "overdue": case.is_overdue(now),
            "escalated": case.escalated_to.name if case.escalated_to_id and case.escalated_at else "",
        }
    elif case.status == Case.Status.APPROVED:
        if case.payment_from and case.amount is not None:
            text = _("已批准：每月%(amount)s元，自%(y)s年%(m)s月起发放。") % {
                "amount": case.amount,
                "y": case.payment_from.year,
                "m": case.payment_from.month,
            }
        elif case.amount is not None:
            text = _("已批准：救助金额%(amount)s元。") % {"amount": case.amount}
        else:
            text = _("已批准。")
        view |= {"decision": text, "number": case.decision_number, "decided": _china_day(case.decided_at)}
    elif case.status == Case.Status.REFUSED:
        view |= {
            "decision": _("经审核，不予批准。"),
            "reasons": list(case.reasons or []),
            "appeal": APPEAL,
            "number": case.decision_number,
            "decided": _china_day(case.decided_at),
        }
    if case.advance_paid_at is not None:
        view["advance"] = _("已于%(day)s先行救助%(amount)s元。") % {
            "day": _china_day(case.advance_paid_at),
            "amount": case.advance_amount,
        }
    return view


def service_points(street: OrgUnit) -> list[ServicePoint]:
    """Where to bring the materials: the street's one-stop windows, else any service point of the street."""
    points = ServicePoint.objects.filter(org_unit__path__startswith=street.path)
    windows = list(points.filter(kind=ServicePoint.Kind.WINDOW).order_by("pk")[:5])
    return windows or list(points.filter(org_unit=street).order_by("pk")[:5])


def citizen_detail(request, number: str):
    phone = verified_phone(request)
    if not phone:
        return _login_redirect(request, reverse("cases:citizen_detail", kwargs={"number": number}))
    try:
        application = citizen.citizen_application_get(phone=phone, number=number)
    except NotFound:
        raise Http404 from None
    now = timezone.now()
    waiting = application.status in (Application.Status.DRAFT, Application.Status.SUBMITTED)
    declared = application.declared or {}
    context = {
        "a": application,
        "phone": mask_phone(phone),
        "programmes": _programme_names(application),
        "id_number": mask_id_number(application.applicant_id_number),
        "members": [
            {
                "name": m.get("name", ""),
                "relation": dict(RELATIONS).get(m.get("relation", ""), ""),
                "id_number": mask_id_number(m.get("id_number", "")),
            }
            for m in declared.get("members", [])
        ],
        "waiting": waiting,
        "materials": intake.materials_of(application) if waiting else None,
        "points": service_points(application.unit) if waiting else [],
        "created": _china_day(application.created_at),
        "accepted": _china_day(application.accepted_at),
        "cases": [case_progress(c, now) for c in application.cases.select_related("escalated_to").order_by("pk")],
        "referrals": [
            {
                "r": r,
                "status": r.work_order.get_status_display(),
                "due": _china_day(r.work_order.due_at),
                "closed": _china_day(r.work_order.closed_at),
            }
            for r in application.referrals.select_related("department", "work_order").order_by("pk")
        ],
        "notifications": list(application.notifications.filter(phone=phone)[:30]),
    }
    return render(request, "cases/citizen/detail.html", context)
