"""R5.7 / R6.5 工单: closed-loop work items. Every pushed item has an owner, a time limit and the handler's feedback;
what is overdue is escalated to the level above (督办) and every month's handling is published (通报).

The time limit comes from the locality's deadlines.yaml (see deadlines.py); its label and reference are stored on
the work order, so what was asked stays readable after the configuration changes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.org.models import Department, OrgUnit, Staff
from jiuzhu.registry.models import Household, Person

# Who may handle what. Unit-owned orders: casework roles whose jurisdiction contains the owner unit, and a grid
# worker for their own grid's orders or those assigned to them. Department-owned orders: that department's members,
# and the district's approvers. The supervisor reads and changes nothing.
UNIT_HANDLERS = {"admin", "district_approver", "street_officer", "community_coordinator"}
DEPARTMENT_SUPERIORS = {"admin", "district_approver"}


class WorkOrder(models.Model):
    """One work item with an owner, a time limit and feedback (工单).

        open ──accept──► in_progress ──close (feedback required)──► closed
         ▲  │               │
         │  └───────────────┴── return (退回: to the unit above, with a reason) ─┐
         └───────────────────── reassign (转派: to a unit below, or another department) ┘   due_at never changes

    Overdue = not closed after `due_at`. The periodic job escalates an overdue order once to the level above its
    owner (the owner unit's parent; a department's district): `escalated_to`, `escalation_level` += 1 (督办).
    Transitions happen only in services; every one writes a WorkOrderAction and an audit entry.
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("预警核查")
        SCREENING = "screening", _("政策找人核实")
        GRID_LEAD = "grid_lead", _("网格线索")
        HOTLINE_LEAD = "hotline_lead", _("热线线索（12345/179）")
        PETITION_LEAD = "petition_lead", _("信访线索")
        POLICE_LEAD = "police_lead", _("公安/治理线索")
        MEDIA_LEAD = "media_lead", _("媒体/网络线索")
        EMERGENCY = "emergency", _("急难求助")
        REVIEW = "review", _("动态管理复核")
        REFERRAL = "referral", _("转介")
        DEPARTMENT_FEEDBACK = "department_feedback", _("部门反馈事项")

    class Status(models.TextChoices):
        OPEN = "open", _("待接收")
        IN_PROGRESS = "in_progress", _("办理中")
        CLOSED = "closed", _("已办结")

    kind = models.CharField(_("工单类型"), max_length=24, choices=Kind.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("事由"), blank=True)
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("家庭户")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("人员")
    )
    owner_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("责任单位")
    )
    owner_department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="work_orders", verbose_name=_("责任部门")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("经办人")
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField(_("派单时间"), db_index=True)
    due_at = models.DateTimeField(_("办理期限"), db_index=True)
    deadline_label = models.CharField(_("时限要求"), max_length=100)
    deadline_reference = models.CharField(_("时限依据"), max_length=300, blank=True)
    photo_required = models.BooleanField(_("办结须上传照片"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("派单人")
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("办结人")
    )
    feedback = models.TextField(_("办理情况反馈"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("督办层级"), default=0)
    escalated_to = models.ForeignKey(
        OrgUnit, models.PROTECT, null=True, blank=True, related_name="escalated_work_orders", verbose_name=_("督办单位")
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    origin = models.CharField(_("来源"), max_length=32, blank=True)  # e.g. "alert", "review": no FK into other apps
    origin_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    locality = models.CharField(_("政策包"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="workorder_status_due"),
            models.Index(fields=["origin", "origin_id"], name="workorder_origin"),
        ]
        constraints = [
            models.CheckConstraint(
                name="workorder_exactly_one_owner",
                condition=(models.Q(owner_unit__isnull=False) & models.Q(owner_department__isnull=True))
                | (models.Q(owner_unit__isnull=True) & models.Q(owner_department__isnull=False)),
            ),
            models.CheckConstraint(
                name="workorder_closed_has_time_and_feedback",
                condition=~models.Q(status="closed") | (models.Q(closed_at__isnull=False) & ~models.Q(feedback="")),
            ),
        ]

    def __str__(self) -> str:
        return f"工单{self.pk} {self.title}"

    # --- where it sits --------------------------------------------------------------------------------------------
    @property
    def owner(self) -> OrgUnit | Department:
        return self.owner_unit if self.owner_unit_id else self.owner_department

    @property
    def owner_name(self) -> str:
        return str(self.owner) if self.owner is not None else ""

    def level_above(self) -> OrgUnit | None:
        """Where it goes when escalated or returned: the owner unit's parent, or a department's district."""
        if self.owner_department_id:
            return self.owner_department.district
        return self.owner_unit.parent if self.owner_unit_id else None

    # --- time -------------------------------------------------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_overdue(self, now: datetime | None = None) -> bool:
        return not self.is_closed and (now or timezone.now()) > self.due_at

    def closed_on_time(self) -> bool | None:
        return (self.closed_at <= self.due_at) if self.closed_at else None

    # --- guards (the services call these; the pages use them to show only the forms one may use) ----------------
    def is_handler(self, actor: Staff | None) -> bool:
        """Whether the actor may work on this order (accept, feed back, close, return)."""
        if actor is None or not actor.is_active or actor.is_read_only:
            return False
        if self.owner_department_id:
            if actor.is_department_member:
                return actor.department_id == self.owner_department_id
            return actor.role in DEPARTMENT_SUPERIORS and actor.org_unit.contains(self.owner_department.district)
        if actor.is_department_member:
            return False
        if actor.role == Staff.Role.GRID_WORKER:
            return self.assignee_id == actor.pk or self.owner_unit_id == actor.org_unit_id
        return actor.role in UNIT_HANDLERS and actor.org_unit.contains(self.owner_unit)

    def can_accept(self, actor: Staff | None) -> bool:
        return self.status == self.Status.OPEN and self.is_handler(actor)

    def can_feedback(self, actor: Staff | None) -> bool:
        return not self.is_closed and self.is_handler(actor)

    def can_close(self, actor: Staff | None) -> bool:
        return not self.is_closed and self.is_handler(actor)

    def can_return(self, actor: Staff | None) -> bool:
        return not self.is_closed and self.is_handler(actor) and self.level_above() is not None

    def can_reassign(self, actor: Staff | None) -> bool:
        """Sending it on (转派) is the owner unit's or department's decision, not a grid worker's."""
        return not self.is_closed and self.is_handler(actor) and actor.role != Staff.Role.GRID_WORKER

    def can_assign(self, actor: Staff | None) -> bool:
        return self.can_reassign(actor)


class WorkOrderAction(models.Model):
    """One step of a work order's life, shown as its log: who, when, what, a note, from → to."""

    class Action(models.TextChoices):
        CREATED = "created", _("派单")
        ASSIGNED = "assigned", _("指派经办人")
        ACCEPTED = "accepted", _("接收")
        FEEDBACK = "feedback", _("反馈")
        RETURNED = "returned", _("退回")
        REASSIGNED = "reassigned", _("转派")
        ESCALATED = "escalated", _("超期督办")
        CLOSED = "closed", _("办结")

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="actions", verbose_name=_("工单"))
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)
    from_label = models.CharField(_("原"), max_length=200, blank=True)
    to_label = models.CharField(_("新"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("工单办理记录")
        verbose_name_plural = _("工单办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class WorkOrderAttachment(models.Model):
    """A photo of a work order (现场照片), kept under DATA_DIR/media/workorders and served only through a view that
    checks the viewer may see the work order."""

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="attachments", verbose_name=_("工单"))
    action = models.ForeignKey(
        WorkOrderAction, models.SET_NULL, null=True, blank=True, related_name="attachments", verbose_name=_("办理记录")
    )
    path = models.CharField(_("存储位置"), max_length=255, editable=False)  # relative to the attachment root
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
