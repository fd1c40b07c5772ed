"""Forms of the lead pages. They only read what was typed; every rule (ID numbers, phones, scope, duplicates)
is the services', so the page, the API and the tests refuse the same things with the same words."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.leads.models import STAFF_CHANNELS, Lead, ReporterRelation, Situation

RELATIONS_STAFF_FORM = [
    (ReporterRelation.RESIDENT.value, ReporterRelation.RESIDENT.label),
    (ReporterRelation.VOLUNTEER.value, ReporterRelation.VOLUNTEER.label),
    (ReporterRelation.SELF.value, ReporterRelation.SELF.label),
    (ReporterRelation.ANONYMOUS.value, ReporterRelation.ANONYMOUS.label),
]
RELATIONS_PUBLIC = [
    (ReporterRelation.RESIDENT.value, _("邻居/热心居民")),
    (ReporterRelation.VOLUNTEER.value, ReporterRelation.VOLUNTEER.label),
    (ReporterRelation.SELF.value, _("本人或家属")),
]
PHOTO = forms.FileField(
    label=_("现场照片（可选）"),
    required=False,
    widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
)


class _Subject(forms.Form):
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject_name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    subject_id_number = forms.CharField(
        label=_("身份证号（可选）"), required=False, max_length=40, widget=forms.TextInput(attrs={"inputmode": "text"})
    )
    subject_phone = forms.CharField(
        label=_("电话（可选）"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    subject_address = forms.CharField(label=_("地址"), required=False, max_length=200)
    situation = forms.ChoiceField(label=_("情形"), choices=Situation.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("补充说明（可选）"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GridLeadForm(_Subject):
    photo = PHOTO
    reporter_name = forms.CharField(label=_("提供人姓名"), required=False, max_length=50)
    reporter_phone = forms.CharField(
        label=_("提供人手机号"), required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    reporter_relation = forms.ChoiceField(
        label=_("提供人身份"), required=False, choices=RELATIONS_STAFF_FORM[:2], widget=forms.RadioSelect
    )


class ChannelLeadForm(_Subject):
    channel = forms.ChoiceField(label=_("来源渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    reference = forms.CharField(label=_("工单号/信访件号"), max_length=64)
    received_at = forms.DateTimeField(
        label=_("接收时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("不填即为现在；办理时限从接收时起算"),
    )
    reporter_name = forms.CharField(label=_("反映人"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("联系方式"), required=False, max_length=40)
    reporter_relation = forms.ChoiceField(
        label=_("反映人身份"), choices=RELATIONS_STAFF_FORM, initial=ReporterRelation.SELF
    )
    street = forms.IntegerField(label=_("承办街道/镇"), required=False, widget=forms.Select)
    photo = PHOTO

    def __init__(self, *args, streets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].widget.choices = [("", _("按对象居住地（在册）或本街道"))] + [
            (s.pk, s.name) for s in streets
        ]
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))


class PublicLeadForm(forms.Form):
    name = forms.CharField(label=_("您的姓名"), max_length=50)
    phone = forms.CharField(label=_("您的手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    relation = forms.ChoiceField(
        label=_("您是"), choices=RELATIONS_PUBLIC, initial=ReporterRelation.RESIDENT, widget=forms.RadioSelect
    )
    subject_name = forms.CharField(label=_("需要帮助的人（姓名或称呼，可选）"), required=False, max_length=50)
    situation = forms.ChoiceField(label=_("遇到了什么困难"), choices=Situation.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("补充说明（可选）"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    street = forms.IntegerField(label=_("所在街道/镇"), widget=forms.Select)
    address = forms.CharField(label=_("详细地址（小区、楼栋、门牌）"), max_length=200)
    consent = forms.BooleanField(
        label=_("我同意保存以上信息，用于工作人员上门核实和联系我；不勾选将不保存任何内容"), required=False
    )

    def __init__(self, *args, streets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].widget.choices = [("", _("请选择"))] + [(s.pk, s.name) for s in streets]


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("核实结果"), choices=[(s.value, s.label) for s in Lead.OUTCOMES], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("核实情况（属实的，写明已采取的措施）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    duplicate_of = forms.IntegerField(label=_("重复于线索编号（可选）"), required=False, min_value=1)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class RedeemForm(forms.Form):
    points = forms.IntegerField(label=_("兑换积分"), min_value=1, max_value=1_000_000)
    item = forms.CharField(label=_("兑换的物品或服务"), max_length=200)
