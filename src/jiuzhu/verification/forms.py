from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.parsing import parse_date
from jiuzhu.verification.models import VerificationRequest


class VerificationRequestForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("核对事由"),
        choices=VerificationRequest.Purpose.choices,
        initial=VerificationRequest.Purpose.APPLICATION,
    )
    # Optional here on purpose: the service refuses a request without it, with the reason (57号 第九条).
    authorization_signed_on = forms.CharField(
        label=_("授权书签署日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("申请人（及共同生活家庭成员）签署《家庭经济状况核对授权书》的日期"),
    )

    def clean_authorization_signed_on(self):
        value = (self.cleaned_data.get("authorization_signed_on") or "").strip()
        if not value:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
