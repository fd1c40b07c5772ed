"""The dates of a verification against its time limit, as plain JSON (frozen with the result at completion)."""

from __future__ import annotations

from datetime import datetime

from django.utils import translation

from jiuzhu.core.workdays import CHINA, working_days_between
from jiuzhu.verification.models import LEGAL_BASIS, START_WITHIN_WORKING_DAYS, VerificationRequest


def _at(moment: datetime | None) -> str:
    return moment.astimezone(CHINA).isoformat(timespec="seconds") if moment else ""


def _name(staff) -> str:
    return (staff.full_name or staff.username) if staff is not None else ""


def timeline(v: VerificationRequest) -> dict:
    """Request, limit, start and completion; working days counted after the day of the request (see core.workdays)."""
    with translation.override("zh-hans"):
        purpose = str(v.get_purpose_display())
    return {
        "purpose": v.purpose,
        "purpose_label": purpose,
        "authorization_signed_on": v.authorization_signed_on.isoformat(),
        "requested_at": _at(v.requested_at),
        "requested_by": _name(v.requested_by),
        "start_due_at": _at(v.start_due_at),
        "limit_working_days": START_WITHIN_WORKING_DAYS,
        "legal_basis": LEGAL_BASIS,
        "started_at": _at(v.started_at),
        "started_by": _name(v.started_by),
        "start_working_days": working_days_between(v.requested_at, v.started_at) if v.started_at else None,
        "started_on_time": (v.started_at <= v.start_due_at) if v.started_at else None,
        "completed_at": _at(v.completed_at),
        "completed_by": _name(v.completed_by),
        "total_working_days": working_days_between(v.requested_at, v.completed_at) if v.completed_at else None,
    }


def countdown(v: VerificationRequest, now: datetime) -> dict:
    """For lists: how many working days remain before the start limit, or how late the start is.

    {"state": "due" | "today" | "overdue" | "started_late" | "on_time" | "", "days": int | None}
    """
    if v.status == VerificationRequest.Status.REQUESTED:
        if now > v.start_due_at:
            return {"state": "overdue", "days": working_days_between(v.start_due_at, now)}
        days = working_days_between(now, v.start_due_at)
        return {"state": "today" if days == 0 else "due", "days": days}
    if v.started_at is None:
        return {"state": "", "days": None}
    if v.started_late():
        return {"state": "started_late", "days": working_days_between(v.start_due_at, v.started_at)}
    return {"state": "on_time", "days": None}
