"""Forms of the staff pages of applications and cases. They check the shape of what was typed; every rule of the
procedure (who may, which step, how many investigators, the deadlines) stays in the services, whose Chinese message
is shown beside the form when they refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.cases.errors import CaseErrorCode
from jiuzhu.cases.intake import ASSISTED_CHANNELS
from jiuzhu.cases.models import Application
from jiuzhu.org.models import Department, Staff

EMERGENCY_KINDS = [
    ("traffic_accident", _("交通事故")),
    ("accident", _("其他意外事故")),
    ("fire", _("火灾")),
    ("disaster", _("自然灾害")),
    ("illness", _("家庭成员突发重大疾病")),
    ("other", _("其他急难情形")),
]
INVESTIGATION_ITEMS = [
    ("living", _("居住情况")),
    ("income", _("收入情况")),
    ("assets", _("财产情况")),
    ("conclusion", _("调查结论")),
]
STAFF_CHANNELS = [c for c in Application.Channel.choices if c[0] != Application.Channel.ONLINE]


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; each is judged an image by its content (cases.photos.PHOTOS) in the view."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _text(label, *, rows: int = 2, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _money(label, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class ApplicationForm(forms.Form):
    """Intake at the window (登记申请): who applies, for what, how, and what they brought."""

    street = forms.ChoiceField(label=_("受理街道（乡镇）"))
    channel = forms.ChoiceField(label=_("申请方式"), choices=STAFF_CHANNELS, initial=Application.Channel.WINDOW)
    authorisation = forms.CharField(
        label=_("委托/授权情况"),
        required=False,
        max_length=300,
        help_text=_("帮办代办、网格员代为申请时必填：委托人、委托书或口头授权及见证人"),
    )
    based_on = forms.ChoiceField(
        label=_("申请地依据"),
        choices=[("hukou", _("户籍地")), ("residence", _("居住地")), ("incident", _("急难发生地"))],
        initial="hukou",
    )
    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话（11位手机号，用于短信告知进度）"), required=False, max_length=20)
    applicant_id_number = forms.CharField(label=_("申请人身份证号"), required=False, max_length=30)
    programmes = forms.MultipleChoiceField(
        label=_("申请项目（可多选，一次申请、分类审核）"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": str(CaseErrorCode.NO_PROGRAMME.label)},
    )
    materials = forms.MultipleChoiceField(label=_("已提交的材料"), required=False, widget=forms.CheckboxSelectMultiple)
    situation = _text(_("困难情况"), rows=3, required=False)
    authorization_signed_on = _date(_("家庭经济状况核对授权书签署日期"))
    conflict_of_interest = forms.BooleanField(
        label=_("共同生活家庭成员与经办人员或村（居）委会成员有近亲属关系（单独登记备案，须区县民政部门入户调查）"),
        required=False,
    )
    conflict_note = forms.CharField(label=_("近亲属关系说明"), required=False, max_length=200)
    emergency = forms.BooleanField(label=_("急难情形（急难型临时救助，可先行救助）"), required=False)
    emergency_kind = forms.ChoiceField(
        label=_("急难情形"), required=False, choices=[("", _("请选择")), *EMERGENCY_KINDS]
    )
    emergency_loss = _money(_("造成的损失或支出（元）"))
    emergency_months = forms.IntegerField(
        label=_("困难预计持续月数"), required=False, min_value=1, max_value=24, initial=1
    )

    def __init__(
        self,
        *args,
        streets: list[tuple[str, str]],
        programmes: list[tuple[str, str]],
        materials: list[str],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = streets
        self.fields["programmes"].choices = programmes
        self.fields["materials"].choices = [(m, m) for m in materials]

    def clean(self):
        data = super().clean()
        if data.get("channel") in ASSISTED_CHANNELS and not (data.get("authorisation") or "").strip():
            self.add_error("authorisation", str(CaseErrorCode.AUTHORISATION_REQUIRED.label))
        if data.get("emergency") and not data.get("emergency_kind"):
            self.add_error("emergency_kind", _("请选择急难情形"))
        if data.get("conflict_of_interest") and not (data.get("conflict_note") or "").strip():
            self.add_error("conflict_note", _("请写明与哪位经办人员或村（居）委会成员是什么关系"))
        return data

    def declared(self) -> dict:
        """What the applicant declared about an emergency (policy.facts.Emergency)."""
        data = self.cleaned_data
        if not data.get("emergency"):
            return {}
        return {
            "emergency": {
                "kind": data["emergency_kind"],
                "loss": str(data.get("emergency_loss") or 0),
                "months": data.get("emergency_months") or 1,
            }
        }


class MaterialsForm(forms.Form):
    """Materials brought later (补齐材料)."""

    materials = forms.MultipleChoiceField(
        label=_("本次补交的材料"), required=False, widget=forms.CheckboxSelectMultiple
    )
    authorization_signed_on = _date(_("家庭经济状况核对授权书签署日期"))

    def __init__(self, *args, materials: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(m, m) for m in materials]

    def clean(self):
        data = super().clean()
        if not data.get("materials") and not data.get("authorization_signed_on") and not self.errors:
            raise forms.ValidationError(_("请勾选补交的材料，或填写授权书签署日期"))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=200)


def _staff_label(staff: Staff) -> str:
    return f"{staff.full_name}（{staff.get_role_display()} · {staff.org_unit.name}）"


class InvestigationForm(forms.Form):
    """The home investigation record (入户调查表)."""

    investigators = forms.ModelMultipleChoiceField(
        label=_("调查人员（按住 Ctrl 多选）"),
        queryset=Staff.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    living = _text(_("居住情况"), required=False)
    income = _text(_("收入情况"), required=False)
    assets = _text(_("财产情况"), required=False)
    conclusion = _text(_("调查结论"), required=False)
    findings = _text(_("入户调查情况（综合）"), rows=3)
    photos = PhotosField(label=_("现场照片（可多张）"), required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigators"].queryset = team
        self.fields["investigators"].label_from_instance = _staff_label

    def record(self) -> dict:
        return {key: self.cleaned_data.get(key, "").strip() for key, _label in INVESTIGATION_ITEMS}


class AppraisalForm(forms.Form):
    attendees = forms.IntegerField(label=_("参加评议人数"), min_value=1, max_value=500)
    outcome = _text(_("评议意见"))


class ReviewForm(forms.Form):
    recommend = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("approve", _("建议同意")), ("refuse", _("建议不同意"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    contested = forms.BooleanField(label=_("家庭经济状况难以核实，提请民主评议"), required=False)
    opinion = _text(_("审核意见说明"))


class ObjectionForm(forms.Form):
    objection = _text(_("公示异议（记录后退回重新入户调查）"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批决定"),
        choices=[("approve", _("批准")), ("refuse", _("不予批准"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    amount = _money(_("金额（元；留空按政策规则测算的金额）"))
    opinion = _text(_("审批意见"))
    reasons = _text(_("不予批准的理由（每行一条；已按规则中未满足的条件预填）"), rows=3, required=False)

    def reason_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("reasons", "").splitlines() if line.strip()]


class SpotCheckForm(forms.Form):
    finding = _text(_("抽查核实情况"))


class MeetingForm(forms.Form):
    amount = _money(_("一事一议金额（元）"), required=True)
    meeting = forms.CharField(label=_("会议名称、日期和决定"), max_length=300)


class AdvanceForm(forms.Form):
    amount = _money(_("先行救助金额（元）"), required=True)
    note = forms.CharField(label=_("说明（急难情况、发放方式）"), max_length=300)


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("特殊情况（公示有异议、人户分离、异地申办、调查难度大等）"), max_length=300)


class ReferForm(forms.Form):
    """转介 to a department of the district (一件事联办)."""

    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.none())
    need = forms.CharField(label=_("转介事项（如：公租房保障、医疗救助）"), max_length=100)
    note = forms.CharField(label=_("补充说明"), required=False, max_length=300)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
