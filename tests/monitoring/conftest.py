from __future__ import annotations

import itertools
from datetime import date

import pytest

from jiuzhu.exchange.ingest import import_records
from jiuzhu.exchange.models import SourceToken
from jiuzhu.monitoring import scenarios

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def feed_store(settings, tmp_path):
    settings.JIUZHU_FEED_STORE = tmp_path / "feeds"
    settings.JIUZHU_FEED_INBOX = tmp_path / "inbox"
    scenarios.clear_cache()
    yield
    scenarios.clear_cache()


@pytest.fixture(autouse=True)
def tasks_run_at_once():
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def push(admin):
    """Push records of a source as its department's system would (a JSON batch with the source's token)."""

    def send(source: str, kind: str, records: list[dict]):
        token = SourceToken.objects.filter(source=source).first()
        if token is None:
            token = SourceToken.objects.create(
                source=source, name="测试", token_hash=f"h{next(_numbers)}", token_prefix="t", created_by=admin
            )
        return import_records(source=source, kind=kind, records=records, token=token).batch

    return send


def settlement(person, self_paid: str, *, on: date = date(2026, 11, 20), number: str | None = None) -> dict:
    return {
        "id_number": person.id_number,
        "name": person.name,
        "settlement_no": number or f"JS{next(_numbers)}",
        "settled_on": on.isoformat(),
        "total": str(int(float(self_paid.replace(",", "")) * 1.6)),
        "self_paid": self_paid,
        "hospital": "昆明医科大学第一附属医院",
    }


def death(person, *, on: date = date(2026, 11, 20)) -> dict:
    return {"id_number": person.id_number, "name": person.name, "died_on": on.isoformat()}


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    """Monday 23 November 2026, 10:00 in China: every deadline and 'not in the future' check is reproducible."""
    time_machine.move_to("2026-11-23 10:00:00+08:00", tick=True)
