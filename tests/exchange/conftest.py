from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.factories import make_household


@pytest.fixture(autouse=True)
def feed_store(settings, tmp_path):
    """Each test keeps its batches' Parquet in its own folder."""
    settings.JIUZHU_FEED_STORE = tmp_path / "feeds"
    settings.JIUZHU_FEED_INBOX = tmp_path / "inbox"
    return settings.JIUZHU_FEED_STORE


@pytest.fixture(autouse=True)
def tasks_run_at_once():
    """Background tasks run in the test's own process (huey's immediate mode, an in-memory queue)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def two_households(units, street_officer_a, street_officer_b):
    """A household in each street; returns (household_a, household_b)."""
    return (
        make_household(street_officer_a, units["grid_a"], head_name="张建国"),
        make_household(street_officer_b, units["grid_b"], head_name="李秀英"),
    )


def write_csv(path: Path, rows: list[list], *, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path
