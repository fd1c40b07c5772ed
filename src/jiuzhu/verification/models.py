"""R4.2 家庭经济状况核对 (逢进必核): a street's request to check a household's finances against department data.

民发〔2021〕57号: the applicant signs an authorization to query the family's finances (第九条); the county
starts the information check within 3 working days of the township's request (第十七条). The completed check
keeps an immutable snapshot of the economic portrait and of the comparison, so a printed report never changes.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiuzhu.registry.models import Household

START_WITHIN_WORKING_DAYS = 3  # 民发〔2021〕57号 第十七条
LEGAL_BASIS = "民发〔2021〕57号 第十七条"


class VerificationRequest(models.Model):
    """One economic verification of one household (核对提请).

        requested ──start──► started ──complete──► completed
        (提请; start_due_at =          (核对中)             (已完成; `result` frozen:
         3 working days later)                             portrait + comparison + flags)

    Overdue (逾期未启动) = still `requested` after `start_due_at`. Transitions happen only in services.
    """

    class Purpose(models.TextChoices):
        APPLICATION = "application", _("新申请")
        REVIEW = "review", _("在保复核")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("已提请")
        STARTED = "started", _("核对中")
        COMPLETED = "completed", _("已完成")

    household = models.ForeignKey(Household, models.PROTECT, related_name="verifications", verbose_name=_("家庭户"))
    purpose = models.CharField(_("核对事由"), max_length=16, choices=Purpose.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("提请人")
    )
    requested_at = models.DateTimeField(_("提请时间"))
    authorization_signed_on = models.DateField(_("授权书签署日期"))
    start_due_at = models.DateTimeField(_("启动期限"), db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("启动人")
    )
    started_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("完成人")
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Frozen at completion: the portrait, the comparison with its flags, the members (ID numbers masked) and the
    # timeline. Written once by `verification_complete`; never recomputed.
    result = models.JSONField(_("核对结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("家庭经济状况核对")
        verbose_name_plural = _("家庭经济状况核对")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status__in=["requested", "started"]),
                name="verification_one_open_per_household",
            ),
            models.CheckConstraint(
                name="verification_completed_has_completed_at",
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household.number} {self.get_purpose_display()}核对"

    def can_start(self) -> bool:
        return self.status == self.Status.REQUESTED

    def can_complete(self) -> bool:
        return self.status == self.Status.STARTED

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Not started by its start limit (逾期未启动)."""
        return self.status == self.Status.REQUESTED and (now or timezone.now()) > self.start_due_at

    def started_late(self) -> bool:
        return self.started_at is not None and self.started_at > self.start_due_at
