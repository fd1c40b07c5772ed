"""kill -9 in the middle of an import leaves nothing half-done, and importing the same file again completes it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.exchange.conftest import write_csv

ROWS = 2400  # 200 persons × 12 months


def _jiuzhu(data_dir: Path, *args: str, crash_at: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JIUZHU_CRASH_AT")}
    env |= {"JIUZHU_DATA_DIR": str(data_dir), "JIUZHU_LOCALITY": "530103-panlong"}
    if crash_at:
        env["JIUZHU_CRASH_AT"] = crash_at
    command = [sys.executable, "-c", "from jiuzhu.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchone()[0]


@pytest.mark.parametrize("crash_at", ["stored", "derived"])
def test_a_killed_import_leaves_nothing_half_done_and_a_rerun_completes_it(tmp_path, crash_at):
    data = tmp_path / "data"
    assert _jiuzhu(data, "migrate", "--verbosity", "0").returncode == 0
    # Persons on file, so that the import has evidence to write when it is killed
    setup = _jiuzhu(data, "shell", "-c", _REGISTER_PERSONS)
    assert setup.returncode == 0, setup.stderr
    ids = [w for w in setup.stdout.split() if len(w) == 18]  # the shell also prints a line of its own
    rows = [["姓名", "身份证号", "发放年月", "发放金额"]] + [
        [f"人{i}", ids[i % len(ids)], f"2024-{1 + i // len(ids):02d}", "1850"] for i in range(ROWS)
    ]
    path = write_csv(tmp_path / "养老金.csv", rows)
    db = data / "jiuzhu.sqlite3"

    killed = _jiuzhu(data, "import", "--source", "hrss", str(path), crash_at=crash_at)

    assert killed.returncode == -9
    assert _count(db, "SELECT count(*) FROM exchange_feedbatch WHERE status = 'receiving'") == 1
    assert _count(db, "SELECT count(*) FROM registry_incomerecord") == 0
    assert _count(db, "SELECT count(*) FROM exchange_personevent") == 0

    rerun = _jiuzhu(data, "import", "--source", "hrss", str(path))

    assert rerun.returncode == 0, rerun.stderr
    assert _count(db, "SELECT count(*) FROM exchange_feedbatch") == 1
    assert _count(db, "SELECT rows_in FROM exchange_feedbatch WHERE status = 'committed'") == ROWS
    assert _count(db, "SELECT count(*) FROM registry_incomerecord") == ROWS


_REGISTER_PERSONS = """
from tests.factories import build_district, make_household, make_staff
units = build_district()
admin = make_staff("admin", "admin", units["district"])
for i in range(200):
    print(make_household(admin, units["grid_a"], head_name=f"人{i}", members=1).head().id_number)
"""
