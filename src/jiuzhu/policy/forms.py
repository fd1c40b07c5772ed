"""The citizen self-check in plain questions (R3.8): a phone form that becomes a household-facts document."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.registry import choices as c

MAX_MEMBERS = 10
SELF_CARE = [("0", _("都能自己做")), ("2", _("有1到3项做不了")), ("5", _("有4项以上做不了"))]
DISABILITY_GRADES = [("", _("无残疾证")), ("1", _("一级")), ("2", _("二级")), ("3", _("三级")), ("4", _("四级"))]
EMERGENCIES = [
    ("", _("没有")),
    ("traffic_accident", _("交通事故")),
    ("accident", _("其他意外事故")),
    ("fire", _("火灾")),
    ("disaster", _("自然灾害")),
    ("illness", _("家人突发重病")),
]
RECEIVING = [
    (c.Programme.DIBAO.value, c.Programme.DIBAO.label),
    (c.Programme.TEKUN.value, c.Programme.TEKUN.label),
    (c.Programme.MARGINAL.value, c.Programme.MARGINAL.label),
]


def _money(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))


class HouseholdForm(forms.Form):
    area_type = forms.ChoiceField(label=_("您家住在"), choices=c.AreaType.choices, widget=forms.RadioSelect)
    size = forms.TypedChoiceField(
        label=_("一起生活的家人共有几口人（含您自己）"),
        choices=[(n, n) for n in range(1, MAX_MEMBERS + 1)],
        coerce=int,
    )
    financial = _money(_("全家存款、理财、股票等合计（元）"))
    vehicles = forms.IntegerField(label=_("全家有几辆汽车（不算残疾人代步车）"), min_value=0, required=False)
    homes = forms.IntegerField(label=_("全家有几套住房"), min_value=0, required=False)
    businesses = forms.IntegerField(label=_("全家有几个营业执照或公司"), min_value=0, required=False)
    medical = _money(_("近12个月自己付的医药费（医保报销后，元）"))
    education = _money(_("近12个月自己付的学费、住宿费（元）"))
    rehabilitation = _money(_("近12个月自己付的康复费用（元）"))
    emergency = forms.ChoiceField(label=_("最近是否遇到意外或急事"), choices=EMERGENCIES, required=False)
    months = forms.IntegerField(label=_("困难预计会持续几个月"), min_value=1, max_value=24, required=False)
    receives = forms.MultipleChoiceField(
        label=_("家里已经在享受的救助"), choices=RECEIVING, required=False, widget=forms.CheckboxSelectMultiple
    )


class MemberForm(forms.Form):
    relation = forms.ChoiceField(label=_("与户主关系"), choices=c.Relation.choices)
    age = forms.IntegerField(label=_("年龄（周岁）"), min_value=0, max_value=130)
    labor_capacity = forms.ChoiceField(label=_("能否劳动"), choices=c.LaborCapacity.choices)
    employment = forms.ChoiceField(
        label=_("现在的工作情况"), choices=[("", "—"), *c.Employment.choices], required=False
    )
    school_stage = forms.ChoiceField(label=_("在上学吗"), choices=c.SchoolStage.choices, required=False)
    disability_kind = forms.ChoiceField(
        label=_("残疾证上的类别"), choices=[("", _("无残疾证")), *c.DisabilityKind.choices], required=False
    )
    disability_grade = forms.ChoiceField(label=_("残疾等级"), choices=DISABILITY_GRADES, required=False)
    serious_illness = forms.BooleanField(label=_("患有重病或重特大疾病"), required=False)
    self_care = forms.ChoiceField(
        label=_("吃饭、穿衣、上下床、上厕所、室内走动、洗澡这六件事"), choices=SELF_CARE, required=False
    )
    supporter_able = forms.BooleanField(label=_("有子女或其他亲属能照顾、供养他（她）"), required=False, initial=True)
    wage = _money(_("每月工资收入（元）"))
    business = _money(_("每月做生意、种养殖等收入（元）"))
    pension = _money(_("每月退休金、养老金（元，不含城乡居民基础养老金）"))
    other = _money(_("每月其他收入，如赡养费、租金（元）"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("disability_kind")) != bool(data.get("disability_grade")):
            raise forms.ValidationError(_("有残疾证时请同时选择类别和等级"))
        return data


def member_forms(data=None, size: int = 1) -> list[MemberForm]:
    forms_ = []
    for i in range(size):
        initial = {"relation": c.Relation.HEAD if i == 0 else c.Relation.SPOUSE if i == 1 else c.Relation.CHILD}
        initial |= {"labor_capacity": c.LaborCapacity.FULL, "supporter_able": True, "self_care": "0"}
        forms_.append(MemberForm(data, prefix=f"m{i}", initial=initial))
    return forms_


def facts_document(household: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    """The answers as a household-facts document (docs/household-facts.md)."""

    def amounts(pairs: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in pairs.items() if v not in (None, "")}

    people = []
    for i, m in enumerate(members):
        person: dict[str, Any] = {
            "name": f"成员{i + 1}",
            "relation": m["relation"],
            "age": m["age"],
            "labor_capacity": m["labor_capacity"],
            "employment": m.get("employment") or "",
            "school_stage": m.get("school_stage") or "",
            "serious_illness": bool(m.get("serious_illness")),
            "self_care_failed": int(m.get("self_care") or 0),
            "supporter_able": bool(m.get("supporter_able")),
            "income": amounts(
                {"wage": m.get("wage"), "business": m.get("business"), "pension": m.get("pension")}
                | {"other": m.get("other")}
            ),
        }
        if m.get("disability_kind"):
            person["disability"] = {"kind": m["disability_kind"], "grade": int(m["disability_grade"])}
        people.append(person)
    vehicles = [{"kind": "car"} for _ in range(household.get("vehicles") or 0)]
    return {
        "area_type": household["area_type"],
        "members": people,
        "assets": {
            "financial": household.get("financial") or 0,
            "vehicles": vehicles,
            "homes": household.get("homes") or 0,
            "business_registrations": household.get("businesses") or 0,
        },
        "expenses_12m": amounts({k: household.get(k) for k in ("medical", "education", "rehabilitation")}),
        "emergency": {"kind": household.get("emergency") or "", "months": household.get("months") or 1},
        "receives": household.get("receives") or [],
    }
