"""Writes of monitoring other than raising alerts (alerts.py) and screening runs (screening.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jiuzhu.audit import services as audit
from jiuzhu.monitoring.errors import MonitoringError, MonitoringErrorCode
from jiuzhu.monitoring.models import Alert
from jiuzhu.org.models import Staff
from jiuzhu.org.permissions import CHANGE_HOUSEHOLD


def alert_dismiss(*, actor: Staff, alert: Alert, reason: str) -> Alert:
    """Rule an alert out (排除), e.g. the event was a data error, with the reason; its open work orders close too."""
    if not actor.has_perm(CHANGE_HOUSEHOLD) or actor.is_read_only:
        audit.record(actor=actor, action="alert.dismiss.refused", obj=alert)  # kept: no transaction to roll back
        raise MonitoringError(MonitoringErrorCode.NOT_ALLOWED)
    with transaction.atomic():
        return _dismiss(actor, alert, reason)


def _dismiss(actor: Staff, alert: Alert, reason: str) -> Alert:
    reason = (reason or "").strip()
    if not reason:
        raise MonitoringError(MonitoringErrorCode.REASON_REQUIRED)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not alert.can_dismiss():
        raise MonitoringError(MonitoringErrorCode.NOT_OPEN, status=alert.get_status_display())
    from jiuzhu.workorders.models import WorkOrder
    from jiuzhu.workorders.services import work_order_close

    for order in WorkOrder.objects.filter(origin="alert", origin_id=alert.pk).exclude(status=WorkOrder.Status.CLOSED):
        # closed by the platform on the officer's dismissal (a department's order is not the officer's to close)
        work_order_close(actor=None, work_order=order, feedback=f"预警已由{actor.full_name}排除：{reason}")
    alert.status, alert.closed_at, alert.closed_by, alert.close_note = (
        Alert.Status.DISMISSED,
        timezone.now(),
        actor,
        reason,
    )
    alert.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit.record(actor=actor, action="alert.dismiss", obj=alert, reason=reason)
    return alert


def alerts_close_handled() -> int:
    """Close every routed alert whose work orders are all closed (办结); returns how many were closed."""
    from jiuzhu.workorders.models import WorkOrder

    closed = 0
    open_alerts = Alert.objects.filter(status__in=[Alert.Status.ROUTED, Alert.Status.UNLINKED]).values_list(
        "pk", flat=True
    )
    pending = set(
        WorkOrder.objects.filter(origin="alert", origin_id__in=open_alerts)
        .exclude(status=WorkOrder.Status.CLOSED)
        .values_list("origin_id", flat=True)
    )
    for alert in Alert.objects.filter(pk__in=open_alerts).exclude(pk__in=pending):
        with transaction.atomic():
            alert.status, alert.closed_at = Alert.Status.CLOSED, timezone.now()
            alert.close_note = "全部工单已办结"
            alert.save(update_fields=["status", "closed_at", "close_note"])
            audit.record(actor=None, action="alert.close", obj=alert)
            closed += 1
    return closed
