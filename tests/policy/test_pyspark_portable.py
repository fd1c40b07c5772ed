"""The compiled program is portable to Ibis's PySpark backend: Spark (local, one core) renders the same Ibis
expressions and reaches the same decisions as the one-household check. Spark is for a province that outgrows one
machine; here it only shows that no DuckDB-only function slipped into the compiler."""

from __future__ import annotations

import logging
import shutil
from datetime import date

import ibis
import pytest

from jiuzhu.policy.checks import program_for
from jiuzhu.policy.engine import run_one, to_arrow
from jiuzhu.policy.facts import facts_rows, validate_facts

pytestmark = pytest.mark.spark

HOUSEHOLDS = [
    {"members": [{"age": 40, "employment": "employed", "income": {"wage": 500}}, {"age": 70}, {"age": 8}]},
    {"members": [{"age": 82, "labor_capacity": "none", "supporter_able": False, "self_care_failed": 5}]},
    {
        "area_type": "rural",
        "members": [{"age": 30, "disability": {"kind": "physical", "grade": 1}, "labor_capacity": "none"}],
        "expenses_12m": {"medical": 60000},
        "emergency": {"kind": "fire", "months": 3},
    },
]


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.skip("PySpark needs a Java runtime (Debian: openjdk-17-jre-headless); none is on PATH")
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="PySpark is not installed (pip install -e '.[dev]')")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its shutdown chatter outlives pytest's capture
    ibis.pyspark.connect(session)  # loads Ibis's PySpark backend, whose options its SQL compiler reads
    yield session
    session.stop()


def test_spark_reaches_the_same_decisions(spark):
    as_of = date(2025, 8, 1)
    program = program_for("demo-530103", as_of)
    h_rows, m_rows, alone = [], [], {}
    for hh_id, document in enumerate(HOUSEHOLDS, start=1):
        h, m = facts_rows(validate_facts(document, as_of=as_of), as_of=as_of, household_id=hh_id)
        h_rows.append(h)
        m_rows += m
        alone[hh_id] = run_one(program, h, m)[0]
    spark.createDataFrame(to_arrow(h_rows, "household").to_pandas()).createOrReplaceTempView("households")
    spark.createDataFrame(to_arrow(m_rows, "member").to_pandas()).createOrReplaceTempView("members")
    for step in program.steps:
        spark.sql(f"CACHE TABLE `{step.name}` AS {ibis.to_sql(step.expr, dialect='pyspark')}")
    decisions = [c for c in program.steps[-2].expr.columns if c.endswith(("eligible", "benefit"))]
    assert "dibao__eligible" in decisions and "tekun__heligible" in decisions
    for row in spark.sql("SELECT * FROM household_result").collect():
        spark_row = row.asDict()
        assert {c: spark_row[c] for c in decisions} == {c: alone[row.hh_id][c] for c in decisions}
