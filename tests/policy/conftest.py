from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from jiuzhu.policy import packs


@pytest.fixture
def write_pack(tmp_path, settings):
    """Write a pack into a temporary policies folder (beside the real ones); returns a function(folder, files)."""
    settings.JIUZHU_POLICY_DIRS = [*settings.JIUZHU_POLICY_DIRS, str(tmp_path)]
    packs.clear_cache()

    def write(folder: str, files: dict[str, str]) -> Path:
        root = tmp_path / folder
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        packs.clear_cache()
        return root

    yield write
    packs.clear_cache()
