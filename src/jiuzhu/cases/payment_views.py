"""Pages of payments (发放): the monthly rolls and a household's payment (account, suspend, resume, stop).

Thin like the other pages: reads through the selectors below (a roll is seen by staff whose jurisdiction holds its
street; missing and not-allowed alike are 404), writes through cases.payments and cases.bankfile."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiuzhu.cases import bankfile, payments
from jiuzhu.cases.intake import locality_of
from jiuzhu.cases.models import BenefitEvent, PayeeAccount, PaymentLine, PaymentRoll
from jiuzhu.core.errors import JiuzhuError
from jiuzhu.core.masking import mask_id_number
from jiuzhu.core.workdays import china_date
from jiuzhu.org.models import OrgUnit, Staff
from jiuzhu.org.permissions import CONFIRM_PAYROLL, PREPARE_PAYROLL, VIEW_HOUSEHOLD
from jiuzhu.policy.packs import load_pack
from jiuzhu.registry import selectors as registry_selectors
from jiuzhu.registry.models import ProgrammeStatus

# --- Reads --------------------------------------------------------------------------------------------------------


def roll_list(*, actor: Staff):
    """Rolls of the streets in the actor's jurisdiction (a street officer: their street; the district: all)."""
    if not actor.is_active or not actor.has_perm(VIEW_HOUSEHOLD) or actor.is_department_member:
        return PaymentRoll.objects.none()
    return PaymentRoll.objects.filter(street__path__startswith=actor.org_unit.path).select_related("street")


def roll_get(*, actor: Staff, id: int) -> PaymentRoll:
    found = roll_list(actor=actor).filter(pk=id).first()
    if found is None:
        raise Http404
    return found


def _may(actor: Staff, perm: str) -> bool:
    return actor.has_perm(perm) and not actor.is_read_only and not actor.is_department_member


def _monthly_programmes(street: OrgUnit) -> list[tuple[str, str]]:
    try:
        pack = load_pack(locality_of(street))
    except JiuzhuError:
        return []
    return [
        (code, p.name) for code, p in pack.programmes.items() if p.benefit_period == "monthly" and p.benefit is not None
    ]


def _streets(actor: Staff) -> list[OrgUnit]:
    unit = actor.org_unit
    if unit.level == OrgUnit.Level.STREET:
        return [unit]
    return list(actor.jurisdiction().filter(level=OrgUnit.Level.STREET, is_active=True).order_by("division_code"))


class RollForm(forms.Form):
    street = forms.TypedChoiceField(label=gettext_lazy("街道（乡镇）"), coerce=int)
    programme = forms.ChoiceField(label=gettext_lazy("救助项目"))
    month = forms.CharField(
        label=gettext_lazy("发放月份"), widget=forms.TextInput(attrs={"type": "month"}), max_length=7
    )

    def __init__(self, *args, streets: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = [(s.pk, s.name) for s in streets]
        programmes = _monthly_programmes(streets[0]) if streets else []
        self.fields["programme"].choices = programmes

    def clean_month(self) -> date:
        raw = self.cleaned_data["month"].strip()
        try:
            year, month = (int(x) for x in raw.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("月份应写成 YYYY-MM，如 2024-10")) from None


# --- Rolls --------------------------------------------------------------------------------------------------------


@login_required
def roll_list_page(request):
    actor: Staff = request.user
    streets = _streets(actor)
    today = china_date(timezone.now())
    form = RollForm(request.POST or None, streets=streets, initial={"month": f"{payments.month_start(today):%Y-%m}"})
    if request.method == "POST":
        if not _may(actor, PREPARE_PAYROLL):
            raise Http404
        if form.is_valid():
            street = next(s for s in streets if s.pk == form.cleaned_data["street"])
            try:
                roll = payments.roll_generate(
                    actor=actor,
                    programme=form.cleaned_data["programme"],
                    street=street,
                    month=form.cleaned_data["month"],
                )
            except JiuzhuError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("名册已生成：%(n)s户，合计%(total)s元。") % {"n": roll.households, "total": roll.total}
                )
                return redirect("cases:payment_roll", roll_id=roll.pk)
    rolls = roll_list(actor=actor)[:200]
    context = {"rolls": rolls, "form": form, "may_prepare": _may(actor, PREPARE_PAYROLL) and streets}
    return render(request, "cases/payments/roll_list.html", context, status=400 if form.errors else 200)


