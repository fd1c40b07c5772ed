from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; each is checked to be an image by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class FeedbackForm(forms.Form):
    note = forms.CharField(label=_("反馈内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片"), required=False)


class CloseForm(forms.Form):
    feedback = forms.CharField(
        label=_("办理结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明核实情况和采取的措施，如“已入户核实，协助申请临时救助”"),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    target = forms.ChoiceField(label=_("转派给"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
