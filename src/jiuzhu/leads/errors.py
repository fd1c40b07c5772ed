from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class LeadErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作")
    NOT_GRID_LEVEL = "not_grid_level", _("网格线索由网格员或社区工作人员上报；街道和区县请按来源渠道登记线索")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("该户或该人员不在您的管辖范围内")
    WHO_REQUIRED = "who_required", _("请选择在册人员，或填写对象姓名")
    NAME_TOO_LONG = "name_too_long", _("姓名过长（最多 50 个字）")
    UNKNOWN_SITUATION = "unknown_situation", _("请选择情形（如独居老人摔伤/生病、突发重病……其他）")
    OTHER_NEEDS_TEXT = "other_needs_text", _("选择“其他”时请简要写明情况")
    UNKNOWN_CHANNEL = "unknown_channel", _("不认识的来源渠道“{channel}”")
    REFERENCE_REQUIRED = "reference_required", _("请填写{channel}的工单号或件号")
    DUPLICATE_REFERENCE = (
        "duplicate_reference",
        _("{channel}编号“{reference}”已于 {day} 登记为线索{lead}，不能重复登记；如有新情况请在该线索中补充"),
    )
    RECEIVED_IN_FUTURE = "received_in_future", _("接收时间 {at} 晚于现在，请核对")
    STREET_REQUIRED = "street_required", _("对象不在册，请选择其居住地所在的街道/镇")
    STREET_NOT_ALLOWED = "street_not_allowed", _("“{street}”不是您可以派单的街道/镇")
    PHONE_INVALID = "phone_invalid", _("手机号“{phone}”应为 11 位数字，以 1 开头")
    REPORTER_REQUIRED = "reporter_required", _("居民或志愿者提供的线索须填写提供人姓名和手机号，才能计入积分")
    CONSENT_REQUIRED = (
        "consent_required",
        _("请勾选同意：我们需要保存您填写的姓名、电话和情况，才能安排工作人员上门核实。未勾选时不保存任何内容。"),
    )
    ADDRESS_REQUIRED = "address_required", _("请填写地址（在哪里），以便工作人员上门")
    CANNOT_VERIFY = "cannot_verify", _("该线索已核实为“{status}”，不能再次核实")
    UNKNOWN_OUTCOME = "unknown_outcome", _("核实结果应为属实、不属实或重复")
    NOTE_REQUIRED = "note_required", _("请写明核实情况（属实的，写明已采取的措施）")
    DUPLICATE_OF_SELF = "duplicate_of_self", _("线索不能与自身重复")
    NO_REPORTER = "no_reporter", _("没有手机号为 {phone} 的积分账户")
    POINTS_INVALID = "points_invalid", _("兑换积分应为正整数")
    ITEM_REQUIRED = "item_required", _("请写明兑换的物品或服务")
    BALANCE_TOO_LOW = "balance_too_low", _("积分余额 {balance} 分，不足以兑换 {points} 分")
    NOT_AN_IMAGE = "not_an_image", _("“{name}”不是可识别的照片；只能上传 JPEG、PNG、GIF 或 WebP 格式的图片")
    IMAGE_TOO_LARGE = "image_too_large", _("照片“{name}”超过 {limit} MB，请重新拍摄或压缩后上传")
    TOO_MANY_REQUESTS = "too_many_requests", _("操作过于频繁，请 {minutes} 分钟后再试")
    POINTS_CONFIG_INVALID = "points_config_invalid", _("积分规则配置有误（{file}，{where}）：{problem}")
    NO_POINTS_CONFIG = "no_points_config", _("政策包“{locality}”及其上级政策包都没有积分规则（points.yaml）")
    NO_POINTS_TABLE = "no_points_table", _("{file} 中没有 {day} 当天适用的积分表")


class LeadError(JiuzhuError):
    pass
