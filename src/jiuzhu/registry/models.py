"""R2 the household file (一户一档一策): households, persons, membership, dated evidence, programmes, plans.

A person has one row however many households they pass through; `Membership` records when they belonged
where, and a partial unique index keeps them in at most one household at a time. A normalised ID number
exists once. Every model here keeps its full history (who, when, why, old → new) through simple-history.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiuzhu.org.models import Department, OrgUnit
from jiuzhu.registry import choices as c


class AddressFields(models.Model):
    """户籍地 and 居住地, each a division code and a text address (R2.2, R2.4)."""

    hukou_division_code = models.CharField(_("户籍地区划代码"), max_length=12, blank=True)
    hukou_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    residence_division_code = models.CharField(_("居住地区划代码"), max_length=12, blank=True)
    residence_address = models.CharField(_("居住地址"), max_length=200, blank=True)

    class Meta:
        abstract = True


class Household(AddressFields):
    """A household (户). `org_unit` is the unit that serves it where it lives (a grid or community)."""

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    org_unit = models.ForeignKey(OrgUnit, models.PROTECT, related_name="households", verbose_name=_("属地网格/社区"))
    area_type = models.CharField(_("城乡类别"), max_length=8, choices=c.AreaType.choices, default=c.AreaType.URBAN)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    color_class = models.CharField(_("三色分类"), max_length=8, choices=c.ColorClass.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        permissions = [("unmask_identity", _("查看完整身份证号和电话（留痕）"))]

    def __str__(self) -> str:
        head = self.head()
        return f"{self.number} {head.name if head else ''}".strip()

    def current_memberships(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(left_on__isnull=True).select_related("person")

    def head(self) -> Person | None:
        m = self.current_memberships().filter(relation=c.Relation.HEAD).first()
        return m.person if m else None


class Person(AddressFields):
    """A person, keyed internally; the ID number is normalised (GB 11643, 18 digits) and unique."""

    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True, null=True, blank=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    sex = models.CharField(_("性别"), max_length=1, choices=c.Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    labor_capacity = models.CharField(
        _("劳动能力"), max_length=8, choices=c.LaborCapacity.choices, default=c.LaborCapacity.FULL
    )
    disability_kind = models.CharField(_("残疾类别"), max_length=16, choices=c.DisabilityKind.choices, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("残疾等级"), choices=c.DisabilityGrade.choices, null=True, blank=True
    )
    serious_illness = models.CharField(_("重病/重特大疾病"), max_length=100, blank=True)
    chronic_illness = models.CharField(_("慢性病"), max_length=100, blank=True)
    employment = models.CharField(_("就业状况"), max_length=16, choices=c.Employment.choices, blank=True)
    school_stage = models.CharField(_("在学阶段"), max_length=16, choices=c.SchoolStage.choices, blank=True)
    death_date = models.DateField(_("死亡日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.CheckConstraint(
                name="person_disability_grade_with_kind",
                condition=models.Q(disability_grade__isnull=True) | ~models.Q(disability_kind=""),
            ),
            models.CheckConstraint(
                name="person_disability_grade_range",
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=4),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def current_membership(self) -> Membership | None:
        return self.memberships.filter(left_on__isnull=True).select_related("household").first()


class Membership(models.Model):
    """A person's belonging to a household, with relation to its head, over a period (共同生活家庭成员)."""

    household = models.ForeignKey(Household, models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, models.PROTECT, related_name="memberships")
    relation = models.CharField(_("与户主关系"), max_length=16, choices=c.Relation.choices)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("家庭成员关系")
        verbose_name_plural = _("家庭成员关系")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(left_on__isnull=True),
                name="person_in_one_household_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(left_on__isnull=True, relation="head"),
                name="household_has_one_current_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ∈ {self.household.number}"


