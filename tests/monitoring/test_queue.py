"""Screening through the real queue: huey on SQLite by default, on Redis where JIUZHU_REDIS_URL names one (CI runs
these tests once more that way: `pytest -m queue` with scripts/ensure-redis)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from jiuzhu.monitoring.models import ScreeningRun
from jiuzhu.monitoring.screening import screening_start
from jiuzhu.monitoring.tasks import nightly_screening
from tests.factories import add_income

# Real commits: the worker's task closes its database connection when done, as it does in production.
pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_queue(settings):
    settings.JIUZHU_LOCALITY = "demo-530103"
    HUEY.immediate = False  # the configured storage: SQLite file, or Redis
    HUEY.flush()
    yield HUEY
    HUEY.flush()


def test_a_started_run_waits_in_the_queue_until_a_worker_takes_it(real_queue, approver, household_a):
    expected = "RedisStorage" if settings.REDIS_URL else "SqliteStorage"
    assert type(real_queue.storage).__name__ == expected
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    run = screening_start(actor=approver, as_of=date(2026, 11, 1))
    assert real_queue.pending_count() == 1
    assert ScreeningRun.objects.get(pk=run.pk).status == ScreeningRun.Status.QUEUED
    # a worker takes the task from the broker and runs it
    real_queue.execute(real_queue.dequeue())
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE and run.missing >= 1
    assert real_queue.pending_count() == 0


def test_the_nightly_task_screens_the_registry(real_queue, household_a):
    add_income(household_a, "100", valid_from=date(2025, 1, 1))
    nightly_screening.call_local()
    run = ScreeningRun.objects.get()
    assert (run.trigger, run.status) == ("nightly", ScreeningRun.Status.DONE)
    assert run.findings.filter(household=household_a, programme="dibao", kind="missing").exists()
