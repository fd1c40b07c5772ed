from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from jiuzhu.core.masking import mask_id_number


class FeedbackIn(Schema):
    note: str = Field("", description="反馈内容（办理进展）")


class CloseIn(Schema):
    feedback: str = Field("", description="办理结果（办结时必填，空白时退回 400 并说明原因）")


class ActionOut(Schema):
    action: str
    action_label: str
    actor: str
    at: datetime
    note: str
    from_label: str
    to_label: str
    photos: int


class WorkOrderOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    status: str
    status_label: str
    owner_unit_id: int | None
    owner_department_id: int | None
    owner: str
    assignee: str
    opened_at: datetime
    due_at: datetime
    deadline_label: str
    deadline_reference: str
    overdue: bool
    countdown: str = Field(description="剩余X小时 / 已超期X天 / 按期办结")
    closed_at: datetime | None
    feedback: str
    escalation_level: int
    escalated_to: str
    origin: str
    origin_id: int | None
    household_id: int | None
    household_number: str
    person_name: str
    person_id_number: str = Field(description="身份证号（脱敏）")
    actions: list[ActionOut] | None = Field(None, description="办理记录（仅单条工单详情）")

    @staticmethod
    def of(o, *, with_actions: bool = False) -> WorkOrderOut:
        from jiuzhu.workorders.selectors import countdown

        actions = None
        if with_actions:
            actions = [
                ActionOut(
                    action=a.action,
                    action_label=str(a.get_action_display()),
                    actor=a.actor_name,
                    at=a.at,
                    note=a.note,
                    from_label=a.from_label,
                    to_label=a.to_label,
                    photos=a.attachments.count(),
                )
                for a in o.actions.all()
            ]
        return WorkOrderOut(
            id=o.pk,
            kind=o.kind,
            kind_label=str(o.get_kind_display()),
            title=o.title,
            description=o.description,
            status=o.status,
            status_label=str(o.get_status_display()),
            owner_unit_id=o.owner_unit_id,
            owner_department_id=o.owner_department_id,
            owner=o.owner_name,
            assignee=o.assignee.full_name if o.assignee_id else "",
            opened_at=o.opened_at,
            due_at=o.due_at,
            deadline_label=o.deadline_label,
            deadline_reference=o.deadline_reference,
            overdue=o.is_overdue(),
            countdown=countdown(o)["text"],
            closed_at=o.closed_at,
            feedback=o.feedback,
            escalation_level=o.escalation_level,
            escalated_to=o.escalated_to.name if o.escalated_to_id else "",
            origin=o.origin,
            origin_id=o.origin_id,
            household_id=o.household_id,
            household_number=o.household.number if o.household_id else "",
            person_name=o.person.name if o.person_id else "",
            person_id_number=mask_id_number(o.person.id_number) if o.person_id else "",
            actions=actions,
        )


class ErrorOut(Schema):
    code: str
    detail: str
