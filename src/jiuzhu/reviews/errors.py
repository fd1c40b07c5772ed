from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class ReviewsErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("该户不在您的管辖范围内")
    NO_COLOURS = "no_colours", _("政策包 {locality} 及其上级政策包都没有三色分类规则文件 colours.yaml")
    REASON_REQUIRED = "reason_required", _("请填写理由")
    UNKNOWN_FLAG = "unknown_flag", _("本地三色分类规则没有“{flag}”这一标记（可用：{known}）")
    FLAG_ALREADY_SET = "flag_already_set", _("该户已标记为“{label}”（{day}），无需重复标记")
    FLAG_NOT_SET = "flag_not_set", _("该户没有“{label}”标记")
    NOTES_REQUIRED = "notes_required", _("请填写回访情况")
    VISIT_IN_FUTURE = "visit_in_future", _("回访日期 {day} 晚于今天，请核实后重新填写")
    UNKNOWN_CATEGORY = "unknown_category", _("不认识的台账类别“{category}”")


class ReviewsError(JiuzhuError):
    pass
