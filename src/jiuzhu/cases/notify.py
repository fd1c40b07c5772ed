"""Text messages to the applicant (and the worker who helped) when their matter moves (R6.5): sent after the change
commits, through the pluggable provider (core.sms), each one kept as a Notification."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.cases.models import Application, Notification
from jiuzhu.core import sms


def _send(application: Application, text: str) -> None:
    phones = [application.phone] if application.phone else []
    helper = application.assisted_by
    if helper is not None and helper.phone and helper.phone not in phones:
        phones.append(helper.phone)
    if not phones:
        return
    pk = application.pk

    def deliver() -> None:
        for phone in phones:
            sent = sms.send(phone, text)
            Notification.objects.create(
                application_id=pk, phone=phone, text=text, provider=sent.provider, ok=sent.ok, error=sent.error
            )

    transaction.on_commit(deliver)


def application_registered(application: Application) -> None:
    if application.materials_missing:
        missing = "、".join(application.materials_missing)
        _send(application, f"您的救助申请（{application.number}）已登记，尚缺材料：{missing}。请一次带齐到受理窗口。")
    else:
        _send(application, f"您的救助申请（{application.number}）已提交，等待{application.unit.name}受理。")


def application_accepted(application: Application) -> None:
    _send(application, f"您的救助申请（{application.number}）已由{application.unit.name}受理，可凭手机号查询办理进度。")


def case_moved(case, text: str) -> None:
    _send(case.application, f"您申请的{case.programme_name}（{case.application.number}）{text}")
