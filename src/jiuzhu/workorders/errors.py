from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class WorkOrderErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权对该工单进行此操作")
    UNKNOWN_KIND = "unknown_kind", _("不认识的工单类型“{kind}”")
    TITLE_REQUIRED = "title_required", _("工单须有标题")
    ONE_OWNER = "one_owner", _("工单须有且只有一个责任单位或责任部门")
    OUT_OF_SCOPE = "out_of_scope", _("“{target}”不在您可以派单的范围内")
    HOUSEHOLD_OUT_OF_SCOPE = "household_out_of_scope", _("该户不在您的管辖范围内")
    CLOSED = "closed", _("该工单已办结，不能再{action}")
    CANNOT_ACCEPT = "cannot_accept", _("该工单当前状态为“{status}”，不能接收")
    FEEDBACK_REQUIRED = "feedback_required", _("办结须填写办理情况反馈")
    NOTE_REQUIRED = "note_required", _("请填写反馈内容或上传照片")
    PHOTO_REQUIRED = "photo_required", _("此类工单（{kind}）办结前须上传至少一张现场照片")
    REASON_REQUIRED = "reason_required", _("退回须写明原因")
    NO_UNIT_ABOVE = "no_unit_above", _("“{unit}”已是最上级，不能再退回")
    REASSIGN_TARGET = "reassign_target", _("只能转派给本单位的下级单位，或转派给其他部门")
    ASSIGNEE_OUT_OF_UNIT = "assignee_out_of_unit", _("“{name}”不在该工单的责任单位或部门，不能指派")
    DEADLINE_INVALID = "deadline_invalid", _("工单办理时限配置有误（{file}，{where}）：{problem}")
    NO_DEADLINE = "no_deadline", _("政策包“{locality}”及其上级政策包都没有为“{kind}”配置办理时限（deadlines.yaml）")
    NOT_AN_IMAGE = "not_an_image", _("“{name}”不是可识别的图片；只能上传 JPEG、PNG、GIF 或 WebP 格式的照片")
    IMAGE_TOO_LARGE = "image_too_large", _("“{name}”超过 {limit} MB，请压缩后再上传")
    BAD_MONTH = "bad_month", _("月份“{month}”应写成 2024-03 这样的格式")


class WorkOrderError(JiuzhuError):
    pass
