"""R5.4 / R5.5 线索 and R7.6 积分: leads from grid workers, residents, hotlines, petitions, police and the media,
each turned into a work order with its time limit, and the points ledger of the residents and volunteers who
report them (积分兑换).

A lead names the person in hardship either by the registry (`household` / `person`, picked within the reporter's
jurisdiction) or by what was typed (`subject_*`; an ID number only when it passes GB 11643). Its work order lives
in the workorders app and points back here with origin="lead", origin_id=lead.pk; `work_order_id` keeps the link
without a foreign key into that app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.org.models import OrgUnit
from jiuzhu.registry.models import Household, Person

ORIGIN = "lead"  # WorkOrder.origin of a lead's work order


class Situation(models.TextChoices):
    """The common situations a reporter picks from (plus free text)."""

    ELDERLY_ALONE = "elderly_alone", _("独居老人摔伤/生病")
    SUDDEN_ILLNESS = "sudden_illness", _("突发重病")
    ACCIDENT = "accident", _("意外事故")
    INCOME_LOSS = "income_loss", _("失业断收")
    FAMILY_CRISIS = "family_crisis", _("家庭变故")
    HOUSING_DAMAGE = "housing_damage", _("房屋受损")
    CHILD_UNATTENDED = "child_unattended", _("儿童无人照料")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    GRID = "grid", _("网格员上报")
    PUBLIC = "public", _("群众自报")
    HOTLINE_12345 = "hotline_12345", _("12345 政务服务便民热线")
    HOTLINE_2345 = "hotline_2345", _("2345 市长热线")
    HOTLINE_179 = "hotline_179", _("179 民政服务热线")
    PETITION = "petition", _("信访")
    POLICE = "police", _("公安/综治")
    MEDIA = "media", _("媒体/网络")


# The work-order kind of each channel. A resident's own report is active discovery like a grid worker's: it is
# verified the same day (城北政办〔2022〕18号 二（二）、二（三）).
WORK_ORDER_KIND = {
    Channel.GRID: "grid_lead",
    Channel.PUBLIC: "grid_lead",
    Channel.HOTLINE_12345: "hotline_lead",
    Channel.HOTLINE_2345: "hotline_lead",
    Channel.HOTLINE_179: "hotline_lead",
    Channel.PETITION: "petition_lead",
    Channel.POLICE: "police_lead",
    Channel.MEDIA: "media_lead",
}
STAFF_CHANNELS = [c for c in Channel if c not in (Channel.GRID, Channel.PUBLIC)]


class ReporterRelation(models.TextChoices):
    """Who told us. Only a resident or a volunteer reporting someone else earns points."""

    RESIDENT = "resident", _("热心居民")
    VOLUNTEER = "volunteer", _("志愿者")
    SELF = "self", _("本人或家属")
    STAFF = "staff", _("工作人员")
    ANONYMOUS = "anonymous", _("匿名")


EARNS_POINTS = {ReporterRelation.RESIDENT, ReporterRelation.VOLUNTEER}


class Reporter(models.Model):
    """A resident or volunteer who reports leads, known by a mobile phone number; the holder of a points account.

    `balance` is kept by the services with every ledger entry and can never go below zero (a check constraint)."""

    phone = models.CharField(_("手机号"), max_length=11, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("身份"), max_length=16, choices=ReporterRelation.choices)
    balance = models.PositiveIntegerField(_("积分余额"), default=0)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("线索提供人")
        verbose_name_plural = _("线索提供人")
        constraints = [
            models.CheckConstraint(name="leads_reporter_balance_not_negative", condition=models.Q(balance__gte=0))
        ]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """One lead (线索) about a person or family who may need help.

        reported ──verify──► confirmed (属实: what was done is recorded; a resident/volunteer reporter earns points)
                        ├──► unfounded (不属实)
                        └──► duplicate (重复: of another lead, named when known)

    Reporting opens a work order (kind by channel, owner: the community above the grid for a grid lead, the street
    where the person lives — or the one chosen — for the other channels). Transitions happen only in services.
    """

    class Status(models.TextChoices):
        REPORTED = "reported", _("待核实")
        CONFIRMED = "confirmed", _("属实")
        UNFOUNDED = "unfounded", _("不属实")
        DUPLICATE = "duplicate", _("重复")

    OUTCOMES = (Status.CONFIRMED, Status.UNFOUNDED, Status.DUPLICATE)

    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, db_index=True)
    reference = models.CharField(_("来源编号"), max_length=64, blank=True, help_text=_("工单号/信访件号"))
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REPORTED, db_index=True)
    # Who it is about: from the registry, or as typed.
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("家庭户")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("人员")
    )
    subject_name = models.CharField(_("对象姓名"), max_length=50, blank=True)
    subject_id_number = models.CharField(_("对象身份证号"), max_length=18, blank=True)
    subject_phone = models.CharField(_("对象电话"), max_length=20, blank=True)
    subject_address = models.CharField(_("对象地址"), max_length=200, blank=True)
    # What is wrong.
    situation = models.CharField(_("情形"), max_length=20, choices=Situation.choices)
    description = models.TextField(_("情况说明"), blank=True)
    # Who reported.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("录入人")
    )
    reporter = models.ForeignKey(
        Reporter, models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("积分账户")
    )
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("反映人联系方式"), max_length=40, blank=True)
    reporter_relation = models.CharField(_("反映人身份"), max_length=16, choices=ReporterRelation.choices)
    consent_at = models.DateTimeField(_("同意登记时间"), null=True, blank=True)  # a resident's own report only
    # Where it belongs: `org_unit` is the most precise unit known (the grid, the household's unit, or the street);
    # `owner_unit` owns the work order. Both scope who sees the lead.
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("所属单元"))
    owner_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="+", verbose_name=_("承办单位"))
    work_order_id = models.PositiveBigIntegerField(_("工单编号"), null=True, blank=True)
    locality = models.CharField(_("政策包"), max_length=64)
    # A photo taken on the spot, kept under DATA_DIR/media/leads and served only through a checked view.
    photo_path = models.CharField(max_length=255, blank=True, editable=False)
    photo_type = models.CharField(max_length=40, blank=True, editable=False)
    # The outcome.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("核实人")
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    outcome_note = models.TextField(_("核实情况"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("重复于")
    )
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "reference"],
                condition=~models.Q(reference=""),
                name="leads_one_reference_per_channel",
            ),
            models.CheckConstraint(
                name="leads_names_someone",
                condition=models.Q(person__isnull=False)
                | models.Q(household__isnull=False)
                | ~models.Q(subject_name=""),
            ),
            models.CheckConstraint(
                name="leads_verified_has_time",
                condition=models.Q(status="reported") | models.Q(verified_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"线索{self.pk} {self.get_situation_display()}"

    @property
    def work_order_kind(self) -> str:
        return WORK_ORDER_KIND[Channel(self.channel)]

    @property
    def who(self) -> str:
        """The name of the person it is about (registry first)."""
        if self.person_id:
            return self.person.name
        if self.household_id and (head := self.household.head()):
            return head.name
        return self.subject_name

    @property
    def earns_points(self) -> bool:
        return self.reporter_id is not None and self.reporter_relation in EARNS_POINTS

    def can_verify(self) -> bool:
        return self.status == self.Status.REPORTED


class PointsEntry(models.Model):
    """One line of a reporter's points ledger (积分台账): points earned by a confirmed lead, or redeemed for
    something (what was exchanged is written down). `balance_after` is the balance once the line is booked."""

    class Kind(models.TextChoices):
        EARNED = "earned", _("获得")
        REDEEMED = "redeemed", _("兑换")

    reporter = models.ForeignKey(Reporter, models.PROTECT, related_name="entries", verbose_name=_("积分账户"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    points = models.PositiveIntegerField(_("积分"))
    balance_after = models.PositiveIntegerField(_("余额"))
    lead = models.OneToOneField(
        Lead, models.PROTECT, null=True, blank=True, related_name="points_entry", verbose_name=_("线索")
    )
    note = models.CharField(_("说明"), max_length=200)  # what was exchanged, or how the points were counted
    reference = models.CharField(_("积分依据"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("经办人")
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(name="leads_points_positive", condition=models.Q(points__gt=0)),
            models.CheckConstraint(
                name="leads_earned_has_lead",
                condition=~models.Q(kind="earned") | models.Q(lead__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"


class PublicRequest(models.Model):
    """A request to one of the public pages (no log-in), kept for an hour to limit how often one address may ask.
    Only a keyed hash of the address is stored, never the address or what was asked."""

    purpose = models.CharField(max_length=16)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("公开页面请求")
        verbose_name_plural = _("公开页面请求")
        indexes = [models.Index(fields=["purpose", "client", "at"], name="leads_public_request")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.at:%Y-%m-%d %H:%M}"
