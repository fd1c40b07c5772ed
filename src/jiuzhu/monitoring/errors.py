from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class MonitoringErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    REASON_REQUIRED = "reason_required", _("请填写排除预警的理由")
    NOT_OPEN = "not_open", _("该预警当前状态为“{status}”，不能再排除")
    UNKNOWN_LOCALITY = "unknown_locality", _("没有找到政策包“{locality}”")


class MonitoringError(JiuzhuError):
    pass
