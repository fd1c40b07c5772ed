"""Background work of cases (huey): escalate overdue cases every five minutes."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiuzhu.cases.steps import cases_escalate_overdue

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_cases() -> int:
    count = cases_escalate_overdue()
    if count:
        log.info("escalated %s overdue cases", count)
    return count