@login_required
def roll_detail(request, roll_id: int):
    actor: Staff = request.user
    roll = roll_get(actor=actor, id=roll_id)
    change = request.GET.get("change", "")
    lines = roll.lines.select_related("household", "person").order_by("pk")
    counts = payments.roll_lines_by_change(roll)
    if change in PaymentLine.Change.values:
        lines = lines.filter(change=change)
    context = {
        "roll": roll,
        "lines": lines[:2000],
        "change": change,
        "changes": [(v, label, counts.get(v, 0)) for v, label in PaymentLine.Change.choices if counts.get(v)],
        "may_prepare": _may(actor, PREPARE_PAYROLL),
        "may_confirm": _may(actor, CONFIRM_PAYROLL),
    }
    return render(request, "cases/payments/roll_detail.html", context)


@login_required
@require_POST
def roll_act(request, roll_id: int, action: str):
    actor: Staff = request.user
    roll = roll_get(actor=actor, id=roll_id)
    try:
        if action == "regenerate":
            payments.roll_generate(actor=actor, programme=roll.programme, street=roll.street, month=roll.month)
            messages.success(request, _("名册已按本月规则和档案重新生成。"))
        elif action == "confirm":
            payments.roll_confirm(actor=actor, roll=roll)
            messages.success(request, _("名册已审核，可以导出银行文件。"))
        elif action == "export":
            export = bankfile.roll_export(actor=actor, roll=roll)
            response = HttpResponse(export.content, content_type=export.content_type)
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(export.filename)}"
            return response
        else:
            raise Http404
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    return redirect("cases:payment_roll", roll_id=roll.pk)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- One household's payment ----------------------------------------------------------------------------------------


class AccountForm(forms.Form):
    holder = forms.TypedChoiceField(label=gettext_lazy("收款人"), coerce=int)
    bank = forms.CharField(label=gettext_lazy("开户银行"), max_length=100)
    account_number = forms.CharField(label=gettext_lazy("账号（银行卡或社保卡）"), max_length=60)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].choices = [(p.pk, p.name) for p in members]


class ChangeForm(forms.Form):
    programme = forms.ChoiceField(label=gettext_lazy("救助项目"))
    kind = forms.ChoiceField(
        label=gettext_lazy("变动"),
        choices=[
            ("suspend", gettext_lazy("暂停发放")),
            ("resume", gettext_lazy("恢复发放")),
            ("stop", gettext_lazy("停止发放")),
        ],
    )
    month = forms.CharField(label=gettext_lazy("自哪个月起"), widget=forms.TextInput(attrs={"type": "month"}))
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = programmes

    clean_month = RollForm.clean_month


@login_required
def household_payments(request, household_id: int):
    actor: Staff = request.user
    household = registry_selectors.household_get(actor=actor, id=household_id)  # NotFound → 404
    members = [m.person for m in household.current_memberships()]
    statuses = list(ProgrammeStatus.objects.filter(household=household).order_by("-since"))
    current = [(s.programme, s.get_programme_display()) for s in statuses if s.until is None and s.status != "ended"]
    account_form = AccountForm(request.POST if "account" in request.POST else None, members=members)
    change_form = ChangeForm(request.POST if "change" in request.POST else None, programmes=current)
    if request.method == "POST":
        try:
            if "account" in request.POST and account_form.is_valid():
                payments.payee_account_set(
                    actor=actor,
                    household=household,
                    holder=next(p for p in members if p.pk == account_form.cleaned_data["holder"]),
                    bank=account_form.cleaned_data["bank"],
                    account_number=account_form.cleaned_data["account_number"],
                )
                messages.success(request, _("收款账户已登记。"))
                return redirect("cases:household_payments", household_id=household.pk)
            if "change" in request.POST and change_form.is_valid():
                data = change_form.cleaned_data
                service = {
                    "suspend": payments.benefit_suspend,
                    "resume": payments.benefit_resume,
                    "stop": payments.benefit_stop,
                }[data["kind"]]
                service(
                    actor=actor,
                    household=household,
                    programme=data["programme"],
                    reason=data["reason"],
                    month=data["month"],
                )
                messages.success(request, _("已登记，下次生成名册时生效。"))
                return redirect("cases:household_payments", household_id=household.pk)
        except JiuzhuError as exc:
            messages.error(request, exc.message)
    accounts = list(PayeeAccount.objects.filter(household=household).select_related("holder"))
    context = {
        "household": household,
        "statuses": statuses,
        "events": BenefitEvent.objects.filter(household=household).select_related("person")[:50],
        "accounts": [(a, mask_id_number(a.holder.id_number), f"****{a.account_number[-4:]}") for a in accounts],
        "lines": PaymentLine.objects.filter(household=household)
        .select_related("roll")
        .order_by("-roll__month", "-pk")[:36],
        "account_form": account_form,
        "change_form": change_form,
        "may_prepare": _may(actor, PREPARE_PAYROLL),
    }
    status = 400 if (account_form.errors or change_form.errors) else 200
    return render(request, "cases/payments/household.html", context, status=status)
