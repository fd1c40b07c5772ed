"""Background work of monitoring (huey): screening runs on demand and every night, and closing handled alerts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiuzhu.monitoring.models import ScreeningRun


@db_task()
def screening_task(run_id: int) -> None:
    from jiuzhu.monitoring.screening import screening_execute

    run = ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.QUEUED).first()
    if run is not None:
        screening_execute(run)


@db_periodic_task(crontab(hour="18", minute="0"))
def nightly_screening() -> None:
    """政策找人 every night at 02:00 China time (huey's schedule is in UTC: 18:00 UTC)."""
    from jiuzhu.monitoring.screening import screening_execute, screening_start

    run = screening_start(actor=None, trigger="nightly", queue=False)  # executed here, in this task
    if run.status == ScreeningRun.Status.QUEUED:
        screening_execute(run)


@db_periodic_task(crontab(minute="*/10"))
def close_handled_alerts() -> None:
    from jiuzhu.monitoring.services import alerts_close_handled

    alerts_close_handled()
