from __future__ import annotations

from datetime import datetime

import pytest

from jiuzhu.workorders import deadlines
from jiuzhu.workorders.services import work_order_create


def aware(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(autouse=True)
def _fresh_rules():
    deadlines.clear_cache()
    yield
    deadlines.clear_cache()


@pytest.fixture(autouse=True)
def _photos_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def make_order(units):
    """A work order opened by the system (as an alert would), owned by street A unless told otherwise."""

    def make(**kw):
        fields = {
            "actor": None,
            "kind": "alert",
            "title": "大额医疗支出：张建国",
            "description": "医保结算自付 45000 元，超过 40000 元预警线",
            "locality": "national",
        }
        if "owner_unit" not in kw and "owner_department" not in kw:
            fields["owner_unit"] = units["street_a"]
        return work_order_create(**(fields | kw))

    return make
