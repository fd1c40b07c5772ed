from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class OrgErrorCode(models.TextChoices):
    LEVEL_ORDER = "level_order", _("{child}不能设在{parent}之下：层级须为 区/县 → 街道/镇 → 社区/村 → 网格")
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("所选单元不在您的管辖范围内")
    ROLE_ABOVE_ACTOR = "role_above_actor", _("只能为下级单元创建账号，不能授予与自己同级或更高的权限")
    ROLE_NEEDS_DEPARTMENT = "role_needs_department", _("部门联络员和社会组织人员必须指定所属部门")
    ROLE_LEVEL = "role_level", _("{role}应设在{level}一级")


class OrgError(JiuzhuError):
    pass
