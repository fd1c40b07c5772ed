"""Shapes of applications and cases over HTTP (/api/v1/cases). Phones and ID numbers are masked, as on the pages.

Bodies are read by `api_input.parse_body`, not by ninja: every problem of a body comes back at once, in Chinese
(422 with `problems`), and an object outside the caller's jurisdiction is 404 whatever the body says. Each input
schema forbids unknown fields, so a misspelt `aprove` is refused rather than quietly taken as the default."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from jiuzhu.cases import steps
from jiuzhu.cases.models import Application, Case, CaseAction, Referral
from jiuzhu.cases.page_support import ACTION_LABELS, countdown, next_step_label
from jiuzhu.cases.workflows import STEP_LABELS
from jiuzhu.core.masking import mask_id_number, mask_phone

# Text that must not be blank (surrounding spaces are dropped first); its length limit is on its Field.
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


# --- Input: applications -------------------------------------------------------------------------------------------


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ApplicationIn(In):
    unit_id: int | None = Field(
        None, title="受理街道（乡镇）", description="组织机构编号；留空取该户所在的街道，或您所在的街道"
    )
    household_id: int | None = Field(None, title="家庭户", description="在册家庭户的编号（受理前须关联）")
    channel: str = Field(
        "",
        title="申请方式",
        description="window 窗口申请、assisted 帮办代办、grid 网格员代为申请；留空：网格员为 grid，其他为 window",
    )
    applicant_name: NonBlank = Field(max_length=50, title="申请人姓名")
    applicant_id_number: str = Field("", max_length=30, title="申请人身份证号")
    phone: str = Field("", max_length=20, title="联系电话", description="11位手机号；留空取档案中该户的电话")
    programmes: list[str] = Field(max_length=20, title="申请项目", description="项目代码，可多个（一次申请、分类审核）")
    materials_provided: list[str] = Field([], max_length=50, title="已提交的材料")
    authorisation: str = Field("", max_length=300, title="委托/授权情况", description="帮办代办、网格员代为申请时必填")
    authorization_signed_on: date | None = Field(None, title="家庭经济状况核对授权书签署日期")
    situation: str = Field("", max_length=2000, title="困难情况")
    based_on: str = Field(
        "hukou", title="申请地依据", description="hukou 户籍地、residence 居住地、incident 急难发生地"
    )
    emergency: bool = Field(False, title="急难情形", description="急难型临时救助，可先行救助")
    emergency_kind: str = Field(
        "",
        title="急难情形类别",
        description="traffic_accident、accident、fire、disaster、illness、other；急难情形时必填",
    )
    emergency_loss: Money | None = Field(None, title="造成的损失或支出（元）")
    emergency_months: int = Field(1, ge=1, le=24, title="困难预计持续月数")
    conflict_of_interest: bool = Field(
        False, title="近亲属关系", description="共同生活家庭成员与经办人员或村（居）委会成员有近亲属关系"
    )
    conflict_note: str = Field("", max_length=200, title="近亲属关系说明", description="有近亲属关系时必填")


class MaterialsIn(In):
    materials_provided: list[str] = Field([], max_length=50, title="本次补交的材料")
    authorization_signed_on: date | None = Field(None, title="家庭经济状况核对授权书签署日期")


class AcceptIn(In):
    household_id: int | None = Field(
        None, title="家庭户", description="网上申请等尚未关联家庭档案的，受理时关联到在册家庭户"
    )


class WithdrawIn(In):
    reason: NonBlank = Field(max_length=200, title="撤回原因")


# --- Input: case actions (one body per action) ----------------------------------------------------------------------


class StartIn(In):
    """start 启动入户调查、verified 核对完成、close_notice 公示期满、delivered 文书送达：无需内容。"""

    model_config = ConfigDict(title="start / verified / close_notice / delivered")


class InvestigateIn(In):
    """investigate 记录入户调查（照片请在网页上传）。"""

    model_config = ConfigDict(title="investigate")
    investigators: list[int] = Field(
        max_length=20, title="调查人员", description="工作人员编号，至少2人，须是该户所在地的工作人员"
    )
    findings: NonBlank = Field(max_length=5000, title="入户调查情况")
    living: str = Field("", max_length=2000, title="居住情况")
    income: str = Field("", max_length=2000, title="收入情况")
    assets: str = Field("", max_length=2000, title="财产情况")
    conclusion: str = Field("", max_length=2000, title="调查结论")


class AppraiseIn(In):
    """appraise 记录民主评议。"""

    model_config = ConfigDict(title="appraise")
    attendees: int = Field(ge=1, le=500, title="参加评议人数")
    outcome: NonBlank = Field(max_length=2000, title="评议意见")


class ReviewIn(In):
    """review 街道（乡镇）审核。"""

    model_config = ConfigDict(title="review")
    recommend: bool = Field(title="审核意见", description="true 建议同意，false 建议不同意")
    opinion: NonBlank = Field(max_length=2000, title="审核意见说明")
    contested: bool = Field(False, title="提请民主评议", description="家庭经济状况难以核实，提请民主评议")


class ObjectionIn(In):
    """objection 记录公示异议（退回重新入户调查）。"""

    model_config = ConfigDict(title="objection")
    objection: NonBlank = Field(max_length=2000, title="公示异议")


class DecideIn(In):
    """decide 审批：批准（金额留空按政策规则测算）或不予批准（理由留空按规则中未满足的条件）。"""

    model_config = ConfigDict(title="decide")
    approve: bool = Field(title="审批决定", description="true 批准，false 不予批准")
    opinion: NonBlank = Field(max_length=2000, title="审批意见")
    amount: Money | None = Field(None, title="金额（元）", description="批准时可填；留空按政策规则测算的金额")
    reasons: list[Annotated[str, StringConstraints(max_length=300)]] = Field([], max_length=20, title="不予批准的理由")


class SpotCheckIn(In):
    """spot_check 记录抽查核实。"""

    model_config = ConfigDict(title="spot_check")
    finding: NonBlank = Field(max_length=2000, title="抽查核实情况")


class MeetingIn(In):
    """meeting 一事一议：会议决定的金额。"""

    model_config = ConfigDict(title="meeting")
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] = Field(title="一事一议金额（元）")
    meeting: NonBlank = Field(max_length=300, title="会议名称、日期和决定")


class AdvanceIn(In):
    """advance 先行救助（急难型临时救助）。"""

    model_config = ConfigDict(title="advance")
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] = Field(title="先行救助金额（元）")
    note: NonBlank = Field(max_length=300, title="说明（急难情况、发放方式）")


class ExtendIn(In):
    """extend 延长办理期限（须写明特殊情况）。"""

    model_config = ConfigDict(title="extend")
    reason: NonBlank = Field(
        max_length=300, title="特殊情况", description="公示有异议、人户分离、异地申办、调查难度大等"
    )


# --- Output ---------------------------------------------------------------------------------------------------------


class ReferralOut(Schema):
    id: int
    department: str
    need: str
    programme: str
    work_order_id: int
    status: str
    status_label: str
    due_at: datetime
    closed_at: datetime | None

    @staticmethod
    def of(r: Referral) -> ReferralOut:
        order = r.work_order
        return ReferralOut(
            id=r.pk,
            department=r.department.name,
            need=r.need,
            programme=r.programme,
            work_order_id=r.work_order_id,
            status=order.status,
            status_label=str(order.get_status_display()),
            due_at=order.due_at,
            closed_at=order.closed_at,
        )


class CaseOut(Schema):
    id: int
    application_id: int
    application_number: str
    applicant_name: str
    household_id: int | None
    programme: str
    programme_name: str
    status: str
    status_label: str
    step: str = Field(description="当前环节（办结后为空）")
    step_label: str
    step_due_at: datetime | None = Field(description="当前环节的期限（已满足的“启动”时限为空）")
    step_due_label: str
    step_due_reference: str
    step_countdown: str
    due_at: datetime = Field(description="整个事项的办结期限")
    due_label: str
    due_reference: str
    countdown: str
    overdue: bool
    escalation_level: int
    amount: Decimal | None = Field(description="批准金额（元）")
    decision_number: str
    decided_at: datetime | None
    payment_from: date | None

    @staticmethod
    def fields_of(c: Case, now: datetime) -> dict:
        step_left = countdown(c.step_due_at, now) if c.is_open else None
        left = countdown(c.due_at, now) if c.is_open else None
        return {
            "id": c.pk,
            "application_id": c.application_id,
            "application_number": c.application.number,
            "applicant_name": c.application.applicant_name,
            "household_id": c.household_id,
            "programme": c.programme,
            "programme_name": c.programme_name,
            "status": c.status,
            "status_label": str(c.get_status_display()),
            "step": c.step,
            "step_label": STEP_LABELS.get(c.step, ""),
            "step_due_at": c.step_due_at,
            "step_due_label": c.step_due_label if c.is_open else "",
            "step_due_reference": c.step_due_reference if c.is_open else "",
            "step_countdown": step_left["text"] if step_left else "",
            "due_at": c.due_at,
            "due_label": c.due_label,
            "due_reference": c.due_reference,
            "countdown": left["text"] if left else "",
            "overdue": c.is_overdue(now),
            "escalation_level": c.escalation_level,
            "amount": c.amount,
            "decision_number": c.decision_number or "",
            "decided_at": c.decided_at,
            "payment_from": c.payment_from,
        }

    @staticmethod
    def of(c: Case) -> CaseOut:
        return CaseOut(**CaseOut.fields_of(c, timezone.now()))


class StepOut(Schema):
    step: str
    label: str
    state: str = Field(description="done 已完成、current 当前、pending 未到、skipped 未经过")


class ActionOut(Schema):
    step: str
    step_label: str
    action: str
    action_label: str
    actor: str
    at: datetime
    note: str
    data: dict


class ConditionOut(Schema):
    label: str
    held: bool | None


def _required(case: Case, actions: list[CaseAction]) -> list[StepOut]:
    """The steps this case must pass, in order, each with where the case stands (as the page's timeline)."""
    return [
        StepOut(step=step, label=STEP_LABELS[step], state=state) for step, state in steps.step_states(case, actions)
    ]


class CaseDetail(CaseOut):
    workflow: str
    required_steps: list[StepOut] = Field(description="必经环节，按顺序")
    next_step: str
    contested: bool
    extended_reason: str
    escalated_to: str
    verification_id: int | None
    notice_starts_on: date | None
    notice_ends_on: date | None
    spot_check_required: bool
    spot_checked_at: datetime | None
    proposed_amount: Decimal | None = Field(description="审核时按政策规则测算的金额（元）")
    advance_amount: Decimal | None
    advance_paid_at: datetime | None
    advance_due_at: datetime | None
    meeting_amount: Decimal | None
    meeting_reference: str
    decided_by: str
    reasons: list[str] = Field(description="批准：审批意见；不予批准：理由")
    conditions: list[ConditionOut] = Field(description="政策规则的各项条件及是否满足（审核或决定时）")
    letter_due_at: datetime | None = Field(description="不予批准的书面告知期限")
    letter_delivered_at: datetime | None
    actions: list[ActionOut] = Field(description="办理记录，按时间顺序")

    @staticmethod
    def of(c: Case) -> CaseDetail:
        actions = list(c.actions.order_by("at", "pk"))
        basis = (c.amount_basis or {}).get("decision") or c.amount_basis or {}
        return CaseDetail(
            **CaseOut.fields_of(c, timezone.now()),
            workflow=c.workflow,
            required_steps=_required(c, actions),
            next_step=next_step_label(c),
            contested=c.contested,
            extended_reason=c.extended_reason,
            escalated_to=c.escalated_to.name if c.escalated_to_id else "",
            verification_id=c.verification_id,
            notice_starts_on=c.notice_starts_on,
            notice_ends_on=c.notice_ends_on,
            spot_check_required=c.spot_check_required,
            spot_checked_at=c.spot_checked_at,
            proposed_amount=c.proposed_amount,
            advance_amount=c.advance_amount,
            advance_paid_at=c.advance_paid_at,
            advance_due_at=c.advance_due_at,
            meeting_amount=c.meeting_amount,
            meeting_reference=c.meeting_reference,
            decided_by=c.decided_by.full_name if c.decided_by_id else "",
            reasons=list(c.reasons or []),
            conditions=[
                ConditionOut(label=str(k.get("label", "")), held=k.get("held")) for k in basis.get("conditions", [])
            ],
            letter_due_at=c.letter_due_at,
            letter_delivered_at=c.letter_delivered_at,
            actions=[
                ActionOut(
                    step=a.step,
                    step_label=STEP_LABELS.get(a.step, ""),
                    action=a.action,
                    action_label=str(ACTION_LABELS.get(a.action, a.action)),
                    actor=a.actor_name,
                    at=a.at,
                    note=a.note,
                    data=a.data or {},
                )
                for a in actions
            ],
        )


class ApplicationOut(Schema):
    id: int
    number: str
    status: str
    status_label: str
    channel: str
    channel_label: str
    unit_id: int
    unit: str
    household_id: int | None
    applicant_name: str
    applicant_id_number: str = Field(description="身份证号（脱敏）")
    phone: str = Field(description="电话（脱敏）")
    programmes: list[str]
    programme_names: list[str]
    emergency: bool
    materials_missing: list[str] = Field(description="尚缺的材料（一次性告知）")
    created_at: datetime
    submitted_at: datetime | None
    accepted_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def fields_of(a: Application, names: dict[str, str]) -> dict:
        return {
            "id": a.pk,
            "number": a.number,
            "status": a.status,
            "status_label": str(a.get_status_display()),
            "channel": a.channel,
            "channel_label": str(a.get_channel_display()),
            "unit_id": a.unit_id,
            "unit": a.unit.name,
            "household_id": a.household_id,
            "applicant_name": a.applicant_name,
            "applicant_id_number": mask_id_number(a.applicant_id_number) if a.applicant_id_number else "",
            "phone": mask_phone(a.phone) if a.phone else "",
            "programmes": list(a.programmes),
            "programme_names": [names.get(code, code) for code in a.programmes],
            "emergency": a.emergency,
            "materials_missing": list(a.materials_missing or []),
            "created_at": a.created_at,
            "submitted_at": a.submitted_at,
            "accepted_at": a.accepted_at,
            "closed_at": a.closed_at,
        }

    @staticmethod
    def of(a: Application, names: dict[str, str]) -> ApplicationOut:
        return ApplicationOut(**ApplicationOut.fields_of(a, names))


class MaterialsOut(Schema):
    required: list[str] = Field(description="所申请项目的全部材料")
    held: list[str] = Field(description="平台已掌握，不再要求提交")
    provided: list[str]
    optional: list[str] = Field(description="如有则提交")
    missing: list[str] = Field(description="尚缺（一次性告知）")


class ApplicationDetail(ApplicationOut):
    based_on: str
    situation: str
    authorisation: str
    authorization_signed_on: date | None
    conflict_of_interest: bool
    conflict_note: str
    materials: MaterialsOut
    cases: list[CaseOut] = Field(description="各项目的审核事项（一次申请、分类审核）")
    referrals: list[ReferralOut] = Field(description="转介其他部门办理的部分（一件事联办）")

    @staticmethod
    def of(a: Application, names: dict[str, str], materials) -> ApplicationDetail:
        now = timezone.now()
        fields = ApplicationOut.fields_of(a, names)
        if a.status in (Application.Status.DRAFT, Application.Status.SUBMITTED):
            fields["materials_missing"] = list(materials.missing)  # as of now, like the page's one-time notice
        return ApplicationDetail(
            **fields,
            based_on=a.based_on,
            situation=a.situation,
            authorisation=a.authorisation,
            authorization_signed_on=a.authorization_signed_on,
            conflict_of_interest=a.conflict_of_interest,
            conflict_note=a.conflict_note,
            materials=MaterialsOut(
                required=materials.required,
                held=materials.held,
                provided=materials.provided,
                optional=materials.optional,
                missing=materials.missing,
            ),
            cases=[CaseOut(**CaseOut.fields_of(c, now)) for c in a.cases.select_related("application").order_by("pk")],
            referrals=[
                ReferralOut.of(r) for r in a.referrals.select_related("department", "work_order").order_by("pk")
            ],
        )


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


class CasePage(Schema):
    count: int
    items: list[CaseOut]
