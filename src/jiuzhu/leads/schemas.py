from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from jiuzhu.core.masking import mask_id_number, mask_phone


class LeadIn(Schema):
    channel: str = Field(
        description="来源渠道：hotline_12345、hotline_2345、hotline_179、petition（信访）、police（公安/综治）、media（媒体/网络）"
    )
    reference: str = Field(description="来源系统的工单号/信访件号；同一渠道同一编号只能登记一次")
    received_at: datetime | None = Field(None, description="接收时间（带时区）；不填为现在。办理时限从此起算")
    situation: str = Field(
        description="情形：elderly_alone、sudden_illness、accident、income_loss、family_crisis、housing_damage、"
        "child_unattended、other（other 须有 description）"
    )
    description: str = ""
    reporter_name: str = Field("", description="反映人")
    reporter_phone: str = Field("", description="反映人联系方式")
    reporter_relation: str = Field(
        "anonymous", description="反映人身份：resident、volunteer（核实属实后计积分，须有手机号）、self、anonymous"
    )
    household_id: int | None = Field(None, description="在册家庭户 id（调用账号管辖范围内）")
    person_id: int | None = Field(None, description="在册人员 id（调用账号管辖范围内）")
    subject_name: str = Field("", description="不在册时：对象姓名")
    subject_id_number: str = Field("", description="不在册时：身份证号（可选；填写的须通过校验）")
    subject_phone: str = ""
    subject_address: str = ""
    street_id: int | None = Field(None, description="承办街道/镇（不在册时；不填为调用账号所在街道）")


class LeadOut(Schema):
    id: int
    channel: str
    channel_label: str
    reference: str
    received_at: datetime
    status: str
    status_label: str
    situation: str
    situation_label: str
    description: str
    household_id: int | None
    person_id: int | None
    subject_name: str
    subject_id_number: str = Field(description="已脱敏")
    subject_phone: str = Field(description="已脱敏")
    subject_address: str
    reporter_name: str
    reporter_phone: str = Field(description="已脱敏")
    owner_unit: str
    work_order_id: int | None
    due_at: datetime | None = None
    work_order_status: str = ""
    verified_at: datetime | None
    outcome_note: str

    @staticmethod
    def of(lead, order=None) -> LeadOut:
        return LeadOut(
            id=lead.pk,
            channel=lead.channel,
            channel_label=str(lead.get_channel_display()),
            reference=lead.reference,
            received_at=lead.received_at,
            status=lead.status,
            status_label=str(lead.get_status_display()),
            situation=lead.situation,
            situation_label=str(lead.get_situation_display()),
            description=lead.description,
            household_id=lead.household_id,
            person_id=lead.person_id,
            subject_name=lead.subject_name,
            subject_id_number=mask_id_number(lead.subject_id_number) if lead.subject_id_number else "",
            subject_phone=mask_phone(lead.subject_phone) if lead.subject_phone else "",
            subject_address=lead.subject_address,
            reporter_name=lead.reporter_name,
            reporter_phone=mask_phone(lead.reporter_phone) if lead.reporter_phone else "",
            owner_unit=lead.owner_unit.name,
            work_order_id=lead.work_order_id,
            due_at=order.due_at if order is not None else None,
            work_order_status=order.status if order is not None else "",
            verified_at=lead.verified_at,
            outcome_note=lead.outcome_note,
        )


class VerifyIn(Schema):
    # Defaults, so that a lead out of scope answers 404 before its body is judged; the service refuses the rest.
    outcome: str = Field("", description="confirmed（属实）、unfounded（不属实）、duplicate（重复）")
    note: str = Field("", description="核实情况；属实的写明已采取的措施")
    duplicate_of: int | None = None


class ErrorOut(Schema):
    code: str
    detail: str
