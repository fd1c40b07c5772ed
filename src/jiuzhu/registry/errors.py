from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class RegistryErrorCode(models.TextChoices):
    DUPLICATE_ID_NUMBER = "duplicate_id_number", _("该身份证号已登记为{name}，同一身份证号只能登记一人")
    IN_ANOTHER_HOUSEHOLD = "in_another_household", _("{name}目前是户{number}的成员，请先办理迁出后再加入新户")
    HEAD_EXISTS = "head_exists", _("该户已有户主{name}，请先变更户主")
    REASON_REQUIRED = "reason_required", _("修改家庭档案必须填写原因")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("所选单元不在您的管辖范围内")
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    ID_MISMATCH = "id_mismatch", _("填写的{field}与身份证号不一致（身份证号显示为{expected}）")
    UNKNOWN_FIELD = "unknown_field", _("不能修改字段：{field}")
    BIRTH_DATE_REQUIRED = "birth_date_required", _("没有身份证号时必须填写出生日期和性别")


class RegistryError(JiuzhuError):
    pass
