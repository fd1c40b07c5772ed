"""Feed batches, their tokens, links awaiting a clerk, events for monitoring and suspicions (疑点信息).

The rows of a batch live in the columnar store (immutable Parquet under JIUZHU_FEED_STORE), not here: this database
keeps the batch's receipt and counts, and what the rows became on registered persons (evidence, facts, events),
each pointing back to the batch and row it came from.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiuzhu.org.models import ApiClient, Department
from jiuzhu.registry.models import Household, Person


class FeedBatch(models.Model):
    """One file or push received from a department source (数据批次).

    receiving → committed          (every row accepted or rejected; counts add up: rows_in = accepted + rejected)
        ↘ failed (the whole batch refused: unreadable file, missing required columns) — sending it again retries
    A batch cut off while receiving (a crash) holds nothing half-done: the next import of the same data completes it.
    """

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("接收中")
        COMMITTED = "committed", _("已入库")
        FAILED = "failed", _("已退回")

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("页面上传")
        CLI = "cli", _("命令行导入")
        FOLDER = "folder", _("监控目录")
        PUSH = "push", _("接口推送")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(_("数据源"), max_length=40, db_index=True)
    kind = models.CharField(_("记录类型"), max_length=40)
    department = models.ForeignKey(Department, models.PROTECT, verbose_name=_("数据部门"))
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    content_hash = models.CharField(_("内容摘要"), max_length=64)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVING)
    stage = models.CharField(_("进度"), max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    error = models.TextField(_("退回原因"), blank=True)
    # What the file looked like
    encoding = models.CharField(_("编码"), max_length=20, blank=True)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("表头行"), null=True, blank=True)
    columns = models.JSONField(_("列对应"), default=dict, blank=True)  # header as found → field
    # Counts: rows_in = accepted + rejected; accepted = linked_id + linked_match + to_review + unlinked
    rows_in = models.PositiveIntegerField(_("收到行数"), default=0)
    accepted = models.PositiveIntegerField(_("接收"), default=0)
    rejected = models.PositiveIntegerField(_("退回"), default=0)
    blank_rows = models.PositiveIntegerField(_("空行"), default=0)
    linked_id = models.PositiveIntegerField(_("按身份证号关联"), default=0)
    linked_match = models.PositiveIntegerField(_("按姓名等自动匹配"), default=0)
    to_review = models.PositiveIntegerField(_("待人工确认"), default=0)
    unlinked = models.PositiveIntegerField(_("未在册"), default=0)
    derived_new = models.PositiveIntegerField(_("新增记录"), default=0)
    derived_changed = models.PositiveIntegerField(_("更正记录"), default=0)
    derived_same = models.PositiveIntegerField(_("未变记录"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("提交人")
    )
    token = models.ForeignKey("SourceToken", models.PROTECT, null=True, blank=True, verbose_name=_("推送令牌"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据批次")
        verbose_name_plural = _("数据批次")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "content_hash"], name="feed_batch_same_content_once"),
            models.UniqueConstraint(
                fields=["source", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="feed_batch_idempotency_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.kind} {self.filename or self.idempotency_key} ({self.get_status_display()})"

    @property
    def counts_add_up(self) -> bool:
        linked = self.linked_id + self.linked_match + self.to_review + self.unlinked
        return self.rows_in == self.accepted + self.rejected and (self.status != "committed" or linked == self.accepted)


class SourceToken(models.Model):
    """A department system's credential for pushing one source's records (per-source API token)."""

    source = models.CharField(_("数据源"), max_length=40, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=12, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("推送令牌")
        verbose_name_plural = _("推送令牌")

    def __str__(self) -> str:
        return f"{self.source} · {self.name} ({self.token_prefix}…)"

    hash_token = staticmethod(ApiClient.hash_token)  # the same hashing as the staff API clients' tokens

    @staticmethod
    def new_token() -> str:
        return "jzf_" + secrets.token_urlsafe(32)


class LinkReview(models.Model):
    """A record without a usable ID number that probably, but not surely, belongs to a registered person.

    pending → accepted (the record's evidence lands on the person) | rejected (it stays unlinked)
    The decision is remembered by the record's fingerprint, so the same record sent again is not asked twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        ACCEPTED = "accepted", _("确认是本人")
        REJECTED = "rejected", _("不是本人")

    batch = models.ForeignKey(FeedBatch, models.CASCADE, related_name="reviews")
    row = models.PositiveIntegerField(_("行号"))
    record = models.JSONField(_("记录"))  # the fields a clerk compares: name, birth date, sex, address, key values
    fingerprint = models.CharField(max_length=64, db_index=True)
    person = models.ForeignKey(Person, models.CASCADE, related_name="+", verbose_name=_("候选人员"))
    probability = models.FloatField(_("匹配概率"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待确认匹配")
        verbose_name_plural = _("待确认匹配")
        ordering = ["-probability"]
        constraints = [models.UniqueConstraint(fields=["batch", "row", "person"], name="link_review_once")]

    def __str__(self) -> str:
        return f"{self.batch_id} 第{self.row}行 → {self.person_id} ({self.probability:.3f})"

    def can_decide(self) -> bool:
        return self.status == self.Status.PENDING


class LinkDecision(models.Model):
    """A clerk's remembered answer: the record with this fingerprint is (or is not) this person."""

    fingerprint = models.CharField(max_length=64)
    person = models.ForeignKey(Person, models.CASCADE, related_name="+")
    same_person = models.BooleanField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fingerprint", "person"], name="link_decision_once")]

    def __str__(self) -> str:
        return f"{self.fingerprint[:8]} {'=' if self.same_person else '≠'} {self.person_id}"


class PersonEvent(models.Model):
    """Something a department reports about a person, for monitoring (监测预警): a death, a pension started, a
    large medical settlement… The person may not be registered yet: the ID number and name say who it is."""

    kind = models.CharField(_("事件"), max_length=40, db_index=True)
    occurred_on = models.DateField(_("发生日期"))
    person = models.ForeignKey(Person, models.CASCADE, null=True, blank=True, related_name="events")
    id_number = models.CharField(_("公民身份号码"), max_length=18, blank=True, db_index=True)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    values = models.JSONField(_("数据"), default=dict)
    source = models.CharField(_("数据源"), max_length=40)
    batch = models.ForeignKey(FeedBatch, models.PROTECT, related_name="events")
    row = models.PositiveIntegerField(_("行号"))
    source_key = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门事件")
        verbose_name_plural = _("部门事件")
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on} {self.name}"


class Suspicion(models.Model):
    """One line of the monthly 困难群众疑点信息反馈表 (003 附件1): from a department, or to one."""

    class Direction(models.TextChoices):
        RECEIVED = "received", _("部门反馈")
        SENT = "sent", _("发给部门")

    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    department = models.ForeignKey(Department, models.PROTECT, verbose_name=_("部门"))
    month = models.DateField(_("月份"))
    seq = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=50)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    content = models.TextField(_("疑点内容"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    household = models.ForeignKey(Household, models.SET_NULL, null=True, blank=True, related_name="suspicions")
    batch = models.ForeignKey(FeedBatch, models.PROTECT, null=True, blank=True, related_name="suspicions")
    row = models.PositiveIntegerField(null=True, blank=True)
    source_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("疑点信息")
        verbose_name_plural = _("疑点信息")
        ordering = ["month", "seq", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~models.Q(source_key=""), name="suspicion_received_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.month:%Y-%m} {self.head_name}"