class SpecialSituation(models.Model):
    """独居, 空巢, 留守, 失能, 孤儿… — dated, as situations begin and end."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="situations")
    kind = models.CharField(_("特殊情形"), max_length=32, choices=c.Situation.choices)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("特殊情形")
        verbose_name_plural = _("特殊情形")

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()}"


class Evidence(models.Model):
    """What every piece of economic evidence carries: whose it is, where it came from, and when it holds."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="%(class)s_records")
    person = models.ForeignKey(Person, models.CASCADE, null=True, blank=True, related_name="%(class)s_records")
    source = models.CharField(_("来源"), max_length=16, choices=c.EvidenceSource.choices)
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, verbose_name=_("数据部门"))
    # Lineage into the exchange: the feed batch and the row within it that this record was derived from.
    source_batch = models.CharField(_("数据批次"), max_length=64, blank=True)
    source_row = models.PositiveIntegerField(_("批次行号"), null=True, blank=True)
    # The department record's identity (source, kind and key fields hashed): the same record sent again changes nothing.
    source_key = models.CharField(max_length=64, blank=True, db_index=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class IncomeRecord(Evidence):
    category = models.CharField(_("收入类别"), max_length=32, choices=c.IncomeCategory.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    period = models.CharField(_("周期"), max_length=8, choices=c.Period.choices, default=c.Period.MONTHLY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("收入记录")
        verbose_name_plural = _("收入记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="income_department_record_once"
            ),
            models.CheckConstraint(
                name="income_valid_period",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}元/{self.get_period_display()}"


class AssetRecord(Evidence):
    kind = models.CharField(_("财产类别"), max_length=20, choices=c.AssetKind.choices)
    vehicle_kind = models.CharField(_("车辆类型"), max_length=16, choices=c.VehicleKind.choices, blank=True)
    value = models.DecimalField(_("价值（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    quantity = models.DecimalField(_("数量/面积"), max_digits=12, decimal_places=2, null=True, blank=True)
    identifier = models.CharField(_("凭证号/车牌/统一社会信用代码"), max_length=64, blank=True)
    description = models.CharField(_("描述"), max_length=200, blank=True)
    exempt_reason = models.CharField(_("豁免理由"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("财产记录")
        verbose_name_plural = _("财产记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="asset_department_record_once"
            ),
            models.CheckConstraint(
                name="asset_valid_period",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value or ''}"


class ExpenseRecord(Evidence):
    category = models.CharField(_("支出类别"), max_length=20, choices=c.ExpenseCategory.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    period = models.CharField(_("周期"), max_length=8, choices=c.Period.choices, default=c.Period.ONE_OFF)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("刚性支出记录")
        verbose_name_plural = _("刚性支出记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="expense_department_record_once"
            ),
            models.CheckConstraint(
                name="expense_valid_period",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}元"


class ProgrammeStatus(models.Model):
    """A household's (or, for 单人保, one member's) standing in one programme: since, until, amount."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="programmes")
    person = models.ForeignKey(Person, models.CASCADE, null=True, blank=True, related_name="programmes")
    programme = models.CharField(_("救助项目"), max_length=40, choices=c.Programme.choices)
    status = models.CharField(_("状态"), max_length=16, choices=c.ProgrammeStatusValue.choices)
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)
    monthly_amount = models.DecimalField(_("月金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    decision_ref = models.CharField(_("决定文号"), max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("救助项目状态")
        verbose_name_plural = _("救助项目状态")
        ordering = ["-since"]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} · {self.get_status_display()}"


class HouseholdPlan(models.Model):
    """一档一策: the household's plan — what it needs, what will be done, who is responsible, when reviewed."""

    household = models.OneToOneField(Household, models.CASCADE, related_name="plan")
    needs = models.TextField(_("主要困难与需求"), blank=True)
    measures = models.TextField(_("帮扶措施"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("一户一策")
        verbose_name_plural = _("一户一策")

    def __str__(self) -> str:
        return f"{self.household.number} 一户一策"


class HouseholdShare(models.Model):
    """A household sent to a department or social organisation (a referral, a feedback item, a service order).

    A department liaison sees exactly the households shared with their department while the share is open.
    """

    household = models.ForeignKey(Household, models.CASCADE, related_name="shares")
    department = models.ForeignKey(Department, models.CASCADE, related_name="shared_households")
    reason = models.CharField(_("事由"), max_length=200)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("推送部门的家庭")
        verbose_name_plural = _("推送部门的家庭")

    def __str__(self) -> str:
        return f"{self.household.number} → {self.department}"
