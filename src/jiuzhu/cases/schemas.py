"""Shapes of applications and cases over HTTP. Phones and ID numbers are masked, as on the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from jiuzhu.cases.models import Application, Case
from jiuzhu.cases.steps import required_steps
from jiuzhu.cases.workflows import STEP_LABELS
from jiuzhu.core.masking import mask_id_number, mask_phone


class ApplicationIn(Schema):
    unit_id: int = Field(description="受理的街道（乡镇）")
    channel: str = Field("window", description="window 窗口、assisted 帮办代办、grid 网格员代为申请")
    household_id: int | None = Field(None, description="在册家庭户（受理前须关联）")
    applicant_name: str
    applicant_id_number: str = ""
    phone: str = ""
    programmes: list[str] = Field(description="申请项目代码，可多个（一次申请、分类审核）")
    materials_provided: list[str] = []
    authorisation: str = Field("", description="帮办代办、网格员代为申请时必填：委托或授权情况")
    authorization_signed_on: date | None = None
    situation: str = ""
    based_on: str = Field("hukou", description="hukou 户籍地、residence 居住地、incident 急难发生地")
    emergency: bool = False
    conflict_of_interest: bool = False
    conflict_note: str = ""


class MaterialsIn(Schema):
    materials_provided: list[str] = []
    authorization_signed_on: date | None = None


class WithdrawIn(Schema):
    reason: str = Field("", description="撤回原因")


class ActionIn(Schema):
    """The body of a case action; each action reads the fields it needs (the others are ignored)."""

    investigators: list[int] = Field([], description="investigate：调查人员的工作人员编号（至少2人）")
    findings: str = Field("", description="investigate：入户调查情况")
    attendees: int = Field(0, description="appraise：参加评议人数")
    outcome: str = Field("", description="appraise：评议意见")
    recommend: bool = Field(True, description="review：建议同意（false 建议不同意）")
    contested: bool = Field(False, description="review：家庭经济状况难以核实，提请民主评议")
    opinion: str = Field("", description="review、decide：意见")
    objection: str = Field("", description="objection：公示异议")
    approve: bool = Field(True, description="decide：批准（false 不予批准）")
    amount: Decimal | None = Field(None, description="decide、advance、meeting：金额（元）")
    reasons: list[str] = Field([], description="decide：不予批准的理由")
    finding: str = Field("", description="spot_check：抽查核实情况")
    meeting: str = Field("", description="meeting：会议名称、日期和决定")
    note: str = Field("", description="advance：说明")
    reason: str = Field("", description="extend：延期的特殊情况")


class ActionOut(Schema):
    step: str
    action: str
    actor: str
    at: datetime
    note: str


class CaseOut(Schema):
    id: int
    application_id: int
    application_number: str
    programme: str
    programme_name: str
    status: str
    status_label: str
    step: str
    step_label: str
    step_due_at: datetime | None
    step_due_label: str
    step_due_reference: str
    due_at: datetime
    due_label: str
    due_reference: str
    required_steps: list[str]
    contested: bool
    proposed_amount: Decimal | None
    amount: Decimal | None
    decision_number: str
    decided_at: datetime | None
    reasons: list[str]
    payment_from: date | None
    actions: list[ActionOut] | None = Field(None, description="办理记录（仅单个事项详情）")

    @staticmethod
    def of(c: Case, *, with_actions: bool = False) -> CaseOut:
        return CaseOut(
            id=c.pk,
            application_id=c.application_id,
            application_number=c.application.number,
            programme=c.programme,
            programme_name=c.programme_name,
            status=c.status,
            status_label=c.get_status_display(),
            step=c.step,
            step_label=STEP_LABELS.get(c.step, ""),
            step_due_at=c.step_due_at,
            step_due_label=c.step_due_label,
            step_due_reference=c.step_due_reference,
            due_at=c.due_at,
            due_label=c.due_label,
            due_reference=c.due_reference,
            required_steps=required_steps(c) if c.is_open else [],
            contested=c.contested,
            proposed_amount=c.proposed_amount,
            amount=c.amount,
            decision_number=c.decision_number or "",
            decided_at=c.decided_at,
            reasons=list(c.reasons or []),
            payment_from=c.payment_from,
            actions=[
                ActionOut(step=a.step, action=a.action, actor=a.actor_name, at=a.at, note=a.note)
                for a in c.actions.order_by("at", "pk")
            ]
            if with_actions
            else None,
        )


class ReferralOut(Schema):
    id: int
    department: str
    need: str
    work_order_id: int
    status_label: str


class ApplicationOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    channel: str
    unit: str
    household_id: int | None
    applicant_name: str
    applicant_id_number: str = Field(description="身份证号（脱敏）")
    phone: str = Field(description="电话（脱敏）")
    programmes: list[str]
    materials_missing: list[str]
    created_at: datetime
    accepted_at: datetime | None
    cases: list[CaseOut] | None = None
    referrals: list[ReferralOut] | None = None

    @staticmethod
    def of(a: Application, *, with_parts: bool = False) -> ApplicationOut:
        return ApplicationOut(
            id=a.pk,
            number=a.number,
            status=a.status,
            status_label=a.get_status_display(),
            channel=a.channel,
            unit=a.unit.name,
            household_id=a.household_id,
            applicant_name=a.applicant_name,
            applicant_id_number=mask_id_number(a.applicant_id_number) if a.applicant_id_number else "",
            phone=mask_phone(a.phone) if a.phone else "",
            programmes=list(a.programmes),
            materials_missing=list(a.materials_missing or []),
            created_at=a.created_at,
            accepted_at=a.accepted_at,
            cases=[CaseOut.of(c) for c in a.cases.select_related("application").order_by("pk")] if with_parts else None,
            referrals=[
                ReferralOut(
                    id=r.pk,
                    department=r.department.name,
                    need=r.need,
                    work_order_id=r.work_order_id,
                    status_label=r.work_order.get_status_display(),
                )
                for r in a.referrals.select_related("department", "work_order").order_by("pk")
            ]
            if with_parts
            else None,
        )
