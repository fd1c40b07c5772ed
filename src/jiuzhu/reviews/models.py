"""R2.5 三色管理 and R4.3/R5.6 动态复核: a household's colour and the rule behind it, the flags a locality's rules
read that the file does not hold, the review schedule per kind, each review of a period, and ledger revisits.

The colour itself is `Household.color_class` (with the file's history); the rules and the schedules are data, in
the locality's colours.yaml (see jiuzhu.reviews.config and docs/reviews.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.registry import choices as c
from jiuzhu.registry.models import Household


class ReviewKind(models.TextChoices):
    REVIEW = "review", _("动态复核")
    ECONOMIC_CHECK = "economic_check", _("家庭经济状况核对")
    LIVING_CHECK = "living_check", _("生存状况和收支了解")
    REVISIT = "revisit", _("回访")


class ColourClassification(models.Model):
    """Which rule of colours.yaml gave a household its colour, as of the last run that changed it.

    `in_scope` is whether colours.yaml's `applies_to` held; `colour` is blank when no rule matched (未分类) or when the
    household is out of scope. `checked_at` is the last run that looked at the household, changed or not.
    """

    household = models.OneToOneField(Household, models.CASCADE, related_name="colour", verbose_name=_("家庭户"))
    colour = models.CharField(_("三色分类"), max_length=8, choices=c.ColorClass.choices, blank=True)
    in_scope = models.BooleanField(_("属于三色管理范围"), default=True)
    rule_index = models.PositiveSmallIntegerField(_("规则序号"), null=True, blank=True)
    rule_label = models.CharField(_("符合的规则"), max_length=200, blank=True)
    reference = models.CharField(_("依据"), max_length=300, blank=True)
    locality = models.CharField(_("政策包"), max_length=64)
    config_file = models.CharField(_("分类规则文件"), max_length=200)
    since = models.DateTimeField(_("自何时起"))
    checked_at = models.DateTimeField(_("最近检查"))

    class Meta:
        verbose_name = _("三色分类")
        verbose_name_plural = _("三色分类")

    def __str__(self) -> str:
        return f"{self.household.number} {self.get_colour_display() or '未分类'}"


class HouseholdFlag(models.Model):
    """A fact about a household that colours.yaml reads but the file does not hold — e.g. 昭通's 内生动力不足 —
    declared under `flags:` in the locality's colours.yaml and recorded by a coordinator with a reason.

        set ──clear (with a reason)──► cleared        (at most one flag of a code is set at a time)
    """

    household = models.ForeignKey(Household, models.CASCADE, related_name="review_flags", verbose_name=_("家庭户"))
    code = models.CharField(_("标记"), max_length=40)
    label = models.CharField(_("标记名称"), max_length=100)
    reason = models.CharField(_("标记理由"), max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("标记人"))
    set_at = models.DateTimeField(_("标记时间"))
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("取消人")
    )
    cleared_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    clear_reason = models.CharField(_("取消理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("家庭标记")
        verbose_name_plural = _("家庭标记")
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "code"], condition=models.Q(cleared_at__isnull=True), name="review_flag_set_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household.number} {self.label}"

    @property
    def is_set(self) -> bool:
        return self.cleared_at is None


class ReviewSchedule(models.Model):
    """How often a household is reviewed in one kind, and when next (one row per household and kind).

    `every_months` is the shortest interval any applicable entry of colours.yaml asks for (its colour's schedule and
    the minimums, e.g. every recipient at least yearly); `basis` says which. The next review is due
    `every_months` after the last one was done (`last_done_on`), or after `anchor_on` before any was done.
    `active` is false when nothing asks for this kind any more: no new reviews are opened then.
    """

    household = models.ForeignKey(Household, models.CASCADE, related_name="review_schedules", verbose_name=_("家庭户"))
    kind = models.CharField(_("复核类型"), max_length=16, choices=ReviewKind.choices)
    every_months = models.PositiveSmallIntegerField(_("间隔（月）"))
    basis = models.CharField(_("安排依据"), max_length=300)
    reference = models.CharField(_("文件依据"), max_length=300, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    anchor_on = models.DateField(_("起算日期"))
    last_done_on = models.DateField(_("上次完成"), null=True, blank=True)
    next_due_on = models.DateField(_("下次应复核"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("复核安排")
        verbose_name_plural = _("复核安排")
        ordering = ["next_due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["household", "kind"], name="review_schedule_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.household.number} {self.get_kind_display()} 每{self.every_months}个月"


class ReviewRecord(models.Model):
    """One review of one household, of one kind, for one period (the period is its `due_on`): the origin of the
    review work order. Done when its work order is closed (on the closing date) or, for a revisit, when a
    coordinator records the revisit.

        open (work order sent to the community) ──work order closed / revisit recorded──► done (done_on)
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待复核")
        DONE = "done", _("已完成")

    class Via(models.TextChoices):
        WORK_ORDER = "work_order", _("工单办结")
        REVISIT = "revisit", _("回访记录")

    schedule = models.ForeignKey(ReviewSchedule, models.CASCADE, related_name="records", verbose_name=_("复核安排"))
    household = models.ForeignKey(Household, models.CASCADE, related_name="review_records", verbose_name=_("家庭户"))
    kind = models.CharField(_("复核类型"), max_length=16, choices=ReviewKind.choices)
    due_on = models.DateField(_("应复核日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("派单时间"))
    work_order_id = models.PositiveBigIntegerField(_("工单"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_via = models.CharField(_("完成方式"), max_length=16, choices=Via.choices, blank=True)

    class Meta:
        verbose_name = _("复核记录")
        verbose_name_plural = _("复核记录")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "kind", "due_on"], name="review_once_per_period"),
            models.UniqueConstraint(
                fields=["household", "kind"], condition=models.Q(status="open"), name="review_one_open_per_kind"
            ),
            models.CheckConstraint(
                name="review_done_has_date", condition=~models.Q(status="done") | models.Q(done_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.number} {self.get_kind_display()} {self.due_on}"

    def can_complete(self) -> bool:
        return self.status == self.Status.OPEN


class Revisit(models.Model):
    """A revisit of a ledger household (低保边缘、刚性支出困难 … 回访, R5.6), recorded by a coordinator."""

    household = models.ForeignKey(Household, models.CASCADE, related_name="revisits", verbose_name=_("家庭户"))
    visited_on = models.DateField(_("回访日期"))
    visited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("回访人"))
    notes = models.TextField(_("回访情况"))
    findings = models.TextField(_("发现的变化和问题"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.household.number} 回访 {self.visited_on}"
