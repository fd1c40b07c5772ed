from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.core.errors import JiuzhuError


class CaseErrorCode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("您的角色无权进行此操作：{what}")
    OUT_OF_JURISDICTION = "out_of_jurisdiction", _("该申请不在您的管辖范围内")
    CONFIG_INVALID = "config_invalid", _("审核流程配置有误（{file}，{where}）：{problem}")
    NO_PROGRAMME = "no_programme", _("请至少选择一个申请项目")
    UNKNOWN_PROGRAMME = "unknown_programme", _("政策包“{locality}”中没有救助项目“{programme}”")
    NO_WORKFLOW = "no_workflow", _("项目“{programme}”没有配置审核流程，也不是转介项目（workflows.yaml）")
    NAME_REQUIRED = "name_required", _("请填写申请人姓名")
    CHANNEL_INVALID = (
        "channel_invalid",
        _("申请方式“{channel}”不正确：工作人员登记只能是窗口申请、帮办代办或网格员代为申请"),
    )
    BASED_ON_INVALID = "based_on_invalid", _("申请地依据“{based_on}”不正确，应为户籍地、居住地或急难发生地")
    PHONE_INVALID = "phone_invalid", _("手机号“{phone}”不正确，应为11位数字")
    ID_INVALID = "id_invalid", _("申请人身份证号不正确：{reason}")
    NOT_DRAFT = "not_draft", _("申请当前状态为“{status}”，不能{action}")
    MATERIALS_MISSING = "materials_missing", _("材料不齐，尚缺：{missing}")
    AUTHORISATION_REQUIRED = (
        "authorisation_required",
        _("代为申请须记录委托或授权情况（委托人、委托书或口头授权及见证人）"),
    )
    HOUSEHOLD_REQUIRED = "household_required", _("受理前须关联到一户家庭档案")
    WRONG_PLACE = "wrong_place", _("该户的{place}不在“{unit}”，本地不能受理（{rule}）")
    WRONG_STEP = "wrong_step", _("该事项当前环节为“{current}”，不能办理“{step}”")
    CASE_CLOSED = "case_closed", _("该事项已{status}，不能再办理")
    INVESTIGATORS = (
        "investigators",
        _("入户调查须至少 {count} 名调查人员（民发〔2021〕57号 第十六条），这里只有 {found} 名"),
    )
    INVESTIGATOR_SCOPE = "investigator_scope", _("调查人员“{name}”不在该户所在地的工作人员范围内")
    CONFLICT_VISIT = (
        "conflict_visit",
        _("该户为经办人员或村（居）委会成员的近亲属，须有区县民政部门人员参加入户调查（民发〔2021〕57号 第二十条）"),
    )
    FINDINGS_REQUIRED = "findings_required", _("请填写入户调查情况")
    VERIFICATION_NOT_DONE = "verification_not_done", _("家庭经济状况核对尚未完成，不能进入下一环节")
    VERIFICATION_STALE = (
        "verification_stale",
        _("家庭经济状况核对结果已过有效期（完成于 {day}，有效期 {days} 天），须重新核对后才能作出决定"),
    )
    NO_AUTHORIZATION = "no_authorization", _("申请人尚未签署家庭经济状况核对授权书，不能提请核对")
    NOTICE_RUNNING = "notice_running", _("公示期至 {day} 结束，公示期满后才能进入下一环节")
    OPINION_REQUIRED = "opinion_required", _("请填写意见")
    REASONS_REQUIRED = "reasons_required", _("不予批准须写明理由")
    SPOT_CHECK_REQUIRED = (
        "spot_check_required",
        _("该事项被随机抽中核实（不低于 {ratio}% 的抽查比例），须先记录抽查结果"),
    )
    AMOUNT_REQUIRED = "amount_required", _("请填写金额")
    AMOUNT_OVER_AUTHORITY = (
        "amount_over_authority",
        _("金额 {amount} 元超出“{level}”的审批权限（{limit}），须由{next}审批"),
    )
    ALREADY_DECIDED = "already_decided", _("该事项已由{who}于{at}作出决定，不能重复决定")
    NO_ADVANCE = "no_advance", _("该事项不适用先行救助（仅急难型临时救助可先行救助）")
    ADVANCE_OVER = "advance_over", _("先行救助金额 {amount} 元超过街道（乡镇）可先行发放的上限 {limit} 元")
    ADVANCE_DONE = "advance_done", _("该事项已于 {at} 先行救助")
    MEETING_REQUIRED = "meeting_required", _("一事一议须记录会议名称、日期和决定")
    EXTENSION_REASON = "extension_reason", _("延期须写明特殊情况（公示有异议、人户分离、异地申办、调查难度大等）")
    ALREADY_EXTENDED = "already_extended", _("该事项已延期，不能再延期")
    OBJECTION_REQUIRED = "objection_required", _("请填写异议内容")
    NOT_ON_NOTICE = "not_on_notice", _("该事项不在公示期内")
    NO_DEPARTMENT = "no_department", _("本区县没有代码为“{code}”的部门，无法转介（请管理员在组织机构中添加）")
    REFERRAL_EXISTS = "referral_exists", _("已向{department}转介过“{need}”")
    CODE_WRONG = "code_wrong", _("验证码不正确或已过期")
    CODE_TOO_MANY = "code_too_many", _("验证码发送过于频繁，请 {minutes} 分钟后再试")
    NOT_AN_IMAGE = "not_an_image", _("“{name}”不是可识别的图片；只能上传 JPEG、PNG、GIF 或 WebP 格式的照片")
    IMAGE_TOO_LARGE = "image_too_large", _("“{name}”超过 {limit} MB，请压缩后再上传")
    CONSENT_REQUIRED = "consent_required", _("请阅读并同意个人信息处理和家庭经济状况核对授权")
    PAYMENTS_CONFIG_INVALID = "payments_config_invalid", _("发放配置有误（{file}，{where}）：{problem}")
    NOT_PAID_MONTHLY = "not_paid_monthly", _("“{programme}”不是按月发放的项目，没有发放名册")
    ROLL_NOT_DRAFT = "roll_not_draft", _("该名册已{status}，不能重新生成或修改")
    ROLL_NOT_CONFIRMED = "roll_not_confirmed", _("名册须先经区县审核，才能导出银行文件")
    ROLL_HELD = "roll_held", _("名册中还有{count}户待核查，须先处理（暂停、停发，或更正档案后重新生成）才能审核")
    ROLL_NO_ACCOUNT = "roll_no_account", _("名册中有{count}户没有登记收款账户，登记后才能审核")
    NOT_RECEIVING = "not_receiving", _("该户目前没有在享受“{programme}”")
    ALREADY_STATUS = "already_status", _("该户的“{programme}”目前已是“{status}”")
    REASON_REQUIRED = "reason_required", _("请写明原因")
    ACCOUNT_INVALID = "account_invalid", _("收款账号“{number}”不正确：应为 8 至 30 位数字")
    HOLDER_NOT_MEMBER = "holder_not_member", _("收款人须是该户的家庭成员")


class CaseError(JiuzhuError):
    pass
