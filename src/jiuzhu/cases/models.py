"""R6 applications and their handling: one application (申请) for one or more programmes, each decided as a case
(一次申请、分类审核) along its programme's configured workflow (workflows.yaml), on legal deadlines.

Departments' parts of the same matter (一件事联办) are referrals (转介): a work order owned by the department with
the package it needs, shown to the applicant beside the cases.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.org.models import Department, OrgUnit
from jiuzhu.registry.models import Household, Person


class Application(models.Model):
    """One family's application (申请), possibly for several programmes.

        draft ──submit (materials complete)──► submitted ──accept──► accepted ──(every case decided)──► closed
          ▲  └── one-time notice of everything missing (一次性告知); kept, never lost
          └── withdraw from draft/submitted ──► withdrawn

    An online application arrives without a household on file; the window links it to one (or registers the
    family) when it accepts it. Transitions happen only in cases.intake.
    """

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口申请")
        ONLINE = "online", _("网上申请")
        ASSISTED = "assisted", _("帮办代办")
        GRID = "grid", _("网格员代为申请")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待补齐材料")
        SUBMITTED = "submitted", _("已提交，待受理")
        ACCEPTED = "accepted", _("已受理，办理中")
        CLOSED = "closed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤回")

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="applications", verbose_name=_("家庭户")
    )
    applicant = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="applications", verbose_name=_("申请人")
    )
    applicant_name = models.CharField(_("申请人姓名"), max_length=50)
    applicant_id_number = models.CharField(_("申请人身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, db_index=True)
    unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="applications", verbose_name=_("受理街道/乡镇"))
    locality = models.CharField(_("政策包"), max_length=64)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("代办人")
    )
    authorisation = models.CharField(_("委托/授权情况"), max_length=300, blank=True)
    based_on = models.CharField(
        _("申请地依据"),
        max_length=16,
        choices=[("hukou", _("户籍地")), ("residence", _("居住地")), ("incident", _("急难发生地"))],
        default="hukou",
    )
    situation = models.TextField(_("困难情况"), blank=True)
    programmes = models.JSONField(_("申请项目"), default=list)
    materials_provided = models.JSONField(_("已提交材料"), default=list, blank=True)
    materials_missing = models.JSONField(_("尚缺材料"), default=list, blank=True)
    declared = models.JSONField(_("申请人申报信息"), default=dict, blank=True)
    authorization_signed_on = models.DateField(_("核对授权书签署日期"), null=True, blank=True)
    conflict_of_interest = models.BooleanField(_("经办人员或村（居）委会成员的近亲属"), default=False)
    conflict_note = models.CharField(_("近亲属关系说明"), max_length=200, blank=True)
    emergency = models.BooleanField(_("急难情形"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("受理人")
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("accept_application", _("受理救助申请")),
            ("investigate", _("入户调查、民主评议、记录公示异议")),
            ("review_case", _("街道（乡镇）审核、公示、先行救助")),
            ("approve_case", _("审批（审核确认）")),
        ]

    def __str__(self) -> str:
        return f"申请{self.number} {self.applicant_name}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED, self.Status.ACCEPTED)


class Case(models.Model):
    """One programme of an application, decided along the programme's workflow (分类审核).

        in_progress: step ∈ workflow.steps, in order ──► approved (decision letter; payment from next month)
                      (investigation → verification → [appraisal] → review → notice → approval)  ──► refused
                      an objection during notice sends it back to investigation                  ──► withdrawn

    Only `cases.steps` moves a case: completing the current step is the one way forward, so no required step is
    skipped. `step_due_at` is the current step's limit, `due_at` the whole case's (30 working days, 45 with a recorded
    reason, 20 where approval is delegated — per workflows.yaml). Overdue cases escalate one level at a time.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("办理中")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不予批准")
        WITHDRAWN = "withdrawn", _("已撤回")

    application = models.ForeignKey(Application, models.CASCADE, related_name="cases", verbose_name=_("申请"))
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="cases", verbose_name=_("家庭户"), null=True, blank=True
    )
    programme = models.CharField(_("救助项目"), max_length=40)
    programme_name = models.CharField(_("项目名称"), max_length=100)
    workflow = models.CharField(_("审核流程"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True
    )
    step = models.CharField(_("当前环节"), max_length=24, blank=True)
    step_started_at = models.DateTimeField(_("环节开始时间"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("环节期限"), null=True, blank=True, db_index=True)
    step_due_label = models.CharField(_("环节时限"), max_length=100, blank=True)
    step_due_reference = models.CharField(_("环节时限依据"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("办结期限"), db_index=True)
    due_label = models.CharField(_("办结时限"), max_length=100)
    due_reference = models.CharField(_("办结时限依据"), max_length=300, blank=True)
    extended_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    approval_by = models.CharField(_("审批层级"), max_length=16, default="district")
    contested = models.BooleanField(_("有争议（须民主评议）"), default=False)
    spot_check_required = models.BooleanField(_("须抽查"), default=False)
    spot_checked_at = models.DateTimeField(_("抽查时间"), null=True, blank=True)
    proposed_amount = models.DecimalField(_("拟保障金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("批准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount_basis = models.JSONField(_("金额计算"), default=dict, blank=True)
    advance_amount = models.DecimalField(
        _("先行救助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    advance_paid_at = models.DateTimeField(_("先行救助时间"), null=True, blank=True)
    advance_due_at = models.DateTimeField(_("先行救助期限"), null=True, blank=True)
    meeting_amount = models.DecimalField(
        _("一事一议金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    meeting_reference = models.CharField(_("一事一议会议决定"), max_length=300, blank=True)
    verification = models.ForeignKey(
        "verification.VerificationRequest",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("家庭经济状况核对"),
    )
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("决定人")
    )
    decision_number = models.CharField(_("决定书编号"), max_length=64, blank=True, unique=True, null=True)
    reasons = models.JSONField(_("决定理由"), default=list, blank=True)
    payment_from = models.DateField(_("发放起始月"), null=True, blank=True)
    letter_due_at = models.DateTimeField(_("告知期限"), null=True, blank=True)
    letter_delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    escalated_to = models.ForeignKey(
        OrgUnit, models.PROTECT, null=True, blank=True, related_name="escalated_cases", verbose_name=_("督办单位")
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审核事项")
        verbose_name_plural = _("审核事项")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "programme"], name="case_one_per_programme"),
            models.CheckConstraint(
                name="case_decided_has_time",
                condition=~models.Q(status__in=["approved", "refused"]) | models.Q(decided_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.applicant_name} · {self.programme_name}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    def is_overdue(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.is_open:
            return False
        return now > self.due_at or (self.step_due_at is not None and now > self.step_due_at)


class CaseAction(models.Model):
    """One thing done on a case, in order: a step completed, an objection, an extension, a refused attempt…"""

    case = models.ForeignKey(Case, models.CASCADE, related_name="actions")
    step = models.CharField(_("环节"), max_length=24, blank=True)
    action = models.CharField(_("操作"), max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=50)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("意见/说明"), blank=True)
    data = models.JSONField(_("记录"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.action}"


class CasePhoto(models.Model):
    """A photo of the home investigation (入户调查照片), served only through a scoped view."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="photos")
    action = models.ForeignKey(CaseAction, models.CASCADE, related_name="photos")
    file = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file


class Referral(models.Model):
    """A part of the matter handled by another department (转介 / 一件事联办): a work order the department owns, with
    everything it needs in `package`, so the family is not asked again."""

    application = models.ForeignKey(
        Application, models.CASCADE, null=True, blank=True, related_name="referrals", verbose_name=_("申请")
    )
    household = models.ForeignKey(Household, models.PROTECT, related_name="referrals", verbose_name=_("家庭户"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="referrals", verbose_name=_("承办部门"))
    need = models.CharField(_("转介事项"), max_length=100)
    programme = models.CharField(_("对应项目"), max_length=40, blank=True)
    origin = models.CharField(_("来源"), max_length=32, blank=True)
    origin_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    package = models.JSONField(_("转介材料包"), default=dict)
    work_order = models.OneToOneField(
        "workorders.WorkOrder", models.PROTECT, related_name="referral", verbose_name=_("工单")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "department", "need", "origin", "origin_id"], name="referral_once_per_origin"
            )
        ]

    def __str__(self) -> str:
        return f"转介 {self.need} → {self.department}"


class CitizenCode(models.Model):
    """A one-time log-in code sent to a citizen's phone (short-lived; only its hash is kept)."""

    phone = models.CharField(max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"验证码 {self.phone[-4:]}"


class Notification(models.Model):
    """A text message sent to an applicant (or the worker who helped), whatever the SMS provider."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="notifications", null=True)
    phone = models.CharField(max_length=20)
    text = models.CharField(max_length=500)
    sent_at = models.DateTimeField(default=timezone.now)
    provider = models.CharField(max_length=32)
    ok = models.BooleanField(default=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"短信 {self.phone[-4:]} {self.sent_at:%Y-%m-%d %H:%M}"


# --- Payments (发放) ------------------------------------------------------------------------------------------------


class PayeeAccount(models.Model):
    """Where a household's benefit of a programme is paid (收款账户): the holder and the bank account or social
    security card (社保卡/一卡通). The account number is shown masked; the bank file carries it in full."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="payee_accounts")
    programme = models.CharField(_("救助项目"), max_length=40, blank=True, help_text=_("留空：该户所有项目"))
    holder = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("收款人"))
    bank = models.CharField(_("开户银行"), max_length=100)
    account_number = models.CharField(_("账号（银行卡或社保卡）"), max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")
        constraints = [models.UniqueConstraint(fields=["household", "programme"], name="one_account_per_programme")]

    def __str__(self) -> str:
        return f"{self.bank} ****{self.account_number[-4:]}"


class BenefitEvent(models.Model):
    """A change to a household's payment outside a new decision, with its reason: suspended (暂停), resumed
    (恢复), stopped (停发), gradual exit begun (渐退), a member's death to re-check within 3 months (死亡核查)."""

    class Kind(models.TextChoices):
        SUSPEND = "suspend", _("暂停发放")
        RESUME = "resume", _("恢复发放")
        STOP = "stop", _("停止发放")
        GRADUAL_EXIT = "gradual_exit", _("进入渐退期")
        EXIT_END = "exit_end", _("渐退期满停发")
        DEATH = "death", _("成员死亡待核查")

    household = models.ForeignKey(Household, models.CASCADE, related_name="benefit_events")
    programme = models.CharField(_("救助项目"), max_length=40)
    kind = models.CharField(_("变动"), max_length=16, choices=Kind.choices)
    month = models.DateField(_("起始月份"))
    reason = models.CharField(_("原因"), max_length=300)
    person = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True, related_name="+")
    due_on = models.DateField(_("核查期限"), null=True, blank=True)
    work_order = models.ForeignKey("workorders.WorkOrder", models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发放变动")
        verbose_name_plural = _("发放变动")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "programme", "kind", "person"],
                condition=models.Q(kind="death"),
                name="one_death_recheck_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:%Y-%m}"


class PaymentRoll(models.Model):
    """The monthly payment roll (发放名册) of one programme in one street.

        draft ──confirm (district)──► confirmed ──export bank file──► exported
          └── regenerate while draft (standards, files and events of the month read again)

    Each line's amount comes from the policy engine as of the month; every change since the last month is
    explained on its line."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审核")
        CONFIRMED = "confirmed", _("已审核")
        EXPORTED = "exported", _("已导出银行文件")

    locality = models.CharField(_("政策包"), max_length=64)
    programme = models.CharField(_("救助项目"), max_length=40)
    programme_name = models.CharField(_("项目名称"), max_length=100)
    street = models.ForeignKey(OrgUnit, models.PROTECT, related_name="payment_rolls", verbose_name=_("街道（乡镇）"))
    month = models.DateField(_("发放月份"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    households = models.PositiveIntegerField(_("发放户数"), default=0)
    total = models.DecimalField(_("发放总额（元）"), max_digits=14, decimal_places=2, default=0)
    changed = models.PositiveIntegerField(_("变动户数"), default=0)
    held = models.PositiveIntegerField(_("待核查户数"), default=0)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    generated_at = models.DateTimeField(_("生成时间"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    confirmed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发放名册")
        verbose_name_plural = _("发放名册")
        ordering = ["-month", "street__division_code", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "street", "month"], name="one_roll_per_programme_street_month")
        ]
        permissions = [
            ("prepare_payroll", _("编制发放名册，暂停、恢复发放，登记收款账户")),
            ("confirm_payroll", _("审核发放名册、导出银行文件、停止发放")),
        ]

    def __str__(self) -> str:
        return f"{self.programme_name} {self.month:%Y-%m} {self.street.name}"


class PaymentLine(models.Model):
    """One household (or, for a programme decided person by person, one member) on a roll."""

    class Change(models.TextChoices):
        NEW = "new", _("新增")
        SAME = "same", _("无变化")
        CHANGED = "changed", _("金额变化")
        GRADUAL_EXIT = "gradual_exit", _("渐退期")
        SUSPENDED = "suspended", _("暂停")
        RESUMED = "resumed", _("恢复")
        STOPPED = "stopped", _("停发")
        HELD = "held", _("待核查")

    roll = models.ForeignKey(PaymentRoll, models.CASCADE, related_name="lines")
    household = models.ForeignKey(Household, models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+")
    payee_name = models.CharField(_("收款人"), max_length=50)
    members = models.PositiveSmallIntegerField(_("家庭人口"), default=0)
    amount = models.DecimalField(_("本月金额（元）"), max_digits=12, decimal_places=2)
    previous = models.DecimalField(_("上月金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    change = models.CharField(_("变动"), max_length=16, choices=Change.choices)
    explanation = models.TextField(_("变动说明"), blank=True)
    basis = models.JSONField(_("测算依据"), default=dict)
    has_account = models.BooleanField(_("已登记收款账户"), default=False)

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["roll", "pk"]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.amount}"
