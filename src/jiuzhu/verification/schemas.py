from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class VerificationIn(Schema):
    household_id: int = Field(description="家庭户 id")
    purpose: str = Field("application", description="核对事由：application 新申请，review 在保复核")
    authorization_signed_on: date | None = Field(
        None, description="申请人签署家庭经济状况核对授权书的日期（必填；未签署授权书不能提请核对）"
    )


class VerificationOut(Schema):
    id: int
    household_id: int
    household_number: str
    purpose: str
    status: str
    status_label: str
    authorization_signed_on: date
    requested_at: datetime
    requested_by: str
    start_due_at: datetime
    overdue: bool
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: str
    result: dict[str, Any] | None = Field(
        None, description="完成后固定的核对结果：经济状况画像、比对与差异（身份证号已脱敏）；未完成时为空"
    )

    @staticmethod
    def of(v) -> VerificationOut:
        return VerificationOut(
            id=v.pk,
            household_id=v.household_id,
            household_number=v.household.number,
            purpose=v.purpose,
            status=v.status,
            status_label=str(v.get_status_display()),
            authorization_signed_on=v.authorization_signed_on,
            requested_at=v.requested_at,
            requested_by=v.requested_by.full_name,
            start_due_at=v.start_due_at,
            overdue=v.is_overdue(),
            started_at=v.started_at,
            completed_at=v.completed_at,
            completed_by=v.completed_by.full_name if v.completed_by_id else "",
            result=v.result if v.is_completed else None,
        )


class ErrorOut(Schema):
    code: str
    detail: str
