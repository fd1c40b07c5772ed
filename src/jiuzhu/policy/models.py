"""The policy list (政策清单, R3.1) as each department keeps it.

The rules live in the policy packs; what a citizen reads about a programme — what it is, what to bring, where to
go, whom to call — is kept current by the department that runs it, here, with its full history. An entry may
describe a programme of the pack (and then overrides the pack's wording) or a help the packs do not decide at
all (legal aid, utility discounts, charity services…). Every April the departments confirm their entries (003).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiuzhu.org.models import Department

REVIEW_MONTH, REVIEW_DEADLINE_DAY = 4, 30  # every year by the end of April (seed 003)


class CatalogueEntry(models.Model):
    locality = models.CharField(_("政策包"), max_length=64, db_index=True)
    programme = models.CharField(
        _("救助项目代码"), max_length=64, blank=True, help_text=_("对应政策包中的项目；留空为仅列入清单的政策")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="catalogue_entries", verbose_name=_("负责部门")
    )
    name = models.CharField(_("政策名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    description = models.TextField(_("政策内容"))
    eligibility = models.TextField(_("对象和条件"), blank=True)
    materials = models.TextField(_("所需材料（每行一项）"), blank=True)
    where_to_apply = models.CharField(_("办理地点"), max_length=300)
    contact = models.CharField(_("咨询电话"), max_length=100, blank=True)
    legal_basis = models.TextField(_("政策依据（每行一项）"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    reviewed_on = models.DateField(_("最近确认日期"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("更新人"))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("政策清单条目")
        verbose_name_plural = _("政策清单")
        ordering = ["department__code", "name"]
        permissions = [("run_what_if", _("测算政策调整的影响"))]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "programme"], condition=~models.Q(programme=""), name="one_entry_per_programme"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        """How the policy list names it: the programme code, or entry-<id> for a policy without rules."""
        return self.programme or f"entry-{self.pk}"

    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def legal_basis_list(self) -> list[str]:
        return [line.strip() for line in self.legal_basis.splitlines() if line.strip()]

    def review_due(self, today: date) -> bool:
        """Not yet confirmed in this year's review round (from 1 April; due by 30 April)."""
        round_start = date(today.year if today.month >= REVIEW_MONTH else today.year - 1, REVIEW_MONTH, 1)
        return self.reviewed_on < round_start
