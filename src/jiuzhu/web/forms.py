from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.registry.models import Person
from jiuzhu.registry.services import PERSON_EDITABLE

# Name and hukou change through their own procedures (户籍变更), not through a caseworker's correction.
PERSON_FIELDS_SET_ELSEWHERE = {"name", "ethnicity", "hukou_division_code", "hukou_address"}


class PersonEditForm(forms.ModelForm):
    """The attributes a caseworker corrects after a visit; the reason is required and kept with the change."""

    reason = forms.CharField(
        label=_("修改原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：2024年3月入户调查核实")}),
    )

    class Meta:
        model = Person
        fields = [f for f in PERSON_EDITABLE if f not in PERSON_FIELDS_SET_ELSEWHERE]
        widgets = {"death_date": forms.DateInput(attrs={"type": "date"})}

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("修改家庭档案必须填写原因"))
        return reason
