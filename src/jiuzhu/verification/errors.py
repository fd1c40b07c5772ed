from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class VerificationErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("该户不在您的管辖范围内")
    AUTHORIZATION_MISSING = (
        "authorization_missing",
        _(
            "申请人尚未签署家庭经济状况核对授权书，不能提请核对（民发〔2021〕57号 第九条）。"
            "请先请申请人签署授权书，再填写签署日期。"
        ),
    )
    AUTHORIZATION_IN_FUTURE = "authorization_in_future", _("授权书签署日期 {day} 晚于今天，请核实后重新填写")
    UNKNOWN_PURPOSE = "unknown_purpose", _("不认识的核对事由“{purpose}”，应为新申请或在保复核")
    NO_MEMBERS = "no_members", _("该户没有在册的共同生活家庭成员，无法核对")
    ALREADY_OPEN = "already_open", _("该户已有一项未完成的核对（提请于{day}），请先完成该项核对")
    CANNOT_START = "cannot_start", _("该核对当前状态为“{status}”，不能启动")
    CANNOT_COMPLETE = "cannot_complete", _("该核对当前状态为“{status}”，不能完成；请先启动核对")


class VerificationError(JiuzhuError):
    pass
