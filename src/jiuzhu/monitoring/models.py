"""R5 active discovery (主动发现) and early warning (监测预警): alerts raised from department events, and screening
runs (政策找人) that decide the whole registry with the policy engine.

Scenarios — which events matter, when, how urgent, who gets the work — are configuration in the locality's pack
(`monitoring.yaml`, see monitoring/scenarios.py), not rows here. Work orders are the workorders app's; an alert
names its own by `WorkOrder.origin = "alert"`, `origin_id = alert.pk`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.exchange.models import PersonEvent
from jiuzhu.org.models import OrgUnit
from jiuzhu.registry.models import Household, Person


class Alert(models.Model):
    """One warning: a person (or an ID number not on file) and a scenario, with the events that raised it.

    open ──route──▶ routed ──(every work order closed)──▶ closed
      │                 └──────────dismiss (staff, with a reason)──▶ dismissed
      └─ (no person on file) ──route──▶ unlinked: a linkage work order at the district finds who it is
    Later events of the same person and scenario within the scenario's window attach to the alert (deduplication).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待分派")
        ROUTED = "routed", _("处置中")
        UNLINKED = "unlinked", _("待核实身份")
        CLOSED = "closed", _("已办结")
        DISMISSED = "dismissed", _("已排除")

    class Severity(models.TextChoices):
        HIGH = "high", _("红色预警（高）")
        MEDIUM = "medium", _("橙色预警（中）")
        LOW = "low", _("黄色预警（低）")

    OPEN_STATUSES = (Status.OPEN, Status.ROUTED, Status.UNLINKED)

    scenario = models.CharField(_("预警场景"), max_length=40, db_index=True)
    scenario_name = models.CharField(_("场景名称"), max_length=100)
    locality = models.CharField(_("政策包"), max_length=60)
    severity = models.CharField(_("预警等级"), max_length=8, choices=Severity.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    person = models.ForeignKey(Person, models.CASCADE, null=True, blank=True, related_name="alerts")
    household = models.ForeignKey(Household, models.SET_NULL, null=True, blank=True, related_name="alerts")
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    subject_key = models.CharField(max_length=40, db_index=True)  # "p<person pk>" or "id<ID number>"
    is_recipient = models.BooleanField(_("在册救助对象"), default=False)
    first_event_on = models.DateField(_("首次事件日期"))
    last_event_on = models.DateField(_("最近事件日期"))
    first_received_at = models.DateTimeField(_("事件到达时间"))
    raised_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    reasons = models.JSONField(_("预警依据"), default=list)  # one entry per event: what, when, values, the rule
    route = models.JSONField(_("分派"), default=list)  # [{"to": "街道…", "why": "户籍地"}…]
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    close_note = models.TextField(_("办结/排除说明"), blank=True)
    events = models.ManyToManyField(PersonEvent, through="AlertEvent", related_name="alerts")

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-raised_at"]
        permissions = [("run_screening", _("发起政策找人筛查"))]
        indexes = [models.Index(fields=["subject_key", "scenario", "last_event_on"])]

    def __str__(self) -> str:
        return f"{self.scenario_name} · {self.name or self.id_number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_dismiss(self) -> bool:
        return self.is_open


class AlertEvent(models.Model):
    alert = models.ForeignKey(Alert, models.CASCADE)
    event = models.ForeignKey(PersonEvent, models.CASCADE)
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "event"], name="alert_event_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} ← {self.event_id}"


class ScreeningRun(models.Model):
    """One whole-population screening (政策找人): every programme of the locality over the registry on a date.

    queued → running → done | failed
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("筛查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    locality = models.CharField(_("政策包"), max_length=60)
    as_of = models.DateField(_("测算日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("进度"), max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    trigger = models.CharField(_("发起方式"), max_length=10, default="manual")  # manual / nightly / cli
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    households = models.PositiveIntegerField(_("筛查户数"), default=0)
    persons = models.PositiveIntegerField(_("筛查人数"), default=0)
    missing = models.PositiveIntegerField(_("应享未享"), default=0)
    ineligible = models.PositiveIntegerField(_("疑似不再符合"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("政策找人筛查")
        verbose_name_plural = _("政策找人筛查")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.locality} {self.as_of} ({self.get_status_display()})"


class ScreeningFinding(models.Model):
    """A household that may qualify for a programme it does not receive, or receives one it may no longer meet."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("符合条件但未享受")
        INELIGIBLE = "ineligible", _("在享但可能不再符合")

    run = models.ForeignKey(ScreeningRun, models.CASCADE, related_name="findings")
    household = models.ForeignKey(Household, models.CASCADE, related_name="screening_findings")
    street = models.ForeignKey(OrgUnit, models.PROTECT, null=True, related_name="+", verbose_name=_("街道"))
    programme = models.CharField(_("救助项目"), max_length=40)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    monthly_amount = models.DecimalField(_("测算月金额（元）"), max_digits=12, decimal_places=2, null=True)
    # The work order that sends someone to the household (kept from run to run while the finding stays open).
    work_order_id = models.PositiveIntegerField(_("核实工单"), null=True, blank=True)

    class Meta:
        verbose_name = _("筛查结果")
        verbose_name_plural = _("筛查结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "household", "programme", "kind"], name="finding_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "street"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.programme} {self.kind}"

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.household_id, self.programme, self.kind)
