"""The nightly run of 三色管理 and 动态复核 (huey): collect closed review work orders, classify every household by
the locality's colours.yaml, open the reviews that are due. Huey's crontab here is in UTC: 18:30 UTC is 02:30 in
China."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from jiuzhu.reviews.services import reviews_run

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="18", minute="30"))
def reviews_nightly() -> None:
    result = reviews_run()
    log.info("三色管理与复核：%s", result)
