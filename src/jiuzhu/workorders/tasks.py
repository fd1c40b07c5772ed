"""Background work of work orders (huey): escalate what is overdue, every five minutes."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiuzhu.workorders.services import work_orders_escalate_overdue

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue() -> int:
    count = work_orders_escalate_overdue()
    if count:
        log.info("escalated %s overdue work orders", count)
    return count
