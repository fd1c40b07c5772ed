from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.registry.models import Person


class PersonEditForm(forms.ModelForm):
    """The attributes a caseworker corrects after a visit; the reason is required and kept with the change."""

    reason = forms.CharField(
        label=_("修改原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：2024年3月入户调查核实")}),
    )

    class Meta:
        model = Person
        fields = [
            "phone",
            "labor_capacity",
            "disability_kind",
            "disability_grade",
            "serious_illness",
            "chronic_illness",
            "employment",
            "school_stage",
            "residence_division_code",
            "residence_address",
            "death_date",
        ]
        widgets = {"death_date": forms.DateInput(attrs={"type": "date"})}

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("修改家庭档案必须填写原因"))
        return reason
