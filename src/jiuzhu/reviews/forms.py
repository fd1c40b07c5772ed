from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.parsing import parse_date


class RevisitForm(forms.Form):
    visited_on = forms.CharField(label=_("回访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    findings = forms.CharField(
        label=_("发现的变化和问题"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def clean_visited_on(self):
        try:
            return parse_date(self.cleaned_data["visited_on"].strip())
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class FlagForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(label=_("理由"), max_length=300)
