"""Leads: the demo district of tests/factories (盘龙区 530103, two streets, each with a community and a grid), the
platform's locality pinned to 530103-panlong (deadlines and points inherited from the national defaults)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from jiuzhu.leads import points
from jiuzhu.workorders import deadlines

CHINA = ZoneInfo("Asia/Shanghai")


def china(text: str) -> datetime:
    """'2024-03-05 15:00' in China time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=CHINA)


def png(name: str = "现场.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Photos under a temporary data directory; no calendar.yaml from this machine; the locality pinned."""
    settings.DATA_DIR = tmp_path
    settings.JIUZHU_LOCALITY = "530103-panlong"
    points._cache.clear()
    deadlines.clear_cache()
    yield tmp_path
    points._cache.clear()
    deadlines.clear_cache()


@pytest.fixture(autouse=True)
def chinese_after_each_test():
    yield
    translation.deactivate()


@pytest.fixture
def grid_worker_b(units):
    from tests.factories import make_staff

    return make_staff("grid_b", "grid_worker", units["grid_b"])
